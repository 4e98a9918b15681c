import { Body, Controller, HttpCode, Module, Post, type DynamicModule, type Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { PlatformError, ROUTE_ACCESS, type RouteAccess } from '@bff/core';

import { CacheService } from '../cache.service.js';
import type { InvalidationResult } from '../stores/store.types.js';
import { InvalidateCacheDto, type InvalidateCacheResult } from './invalidate-cache.dto.js';

export interface CacheAdminModuleOptions {
  /**
   * The access decision of the admin routes, decided by the app, e.g.
   * `Protected('api-key', ['cache:admin'])`. It must be a @Protected decision: a public admin route is refused.
   */
  readonly access: ClassDecorator;
  /** Route prefix (default 'admin/cache'). */
  readonly path?: string;
}

const NONE: InvalidationResult = { removed: 0, shared: 'none' };

function createCacheAdminController(options: CacheAdminModuleOptions): Type {
  /** Operator route: invalidates cache entries by key or tag across every instance sharing the cache. */
  @ApiExcludeController()
  @Controller(options.path ?? 'admin/cache')
  class CacheAdminController {
    constructor(private readonly cache: CacheService) {}

    @Post('invalidate')
    @HttpCode(200)
    async invalidate(@Body() body: InvalidateCacheDto): Promise<InvalidateCacheResult> {
      const [byKey, byTag] = await Promise.all([
        body.keys?.length ? this.cache.invalidateKeys(body.keys) : NONE,
        body.tags?.length ? this.cache.invalidateTags(body.tags) : NONE,
      ]);
      if (byKey.shared === 'unavailable' || byTag.shared === 'unavailable') {
        throw new PlatformError('unavailable', 'CACHE_UNAVAILABLE', 'Redis unreachable during invalidation', {
          publicDetail: 'The shared cache could not be reached; only this instance was invalidated. Retry the invalidation.',
          retryAfterSeconds: 1,
        });
      }
      return { removed: byKey.removed + byTag.removed, shared: byKey.shared === 'ok' || byTag.shared === 'ok' ? 'ok' : 'none' };
    }
  }
  options.access(CacheAdminController);
  const access = Reflect.getMetadata(ROUTE_ACCESS, CacheAdminController) as RouteAccess | undefined;
  if (access?.mode !== 'protected') {
    throw new Error(
      "CacheAdminModule: `access` must be a @Protected(strategy, scopes) decision, e.g. Protected('api-key', ['cache:admin'])",
    );
  }
  return CacheAdminController;
}

/**
 * `POST /admin/cache/invalidate {keys?, tags?}` with an access decision chosen by the app.
 * Needs CacheModule.forRoot() in the same app. Excluded from the OpenAPI document (operator route).
 */
@Module({})
export class CacheAdminModule {
  static register(options: CacheAdminModuleOptions): DynamicModule {
    return { module: CacheAdminModule, controllers: [createCacheAdminController(options)] };
  }
}
