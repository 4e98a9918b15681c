// Entry point of @bff/auth: per-client authentication strategies, CSRF, token relay and rate limits.
export { API_KEY_HEADER, API_KEY_STRATEGY, JWT_STRATEGY, RELAY_TOKEN_SLOT } from './auth.constants.js';
export { CurrentPartner, CurrentUser } from './auth.decorators.js';
// Bearer JWT (mobile-bff)
export { JwtAuthModule } from './jwt/jwt-auth.module.js';
export { JWT_AUTH_OPTIONS, type JwtAuthModuleOptions } from './jwt/jwt-auth.module-definition.js';
export { ASYMMETRIC_ALGORITHMS, JwtAuthEnv, jwtAuthEnv, type AsymmetricAlgorithm } from './jwt/jwt-auth.env.js';
export { InvalidTokenError, JwtVerifier, type JwtVerifierOptions, type VerifiedToken } from './jwt/jwt-verifier.js';
// Partner API keys (partner-bff)
export { ApiKeyAuthModule } from './api-key/api-key-auth.module.js';
export { API_KEY_AUTH_OPTIONS, type ApiKeyAuthModuleOptions } from './api-key/api-key-auth.module-definition.js';
export { ApiKeyAuthEnv, apiKeyAuthEnv } from './api-key/api-key-auth.env.js';
export { API_KEY_PATTERN, apiKeyId, generateApiKey, hashApiKey, type GeneratedApiKey } from './api-key/api-key.format.js';
export { parsePartnerKeys, type PartnerKeyRecord } from './api-key/partner-keys.js';
// Rate limits
export { RateLimitModule } from './rate-limit/rate-limit.module.js';
export { RateLimitEnv, rateLimitEnv } from './rate-limit/rate-limit.env.js';
export { RateLimitGuard } from './rate-limit/rate-limit.guard.js';
export { AuthFailureLimiter } from './rate-limit/auth-failure.limiter.js';
export { RATE_LIMIT_STORE } from './rate-limit/rate-limit.constants.js';
export { MemoryRateLimitStore, RedisRateLimitStore, type RateLimitRecord, type RateLimitStore } from './rate-limit/rate-limit.store.js';
// Token relay and client credentials (UpstreamTokenSource)
export { UpstreamAuthModule } from './upstream-auth/upstream-auth.module.js';
export { UPSTREAM_AUTH_OPTIONS, type UpstreamAuthModuleOptions } from './upstream-auth/upstream-auth.module-definition.js';
export { ClientCredentialsEnv, clientCredentialsEnv } from './upstream-auth/client-credentials.env.js';
export {
  ClientCredentialsError,
  ClientCredentialsTokens,
  type ClientCredentialsOptions,
  type TokenRequest,
} from './upstream-auth/client-credentials.js';
export { AuthUpstreamTokenSource } from './upstream-auth/upstream-token.source.js';
// OIDC discovery (shared with the session strategy)
export { DiscoveryCache, IssuerUnavailableError, discoveryUrl, fetchDiscovery, type DiscoveryDocument } from './oidc/discovery.js';
// Browser sessions: OIDC token handler (web-bff)
export { SessionAuthModule } from './session/session.module.js';
export { SESSION_AUTH_OPTIONS, type SessionAuthModuleOptions } from './session/session.module-definition.js';
export { SessionAuthEnv, sessionAuthEnv } from './session/session.env.js';
export { CSRF_HEADER, CSRF_HEADER_VALUE, SESSION_COOKIE, SESSION_STRATEGY } from './session/session.constants.js';
export { SessionProtected } from './session/session.decorators.js';
export { LoginFlow, type AuthRedirect, type LogoutResult } from './session/login-flow.service.js';
export { sessionUserOf, type SessionUser } from './session/session-record.js';
export { safeReturnTo, RETURN_TO_MAX_LENGTH } from './session/return-to.js';
