export { UpstreamModule } from './upstream.module.js';
export { UPSTREAM_MODULE_OPTIONS, type UpstreamModuleOptions } from './upstream.module-definition.js';
export { UpstreamClient, type UpstreamClientDeps } from './upstream.client.js';
export { UpstreamResilience, isUpstreamFault, type ResilienceSnapshot } from './resilience/resilience.js';
export { RESILIENCE_DEFAULTS } from './resilience/resilience.constants.js';
export { UndiciTransport } from './transport/undici.transport.js';
export { AxiosTransport } from './transport/axios.transport.js';
export { axiosHttpServices, createHttpService, createTransport, type HttpServiceFactory } from './transport/transport.factory.js';
export { UpstreamError, isUpstreamError, type UpstreamFailure, type UpstreamErrorInit } from './upstream.error.js';
export { InjectUpstream, InjectUpstreamHttp } from './upstream.decorators.js';
export {
  upstreamEnv,
  upstreamTransportVariable,
  upstreamUrlVariable,
  UPSTREAM_SETTINGS,
  UPSTREAM_TRANSPORT_VARIABLE,
  type UpstreamOverrides,
  type UpstreamSettings,
} from './upstream.env.js';
export {
  DEADLINE_HEADER,
  HOP_BY_HOP,
  UPSTREAM_RESPONSE_CACHE,
  UPSTREAM_TOKEN_SOURCE,
  upstreamHttpToken,
  upstreamToken,
} from './upstream.constants.js';
export type {
  BreakerPolicy,
  BulkheadPolicy,
  CacheableCall,
  RetryPolicy,
  TransportRequest,
  TransportResponse,
  UpstreamAuthMode,
  UpstreamDefinition,
  UpstreamMethod,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamResponseCache,
  UpstreamTokenSource,
  UpstreamTransport,
  UpstreamTransportKind,
} from './upstream.types.js';
export { Aggregator, AggregationPlan } from './aggregation/aggregator.js';
export { DEGRADED_HEADER, SECTION_FALLBACK, STALE_HEADER } from './aggregation/aggregation.constants.js';
export { failureReason, SectionTimeoutError } from './aggregation/failure-reason.js';
export { sectionHeaders, type SectionReport } from './aggregation/section-headers.js';
export type {
  AggregationResult,
  DegradedSection,
  SectionContext,
  SectionFallbackStore,
  SectionOptions,
} from './aggregation/aggregation.types.js';
