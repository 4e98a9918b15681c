/**
 * Request-context slot holding the caller's access token once a strategy has verified it (the
 * web session's access token, or the mobile bearer token). The upstream token source reads it for
 * upstreams declared with auth 'relay'. Never logged, never put on the Identity.
 */
export const RELAY_TOKEN_SLOT: unique symbol = Symbol('bff:relay-token');

/** Strategy name of the bearer-JWT authenticator (`@Protected('jwt', [...])`). */
export const JWT_STRATEGY = 'jwt';

/** Strategy name of the partner API-key authenticator (`@Protected('api-key', [...])`). */
export const API_KEY_STRATEGY = 'api-key';

/** Header carrying a partner API key. */
export const API_KEY_HEADER = 'x-api-key';
