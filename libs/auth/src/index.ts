/**
 * @bff/auth: authentication per client type, each a strategy for core's @Protected(strategy, scopes).
 * - Bearer JWT (mobile-bff): JwtAuthModule, jwtAuthEnv, JWT_STRATEGY; DPoP-bound tokens (RFC 9449), ApiDpopProof.
 * - Partner API keys (partner-bff): ApiKeyAuthModule, apiKeyAuthEnv, API_KEY_STRATEGY.
 * - Browser sessions, OIDC token handler (web-bff): SessionAuthModule, sessionAuthEnv, LoginFlow, SessionProtected, sessionUserOf;
 *   back-channel logout (BackchannelLogout, PublicServerToServer, AcceptsFormBody) and session admin (SessionDirectory, SESSION_ADMIN_STRATEGY).
 * - Rate limits: RateLimitModule, rateLimitEnv, LoginRateLimit (the sign-in budget), partnerQuotaEnv (partner daily quota). The caller in a handler: CurrentUser.
 * - Tokens for upstreams: UpstreamAuthModule (relay, token exchange, client credentials), ClientCredentialsTokens and
 *   TokenExchange (RFC 8693, with tokenExchangeEnv) for other calls.
 */
export { API_KEY_STRATEGY, JWT_STRATEGY } from './auth.constants.js';
export { CurrentUser } from './auth.decorators.js';
// Bearer JWT (mobile-bff)
export { JwtAuthModule } from './jwt/jwt-auth.module.js';
export { jwtAuthEnv } from './jwt/jwt-auth.env.js';
export { ApiDpopProof } from './jwt/dpop.decorators.js';
// Partner API keys (partner-bff)
export { ApiKeyAuthModule } from './api-key/api-key-auth.module.js';
export { apiKeyAuthEnv } from './api-key/api-key-auth.env.js';
// Rate limits
export { RateLimitModule } from './rate-limit/rate-limit.module.js';
export { rateLimitEnv } from './rate-limit/rate-limit.env.js';
export { LoginRateLimit } from './rate-limit/rate-limit.decorators.js';
export { partnerQuotaEnv } from './quota/partner-quota.env.js';
// Token relay and client credentials (UpstreamTokenSource)
export { UpstreamAuthModule } from './upstream-auth/upstream-auth.module.js';
export { clientCredentialsEnv } from './upstream-auth/client-credentials.env.js';
export { ClientCredentialsError, ClientCredentialsTokens } from './upstream-auth/client-credentials.js';
export { tokenExchangeEnv } from './token-exchange/token-exchange.env.js';
export { TokenExchange, TokenExchangeError, type TokenExchangeOptions } from './token-exchange/token-exchange.js';
// Browser sessions: OIDC token handler (web-bff)
export { SessionAuthModule } from './session/session.module.js';
export { sessionAuthEnv } from './session/session.env.js';
export { SESSION_ADMIN_SCOPE, SESSION_ADMIN_STRATEGY, SESSION_COOKIE, SESSION_STRATEGY } from './session/session.constants.js';
export { AcceptsFormBody, PublicServerToServer, SessionAdminProtected, SessionProtected } from './session/session.decorators.js';
export { BackchannelLogout, LOGOUT_MEDIA_TYPE, type BackchannelLogoutResult } from './session/backchannel-logout.service.js';
export { SessionDirectory, type SessionSummary } from './session/session-directory.js';
export { HANDLE_PATTERN } from './session/session-record.js';
export { LoginFlow, type AuthRedirect, type LogoutResult } from './session/login-flow.service.js';
export { sessionUserOf, type SessionUser } from './session/session-record.js';
export { RETURN_TO_MAX_LENGTH } from './session/return-to.js';
