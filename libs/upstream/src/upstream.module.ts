import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { UpstreamClient } from './upstream.client.js';
import { upstreamToken } from './upstream.constants.js';
import { UPSTREAM_URLS } from './upstream.env.js';
import { UpstreamLifecycle } from './upstream.lifecycle.js';
import { UpstreamConfigurableModule, type UPSTREAM_OPTIONS_TYPE } from './upstream.module-definition.js';
import { Aggregator } from './aggregation/aggregator.js';

/**
 * Declares the app's upstreams once. Each becomes an injectable UpstreamClient
 * (`@InjectUpstream('catalog')`) with its own pool, timeout and readiness probe. The URLs come
 * from `UPSTREAM_<NAME>_URL`, validated with the rest of the config (see `upstreamEnv`).
 */
@Module({})
export class UpstreamModule extends UpstreamConfigurableModule {
  static forRoot(options: typeof UPSTREAM_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    const clients: Provider[] = options.upstreams.map((definition) => ({
      provide: upstreamToken(definition.name),
      useFactory: (urls: ReadonlyMap<string, string>) => {
        const url = urls.get(definition.name);
        if (!url) throw new Error(`Upstream '${definition.name}' has no URL; add upstreamEnv() to the app definition`);
        return new UpstreamClient(definition, url);
      },
      inject: [UPSTREAM_URLS],
    }));
    return {
      ...base,
      global: true,
      providers: [...(base.providers ?? []), ...clients, UpstreamLifecycle, Aggregator],
      exports: [...clients.map((c) => (c as { provide: string }).provide), Aggregator],
    };
  }
}
