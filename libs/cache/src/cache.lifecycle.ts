import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';
import { DiscoveryService, HttpAdapterHost, MetadataScanner } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { CACHE_CONFIG, CACHE_STORE } from './cache.constants.js';
import { CacheEnv } from './cache.env.js';
import { CacheService } from './cache.service.js';
import { installCacheReplyHook } from './route/reply-meta.js';
import { auditCachedRoutes, type AuditedRoute } from './route/route-audit.js';
import type { CacheStore } from './stores/store.types.js';

/**
 * Boot: audits every @Cached route (misconfigurations fail the boot), installs the reply hook
 * (ETag/304, Cache-Control, Vary, X-Cache), and waits for Redis at most
 * CACHE_REDIS_CONNECT_TIMEOUT_MS (the app starts without it). Shutdown: lets background refreshes
 * finish (bounded by their request deadlines), then closes the Redis connections.
 */
@Injectable()
export class CacheLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly adapterHost: HttpAdapterHost,
    private readonly cache: CacheService,
    @Inject(CACHE_CONFIG) private readonly env: CacheEnv,
    @Inject(CACHE_STORE) private readonly store: CacheStore,
  ) {}

  async onModuleInit(): Promise<void> {
    const routes = this.routes();
    const findings = auditCachedRoutes(routes);
    for (const warning of findings.warnings) this.logger.warn(warning);
    if (findings.errors.length) {
      throw new Error(`Invalid @Cached routes (${findings.errors.length}):\n${findings.errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify && typeof fastify.addHook === 'function') installCacheReplyHook(fastify);
    else if (findings.cached.length) this.logger.warn('Not running on Fastify: cached routes get no ETag/304 handling');
    if (!this.env.CACHE_ENABLED) {
      this.logger.log('Caching disabled (CACHE_ENABLED=false): routes, section fallback and upstream HTTP cache pass through');
      return;
    }
    await this.store.ready(this.env.CACHE_REDIS_CONNECT_TIMEOUT_MS);
    const status = this.cache.status();
    this.logger.log(
      `Cache store: ${status.kind}${status.redis ? ` (redis ${status.redis})` : ''}; ${findings.cached.length} cached route(s)${findings.cached.length ? `: ${findings.cached.join(', ')}` : ''}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.race([this.cache.settled(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
    await this.store.close();
  }

  private routes(): AuditedRoute[] {
    const routes: AuditedRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller?.prototype) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        if (typeof handler === 'function') routes.push({ controller, handler: handler as AuditedRoute['handler'], name });
      }
    }
    return routes;
  }
}
