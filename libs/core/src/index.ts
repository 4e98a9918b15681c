/**
 * @bff/core: what every app is built on.
 * - Boot: defineApp, runApp (main.ts), createPlatformApp (in process, with an explicit env), CoreModule.
 * - Config: envClass / EnvSchema (a lib's typed env slice), CoreEnv; validateEnvironment / ConfigValidationError
 *   (an app's config checked outside the app, e.g. by the Kubernetes manifest check).
 * - Access: Public, Protected, AuthenticatorRegistry / Authenticator, Identity, identityOf.
 * - Errors and OpenAPI: PlatformError, ApiProblemResponses, Deprecated (route/field due to go: Deprecation, Sunset, Link), the shared DTOs (IdListDto, ProductIdParams, DegradedSectionDto, DegradedSectionOf: the section names a response can report, as an enum).
 * - Redis: redisTopologyOf (REDIS_MODE and friends), createRedisClient (standalone, Sentinel, Cluster), isRedisCluster, redisMasters.
 * - Tracing (OpenTelemetry, on when OTEL_EXPORTER_OTLP_*ENDPOINT is set): Tracing (spans at the libs' seams), TraceSpan,
 *   TracingOptions (createPlatformApp's span-exporter override for tests).
 * - For the other libs: RequestContext, untilAborted (a waiter's signal ends its wait, not the shared promise), HealthRegistry, MetricsService / BoundChildren (the app's Prometheus registry), route metadata (ROUTE_ACCESS; declaredRouteOf and controllerPathOf,
 *   the one fenced read of Nest internals) and the request-id header.
 */
export { defineApp, type AppDefinition } from './app-definition.js';
export { createPlatformApp, runApp } from './bootstrap/bootstrap.js';
export { CoreModule } from './core.module.js';
export { CORE_MODULE_OPTIONS, type CoreModuleOptions } from './core.module-definition.js';
export { DEFAULT_PROBLEM_TYPE_BASE, PROBLEM_TYPE_BASE, REQUEST_ID_HEADER, problemTypeBase } from './core.constants.js';
export { CoreEnv } from './config/core.env.js';
export { ConfigValidationError, envClass, validateEnvironment, type EnvSchema } from './config/env-schema.js';
export { PlatformError, isPlatformError, type ErrorKind } from './errors/platform-error.js';
export { PROBLEM_TYPES, isProblemCode, problemSlug, type ProblemCode, type ProblemTypeInfo } from './errors/problem-types.js';
export { RequestContext, type RequestContextData } from './request-context/request-context.js';
export { untilAborted } from './async/until-aborted.js';
export { negotiateLanguage, parseAcceptLanguage, type LanguageRange } from './language/language.js';
export { ApiLanguageHeaders, setLanguageHeaders } from './language/language.decorators.js';
export { Tracing, type TraceSpan, type TraceSpanKind } from './tracing/tracing.js';
export type { TracingOptions } from './tracing/tracing.provider.js';
export { HealthRegistry } from './health/health.registry.js';
export { BoundChildren, MetricsService } from './metrics/metrics.service.js';
export { Public, Protected } from './access/access.decorators.js';
export { ROUTE_ACCESS } from './access/access.constants.js';
export { AuthenticatorRegistry } from './access/authenticator.registry.js';
export { identityOf, IDENTITY_SLOT } from './access/identity.js';
export type { Authenticator, Identity, RouteAccess } from './access/access.types.js';
export { ApiProblemResponses } from './openapi/api-problems.decorator.js';
export {
  addHeader,
  addHeaderParameter,
  addProblemResponse,
  ApiSuccessHeaders,
  isSuccess,
  operationsOf,
  type DocumentContribution,
  type HeaderSpec,
  type OperationObject,
} from './openapi/document-contract.js';
export { Deprecated } from './versioning/deprecation.decorators.js';
export { deprecationOf, type Deprecation, type DeprecationOptions } from './versioning/deprecation.js';
export { DegradedSectionDto } from './openapi/problem.dto.js';
export { DegradedSectionOf, type DegradedSectionOfOptions } from './openapi/degraded-section.dto.js';
export { IdListDto } from './openapi/id-list.dto.js';
export { ProductIdParams } from './openapi/product-id.dto.js';
export { RESOURCE_ID_PATTERN } from './openapi/resource-id.js';
export { controllerPathOf, declaredRouteOf } from './framework/nest-internals.js';
export {
  createRedisClient,
  isRedisCluster,
  redisMasters,
  redisTopologyOf,
  type RedisClient,
  type RedisClientOptions,
  type RedisMode,
  type RedisTopology,
} from './redis/redis-connection.js';
