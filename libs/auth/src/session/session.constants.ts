/** Strategy name of the web session authenticator (`@Protected('session', [...])`). */
export const SESSION_STRATEGY = 'session';

/**
 * The static anti-CSRF header every session-authenticated and every state-changing request must
 * carry. A cross-site page cannot add it without a CORS preflight, which the allowlist refuses.
 */
export const CSRF_HEADER = 'x-csrf';
export const CSRF_HEADER_VALUE = '1';

/** Session cookie: opaque id, host-only (`__Host-`), HttpOnly, Secure, SameSite=Strict. */
export const SESSION_COOKIE = '__Host-bff-session';
/**
 * Prefix of the short-lived login cookies: one per pending login, `__Host-bff-login-<suffix>`, each
 * holding its sealed state, nonce, PKCE verifier and returnTo; SameSite=Lax.
 */
export const LOGIN_COOKIE = '__Host-bff-login';
/** Logins one browser may have in progress at once (tabs); starting one more drops the oldest. */
export const MAX_PENDING_LOGINS = 3;
/** Names used in the localhost-over-http dev mode (no Secure, hence no `__Host-` prefix). */
export const DEV_SESSION_COOKIE = 'bff-session';
export const DEV_LOGIN_COOKIE = 'bff-login';

/** Token of the SessionStore (memory or Redis). */
export const SESSION_STORE = Symbol('SESSION_STORE');

/** Strategy name of the platform team's session admin routes (bearer JWT with SESSION_ADMIN_AUDIENCE). */
export const SESSION_ADMIN_STRATEGY = 'session-admin';
/** Scope the session admin routes require. */
export const SESSION_ADMIN_SCOPE = 'sessions:admin';

/** Metadata key of @PublicServerToServer routes (exempt from the CSRF guard). */
export const SERVER_TO_SERVER = 'bff:server-to-server';
/** Fastify route-config flag of @AcceptsFormBody routes. */
export const FORM_BODY_ROUTE = 'bffFormBody';
/** Largest form body an @AcceptsFormBody route takes (a logout token is well under 2 KiB). */
export const FORM_BODY_LIMIT_BYTES = 16 * 1024;
