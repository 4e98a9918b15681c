import { Controller, Get, Injectable, Module, Param, Query, type OnModuleInit } from '@nestjs/common';

import { CurrentUser } from '@bff/auth';
import { CacheAdminModule, Cached, cacheEnv, CacheModule } from '@bff/cache';
import { AuthenticatorRegistry, CoreModule, defineApp, PlatformError, Protected, Public, type Identity } from '@bff/core';
import { CatalogApi, retailEnv, RetailModule, type RetailService } from '@bff/retail';
import { InjectUpstream, UpstreamClient, upstreamEnv, UpstreamModule, type UpstreamDefinition } from '@bff/upstream';

/**
 * A small test-only app exercising @bff/cache with short TTLs against the real sandbox, and real
 * authenticators (keyed by test headers) registered in core's AuthenticatorRegistry.
 */
const SERVICES: readonly RetailService[] = ['catalog', 'pricing'];

export const CACHE_TEST_APP = defineApp({
  name: 'cache-test',
  title: 'Cache test app',
  description: 'Test-only app for @bff/cache.',
  version: '0.0.0',
  defaultPort: 0,
  languages: ['en', 'de', 'fr'],
  env: [retailEnv(SERVICES), cacheEnv],
});

const header = (request: unknown, name: string): string | undefined => {
  const value = (request as { headers: Record<string, string | string[] | undefined> }).headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};
const unauthorized = () =>
  new PlatformError('unauthorized', 'MISSING_CREDENTIALS', 'no test credentials', { publicDetail: 'Authentication required.' });

/** 'test-user' (X-Test-User: <subject>), 'test-partner' (X-Test-Partner: <partnerId>), 'test-admin' (X-Test-Admin: <scopes>). */
@Injectable()
export class TestAuthenticators implements OnModuleInit {
  constructor(private readonly registry: AuthenticatorRegistry) {}

  onModuleInit(): void {
    this.registry.register('test-user', {
      authenticate: (request) => {
        const subject = header(request, 'x-test-user');
        if (!subject) return Promise.reject(unauthorized());
        return Promise.resolve({ strategy: 'test-user', subject, scopes: [], claims: {} } satisfies Identity);
      },
    });
    this.registry.register('test-partner', {
      authenticate: (request) => {
        const partnerId = header(request, 'x-test-partner');
        if (!partnerId) return Promise.reject(unauthorized());
        return Promise.resolve({
          strategy: 'test-partner',
          subject: partnerId,
          partnerId,
          scopes: ['catalog:read'],
          claims: {},
        } satisfies Identity);
      },
    });
    this.registry.register('test-admin', {
      authenticate: (request) => {
        const scopes = header(request, 'x-test-admin');
        if (!scopes) return Promise.reject(unauthorized());
        return Promise.resolve({ strategy: 'test-admin', subject: 'operator', scopes: scopes.split(' '), claims: {} } satisfies Identity);
      },
    });
  }
}

/** Counts handler runs, so tests can tell a computed response from a cached one. */
let computations = 0;

@Controller('t')
class CacheTestController {
  constructor(private readonly catalog: CatalogApi) {}

  @Get('products/:id')
  @Public('test route')
  @Cached({ ttl: 1, staleWhileRevalidate: 2, staleIfError: 4, tags: ['product:{id}'] })
  async product(@Param('id') id: string) {
    const product = await this.catalog.getProduct(id);
    return { id: product.id, name: product.name, computation: ++computations };
  }

  @Get('steady/:id')
  @Public('test route')
  @Cached({ ttl: 30, varyBy: ['accept-language'], tags: ['product:{id}'] })
  async steady(@Param('id') id: string) {
    const product = await this.catalog.getProduct(id);
    return { id: product.id, name: product.name, computation: ++computations };
  }

  @Get('anon/:id')
  @Public('test route: a caller-bound cache policy on a route without identity')
  @Cached({ scope: 'user', ttl: 30 })
  async anon(@Param('id') id: string) {
    const product = await this.catalog.getProduct(id);
    return { id: product.id, computation: ++computations };
  }

