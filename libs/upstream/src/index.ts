/**
 * @bff/upstream: calling upstream services.
 * - Declaring: UpstreamModule, UpstreamDefinition, upstreamEnv (UPSTREAM_<NAME>_URL and overrides).
 * - Calling: InjectUpstream → UpstreamClient; UpstreamError / isUpstreamError for its failures.
 * - Aggregating: Aggregator (sections with budgets, optional ones degrade), SectionContext, DegradedSection, sectionHeaders (the
 *   X-Degraded-Sections / X-Stale-Sections a route puts on its reply).
 * - Transports: InjectUpstreamHttp (axios interceptors); createTransport, axiosHttpServices (a client built by hand).
 * - Idempotent operations: IdempotencyKey (param decorator: the validated header, 400 when missing/invalid),
 *   ApiIdempotencyKey (its OpenAPI), parseIdempotencyKey, IdempotencyStore (what a key answered; Redis or memory)
 *   with its env slice idempotencyEnv (IDEMPOTENCY_REDIS_PREFIX).
 * - Extension points other libs provide: UPSTREAM_TOKEN_SOURCE, UPSTREAM_RESPONSE_CACHE, SECTION_FALLBACK.
 */
export { UpstreamModule } from './upstream.module.js';
export { upstreamEnv } from './upstream.env.js';
export { UpstreamClient } from './upstream.client.js';
export { upstreamToken } from './upstream.constants.js';
export { InjectUpstream, InjectUpstreamHttp } from './upstream.decorators.js';
export { UpstreamError, isUpstreamError } from './upstream.error.js';
export { axiosHttpServices, createTransport, type HttpServiceFactory } from './transport/transport.factory.js';
export { UPSTREAM_RESPONSE_CACHE, UPSTREAM_TOKEN_SOURCE } from './upstream.constants.js';
export type {
  CacheableCall,
  ForwardRequest,
  ForwardResponse,
  TransportResponse,
  UpstreamDefinition,
  UpstreamResponseCache,
  UpstreamTokenSource,
  UpstreamTransportKind,
} from './upstream.types.js';
export { Aggregator } from './aggregation/aggregator.js';
export { SECTION_FALLBACK } from './aggregation/aggregation.constants.js';
export type { DegradedSection, SectionContext, SectionFallbackStore } from './aggregation/aggregation.types.js';
export { ApiSectionHeaders, sectionHeaders } from './aggregation/section-headers.js';
export { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_PATTERN, parseIdempotencyKey } from './idempotency/idempotency-key.js';
export { ApiIdempotencyKey, IdempotencyKey } from './idempotency/idempotency.decorators.js';
export { IdempotencyStore } from './idempotency/idempotency.store.js';
export { idempotencyEnv } from './idempotency/idempotency.env.js';
