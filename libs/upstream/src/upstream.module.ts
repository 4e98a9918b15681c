import type { HttpService } from '@nestjs/axios';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';

import { Aggregator } from './aggregation/aggregator.js';
import { createHttpService, createTransport } from './transport/transport.factory.js';
import { UpstreamClient } from './upstream.client.js';
import { UPSTREAM_RESPONSE_CACHE, UPSTREAM_TOKEN_SOURCE, upstreamHttpToken, upstreamToken } from './upstream.constants.js';
import { UPSTREAM_SETTINGS, type UpstreamSettings } from './upstream.env.js';
import { UpstreamLifecycle } from './upstream.lifecycle.js';
import { UpstreamMetrics } from './upstream.metrics.js';
import { UpstreamConfigurableModule, type UPSTREAM_OPTIONS_TYPE } from './upstream.module-definition.js';
import type { UpstreamDefinition, UpstreamResponseCache, UpstreamTokenSource, UpstreamTransportKind } from './upstream.types.js';

/**
 * Declares the app's upstreams once. Each becomes an injectable UpstreamClient
 * (`@InjectUpstream('catalog')`) with its own transport, resilience pipeline, timeout and readiness
 * probe. The URLs come from `UPSTREAM_<NAME>_URL`, validated with the rest of the config (see
 * `upstreamEnv`). An upstream on the axios transport also has its @nestjs/axios HttpService
 * injectable (`@InjectUpstreamHttp('name')`), so teams can register interceptors on it; on the
 * undici transport that token resolves to null, and axios is never loaded.
 */
@Module({})
export class UpstreamModule extends UpstreamConfigurableModule {
  static forRoot(options: typeof UPSTREAM_OPTIONS_TYPE): DynamicModule {
    const base = super.forRoot(options);
    const httpServices: Provider[] = options.upstreams.map((declared) => ({
      provide: upstreamHttpToken(declared.name),
      useFactory: async (settings: UpstreamSettings): Promise<HttpService | null> => {
        const definition = withOverrides(declared, settings);
        return transportOf(settings, definition) === 'axios' ? createHttpService(definition, urlOf(settings, definition)) : null;
      },
      inject: [UPSTREAM_SETTINGS],
    }));
    const clients: Provider[] = options.upstreams.map((declared) => ({
      provide: upstreamToken(declared.name),
      useFactory: (
        settings: UpstreamSettings,
        http: HttpService | null,
        metrics: UpstreamMetrics,
        tokens?: UpstreamTokenSource,
        cache?: UpstreamResponseCache,
      ) => {
        const definition = withOverrides(declared, settings);
        const url = urlOf(settings, definition);
        return new UpstreamClient(definition, url, {
          transport: createTransport(transportOf(settings, definition), definition, url, http ?? undefined),
          tokens,
          cache,
          metrics,
        });
      },
      inject: [
        UPSTREAM_SETTINGS,
        upstreamHttpToken(declared.name),
        UpstreamMetrics,
        { token: UPSTREAM_TOKEN_SOURCE, optional: true },
        { token: UPSTREAM_RESPONSE_CACHE, optional: true },
      ],
    }));
    const tokens = [...clients, ...httpServices].map((c) => (c as { provide: string }).provide);
    return {
      ...base,
      global: true,
      providers: [...(base.providers ?? []), ...httpServices, ...clients, UpstreamLifecycle, UpstreamMetrics, Aggregator],
      exports: [...tokens, Aggregator],
    };
  }
}

/** The environment may switch an upstream's transport (UPSTREAM_<NAME>_TRANSPORT) without a code change. */
function transportOf(settings: UpstreamSettings, definition: UpstreamDefinition): UpstreamTransportKind {
  return settings.transports.get(definition.name) ?? definition.transport ?? 'undici';
}

/** The declaration with the environment's capacity overrides applied. */
function withOverrides(definition: UpstreamDefinition, settings: UpstreamSettings): UpstreamDefinition {
  const overrides = settings.overrides.get(definition.name);
  if (!overrides) return definition;
  return {
    ...definition,
    timeoutMs: overrides.timeoutMs ?? definition.timeoutMs,
    connections: overrides.connections ?? definition.connections,
    bulkhead: {
      ...definition.bulkhead,
      maxConcurrent: overrides.maxConcurrent ?? definition.bulkhead?.maxConcurrent,
      maxQueue: overrides.maxQueue ?? definition.bulkhead?.maxQueue,
    },
  };
}

function urlOf(settings: UpstreamSettings, definition: UpstreamDefinition): string {
  const url = settings.urls.get(definition.name);
  if (!url) throw new Error(`Upstream '${definition.name}' has no URL; add upstreamEnv() to the app definition`);
  return url;
}