  @Get('me/products/:id')
  @Protected('test-user')
  @Cached({ scope: 'user', ttl: 30 })
  async mine(@Param('id') id: string, @CurrentUser() identity: Identity) {
    const product = await this.catalog.getProduct(id);
    return { owner: identity.subject, id: product.id, computation: ++computations };
  }

  @Get('shared-with-members/:id')
  @Protected('test-user')
  @Cached({ ttl: 30, sharedAcrossIdentities: true })
  async membersOnly(@Param('id') id: string) {
    const product = await this.catalog.getProduct(id);
    return { id: product.id, computation: ++computations };
  }

  @Get('partner/feed')
  @Protected('test-partner', ['catalog:read'])
  @Cached({ scope: 'partner', ttl: 30, query: ['limit'] })
  async feed(@Query('limit') limit: string | undefined, @CurrentUser() identity: Identity) {
    const page = await this.catalog.listProducts({ limit: Number(limit ?? 3) });
    return { partner: identity.partnerId, ids: page.items.map((p) => p.id), computation: ++computations };
  }
}

@Module({
  imports: [
    CoreModule.forRoot({ app: CACHE_TEST_APP }),
    RetailModule.forRoot(SERVICES),
    CacheModule.forRoot(),
    CacheAdminModule.register({ access: Protected('test-admin', ['cache:admin']) }),
  ],
  controllers: [CacheTestController],
  providers: [TestAuthenticators],
})
export class CacheTestAppModule {}

/** An app whose @Cached policy would leak one caller's response to others: its boot must fail. */
@Controller('leaky')
class LeakyController {
  @Get()
  @Protected('test-user')
  @Cached({ ttl: 5 })
  get(@CurrentUser() identity: Identity) {
    return { owner: identity.subject };
  }
}

@Module({
  imports: [CoreModule.forRoot({ app: CACHE_TEST_APP }), RetailModule.forRoot(SERVICES), CacheModule.forRoot()],
  controllers: [LeakyController],
  providers: [TestAuthenticators],
})
export class LeakyCacheAppModule {}

/** Upstreams opted in to HTTP caching, called through the real UpstreamClient. */
const HTTP_CACHED_UPSTREAMS: readonly UpstreamDefinition[] = [
  { name: 'catalog', httpCache: true },
  { name: 'inventory', httpCache: true },
  { name: 'customers', auth: 'relay', httpCache: true },
];

export const HTTP_CACHE_TEST_APP = defineApp({
  name: 'http-cache-test',
  title: 'Upstream HTTP cache test app',
  description: 'Test-only app for the upstream HTTP cache of @bff/cache.',
  version: '0.0.0',
  defaultPort: 0,
  env: [upstreamEnv(HTTP_CACHED_UPSTREAMS), cacheEnv],
});

@Controller('u')
class HttpCacheTestController {
  constructor(
    @InjectUpstream('catalog') private readonly catalog: UpstreamClient,
    @InjectUpstream('inventory') private readonly inventory: UpstreamClient,
    @InjectUpstream('customers') private readonly customers: UpstreamClient,
  ) {}

  @Get('products/:id')
  @Public('test route')
  product(@Param('id') id: string) {
    return this.catalog.getJson<unknown>(`/products/${encodeURIComponent(id)}`);
  }

  @Get('stock/:id')
  @Public('test route')
  stock(@Param('id') id: string) {
    return this.inventory.getJson<unknown>(`/stock/${encodeURIComponent(id)}`);
  }

  @Get('customers/:id')
  @Protected('test-user')
  customer(@Param('id') id: string) {
    return this.customers.getJson<unknown>(`/customers/${encodeURIComponent(id)}`);
  }

  @Get('anonymous-customers/:id')
  @Public('test route: a relay upstream called without a caller')
  anonymousCustomer(@Param('id') id: string) {
    return this.customers.getJson<unknown>(`/customers/${encodeURIComponent(id)}`);
  }
}

@Module({
  imports: [
    CoreModule.forRoot({ app: HTTP_CACHE_TEST_APP }),
    UpstreamModule.forRoot({ upstreams: HTTP_CACHED_UPSTREAMS }),
    CacheModule.forRoot(),
  ],
  controllers: [HttpCacheTestController],
  providers: [TestAuthenticators],
})
export class HttpCacheTestAppModule {}
