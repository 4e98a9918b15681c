/**
 * The one catalogue of problem types the platform can emit. `PlatformError` only accepts a code listed
 * here (its `code` is a `ProblemCode`), so the compiler refuses a type without an entry; the docs portal
 * renders one page per entry at `<PROBLEM_TYPE_BASE><slug>`.
 */
export interface ProblemTypeInfo {
  /** The HTTP status the problem is sent with. */
  readonly status: number;
  /** Short, stable summary of the problem type. */
  readonly title: string;
  /** What happened, in client terms. */
  readonly meaning: string;
  /** What the client should do about it. */
  readonly action: string;
}

export const PROBLEM_TYPES = {
  // Request shape and transport
  VALIDATION_FAILED: {
    status: 400,
    title: 'Validation failed',
    meaning:
      'One or more fields of the path, query, headers or body break a documented constraint. `errors` lists each field, where it came from and the constraint it broke.',
    action: 'Fix the listed fields and send the request again; do not retry unchanged.',
  },
  MALFORMED_JSON: {
    status: 400,
    title: 'Malformed JSON',
    meaning: "The body is not valid JSON, or it declares 'application/json' and is empty.",
    action: 'Send a well-formed JSON body.',
  },
  JSON_TOO_DEEP: {
    status: 400,
    title: 'JSON nested too deeply',
    meaning: 'The JSON body nests objects and arrays deeper than the configured limit (JSON_MAX_DEPTH).',
    action: 'Flatten the body; no operation needs that depth.',
  },
  JSON_TOO_MANY_KEYS: {
    status: 400,
    title: 'JSON has too many keys',
    meaning: 'The JSON body has more object keys in all than the configured limit (JSON_MAX_KEYS).',
    action: 'Send a smaller body, splitting bulk requests if needed.',
  },
  DUPLICATE_PARAMETER: {
    status: 400,
    title: 'Duplicate form parameter',
    meaning: 'A form-encoded body repeats a parameter.',
    action: 'Send each parameter once.',
  },
  INVALID_CONTENT_LENGTH: {
    status: 400,
    title: 'Invalid Content-Length',
    meaning: 'The Content-Length header does not match the body.',
    action: 'Fix the HTTP client or proxy that framed the request.',
  },
  BAD_URL: {
    status: 400,
    title: 'Bad URL',
    meaning: 'The request path is not a valid URL (malformed percent-encoding). The URL is not echoed; `instance` names the request.',
    action: 'Percent-encode the path correctly.',
  },
  MALFORMED_REQUEST: {
    status: 400,
    title: 'Malformed request',
    meaning: 'The request is not valid HTTP/1.1 (request line, header syntax or framing). The connection is closed.',
    action: 'Fix the HTTP client or proxy; open a new connection.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request timeout',
    meaning: 'The request headers or body were not received in time. The connection is closed.',
    action: 'Send the whole request promptly on a new connection.',
  },
  URI_TOO_LONG: {
    status: 414,
    title: 'URI too long',
    meaning: 'A path segment is longer than 100 characters.',
    action: 'Use the identifiers the API hands out; they are short.',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    title: 'Request headers too large',
    meaning: "The request headers exceed Node's 16 KB limit. The connection is closed.",
    action: 'Send fewer or smaller headers (often: stale cookies).',
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    meaning: 'The request body exceeds the limit of the route (BODY_LIMIT_BYTES, or the remote API limit).',
    action: 'Send a smaller body.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    title: 'Unsupported media type',
    meaning: 'The Content-Type of the body is not one the route accepts (JSON routes take application/json only).',
    action: 'Send the body with the documented media type.',
  },
  ROUTE_NOT_FOUND: {
    status: 404,
    title: 'Route not found',
    meaning: 'No route matches the method and path (or the route is disabled in this deployment).',
    action: 'Check the method and path against the API reference.',
  },
  NOT_FOUND: {
    status: 404,
    title: 'Not found',
    meaning: 'The resource the request is about does not exist, or is not yours to see.',
    action: 'Do not retry; refresh what referred to it.',
  },
  INVALID_CURSOR: {
    status: 400,
    title: 'Invalid cursor',
    meaning: 'The paging cursor is malformed, expired or belongs to another query.',
    action: 'Restart paging from the first page (no cursor).',
  },
  INVALID_REMOTE_PATH: {
    status: 400,
    title: 'Invalid remote API path',
    meaning: 'The remote API path is not a plain path (dot segments, empty segments, encoded separators or control characters).',
    action: 'Send a plain path.',
  },
  REMOTE_API_NOT_ALLOWED: {
    status: 404,
    title: 'Remote API not allowed',
    meaning: 'The remote API, method or path is not on the allowlist of this BFF.',
    action: 'Use only the remote APIs the web-bff documents; ask the platform team to allowlist a new one.',
  },
  // Authentication and access
  MISSING_CREDENTIALS: {
    status: 401,
    title: 'Missing credentials',
    meaning: 'The route needs credentials (bearer token, DPoP proof or API key) and none were sent.',
    action: "Send the credentials the route's auth section names.",
  },
  INVALID_TOKEN: {
    status: 401,
    title: 'Invalid token',
    meaning: 'The bearer access token is invalid, expired, for another audience or revoked.',
    action: 'Obtain a fresh access token (refresh or sign in again), then retry.',
  },
  INVALID_DPOP_PROOF: {
    status: 401,
    title: 'Invalid DPoP proof',
    meaning: 'The DPoP proof is missing, invalid, reused or does not match this request (method, URL, token, key).',
    action: 'Create a new proof for this exact request with the key the token is bound to.',
  },
  TOKEN_EXCHANGE_REFUSED: {
    status: 401,
    title: 'Token exchange refused',
    meaning:
      'The identity provider refused to exchange the access token for one the upstream accepts (RFC 8693): the token was revoked, expired or lacks the scopes the operation needs.',
    action: 'Obtain a fresh access token (refresh or sign in again), then retry.',
  },
  INVALID_API_KEY: {
    status: 401,
    title: 'Invalid API key',
    meaning: 'The X-Api-Key is unknown, expired or revoked.',
    action: 'Use a current key; ask the platform team to issue one.',
  },
  SESSION_REQUIRED: {
    status: 401,
    title: 'Session required',
    meaning: 'The route needs a signed-in session and the request carries no session cookie.',
    action: 'Sign in (GET /auth/login), then retry.',
  },
  SESSION_EXPIRED: {
    status: 401,
    title: 'Session expired',
    meaning: 'The session ended (idle or absolute timeout, logout, revocation or a refused refresh). Its cookie is cleared.',
    action: 'Sign in again.',
  },
  LOGIN_STATE_MISSING: {
    status: 400,
    title: 'Login state missing',
    meaning: 'The sign-in callback arrived without the login cookie set when the sign-in started.',
    action: 'Start the sign-in again from /auth/login in the same browser.',
  },
  LOGIN_STATE_MISMATCH: {
    status: 400,
    title: 'Login state mismatch',
    meaning: 'The `state` returned by the identity provider does not match a pending sign-in.',
    action: 'Start the sign-in again.',
  },
  LOGIN_STATE_INVALID: {
    status: 400,
    title: 'Login state invalid',
    meaning: 'The login state cookie does not open (tampered, forged or sealed with another key).',
    action: 'Start the sign-in again.',
  },
  LOGIN_EXPIRED: {
    status: 400,
    title: 'Login expired',
    meaning: 'The sign-in took longer than its allowed time.',
    action: 'Start the sign-in again.',
  },
  LOGIN_FAILED: {
    status: 400,
    title: 'Login failed',
    meaning: 'The identity provider refused the sign-in or the code exchange failed; `reason` says which.',
    action: 'Start the sign-in again; if it keeps failing, contact support.',
  },
  INVALID_RETURN_TO: {
    status: 400,
    title: 'Invalid returnTo',
    meaning: '`returnTo` is neither a path on this site nor a URL on an allowed origin.',
    action: 'Pass a same-site path such as /account.',
  },
  INVALID_LOGOUT_TOKEN: {
    status: 400,
    title: 'Invalid logout token',
    meaning: 'The back-channel logout_token is missing, invalid, expired or already used.',
    action: 'Identity provider only: send a fresh, signed logout token.',
  },
  CSRF_HEADER_REQUIRED: {
    status: 403,
    title: 'CSRF header required',
    meaning: 'A session request lacks the `X-CSRF: 1` header.',
    action: 'Send `X-CSRF: 1` on every API call made with the session cookie.',
  },
  CSRF_ORIGIN_REFUSED: {
    status: 403,
    title: 'Origin refused',
    meaning: 'The request comes from an origin that may not use the session.',
    action: 'Call the API from an allowed origin.',
  },
  INSUFFICIENT_SCOPE: {
    status: 403,
    title: 'Insufficient scope',
    meaning: 'The credentials are valid but lack a scope the operation requires; `requiredScopes` lists them.',
    action: 'Obtain credentials with the listed scopes.',
  },
  ACCESS_UNDECLARED: {
    status: 403,
    title: 'Access undeclared',
    meaning: 'The route declares no access decision, so it is denied by default.',
    action: 'Report it to the platform team: it is a defect of the BFF.',
  },
  PARTNER_ACCOUNT_MISSING: {
    status: 403,
    title: 'Partner account missing',
    meaning: 'The partner registration has no customer account, so it has no orders.',
    action: 'Contact the platform team to link an account.',
  },
  PARTNER_ACCOUNT_UNKNOWN: {
    status: 403,
    title: 'Partner account unknown',
    meaning: 'The customer account of the partner registration does not exist, so no order can be placed.',
    action: 'Contact the platform team.',
  },
  RATE_LIMITED: {
    status: 429,
    title: 'Rate limited',
    meaning: 'The caller exceeded a rate limit of the route.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  TOO_MANY_AUTH_FAILURES: {
    status: 429,
    title: 'Too many authentication failures',
    meaning: 'Too many failed authentication attempts came from this address; it is blocked for a while.',
    action: 'Wait `Retry-After` seconds and fix the credentials before retrying.',
  },
  QUOTA_EXCEEDED: {
    status: 429,
    title: 'Quota exceeded',
    meaning: 'The partner used up its daily request quota; it resets at the next UTC midnight.',
    action: 'Wait `Retry-After` seconds, or ask for a larger quota.',
  },
  // Business rules
  SESSION_NOT_FOUND: {
    status: 404,
    title: 'Session not found',
    meaning: 'No live session has this handle (session administration).',
    action: 'List the sessions again; it may have ended.',
  },
  ITEM_NOT_IN_CART: {
    status: 404,
    title: 'Item not in cart',
    meaning: 'The product is not in the cart.',
    action: 'Reload the cart.',
  },
  CART_CHANGED: {
    status: 409,
    title: 'Cart changed',
    meaning: 'The cart changed in the meantime (another tab or device).',
    action: 'Reload the cart and review it before checking out.',
  },
  CART_EMPTY: {
    status: 422,
    title: 'Cart empty',
    meaning: 'Checkout of an empty cart.',
    action: 'Add products before checking out.',
  },
  UNKNOWN_PRODUCT: {
    status: 422,
    title: 'Unknown product',
    meaning: 'A product of the order does not exist; `errors` names the order line.',
    action: 'Remove or replace the line.',
  },
  UNKNOWN_CUSTOMER: {
    status: 422,
    title: 'Unknown customer',
    meaning: 'The customer of the order does not exist.',
    action: 'Sign in again; contact support if it persists.',
  },
  PRODUCT_NOT_PURCHASABLE: {
    status: 422,
    title: 'Product not purchasable',
    meaning: 'A product of the order has no price and cannot be ordered; `errors` names the order line.',
    action: 'Remove the line.',
  },
  IDEMPOTENCY_KEY_MISSING: {
    status: 400,
    title: 'Idempotency-Key missing',
    meaning: 'The operation needs an Idempotency-Key header and none (or a blank one) was sent.',
    action: 'Send a key unique to this order (e.g. a UUID), and the same key when you repeat the request.',
  },
  IDEMPOTENCY_KEY_INVALID: {
    status: 400,
    title: 'Idempotency-Key invalid',
    meaning: "The Idempotency-Key is not 8-128 letters, digits, '-', '_', '.' or ':' (or the header is repeated).",
    action: 'Send one well-formed key.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency-Key reused',
    meaning: 'The Idempotency-Key was already used for an order with other contents.',
    action: 'Use a new key for a new order.',
  },
  // Availability and upstreams
  UPSTREAM_ERROR: {
    status: 502,
    title: 'Upstream error',
    meaning: 'An upstream service answered with an error.',
    action: 'Retry later; report it with the requestId if it persists.',
  },
  UPSTREAM_MALFORMED_RESPONSE: {
    status: 502,
    title: 'Upstream malformed response',
    meaning: 'An upstream service sent an invalid response.',
    action: 'Retry later; report it with the requestId if it persists.',
  },
  UPSTREAM_RESPONSE_TOO_LARGE: {
    status: 502,
    title: 'Upstream response too large',
    meaning: 'An upstream service sent a response larger than allowed.',
    action: 'Report it with the requestId.',
  },
  UPSTREAM_CONNECTION_RESET: {
    status: 502,
    title: 'Upstream connection reset',
    meaning: 'An upstream service closed the connection unexpectedly.',
    action: 'Retry; for orders, repeat with the same Idempotency-Key.',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    title: 'Upstream unavailable',
    meaning: 'An upstream service refused the connection or answered 503.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  TOKEN_EXCHANGE_UNAVAILABLE: {
    status: 503,
    title: 'Token exchange unavailable',
    meaning:
      'The operation needs the access token exchanged for an upstream audience (RFC 8693) and the identity provider could not be reached, failed, or exchange is not configured for this app.',
    action: 'Wait `Retry-After` seconds, then retry; if it persists, report the request id.',
  },
  UPSTREAM_CREDENTIALS_UNAVAILABLE: {
    status: 503,
    title: 'Upstream credentials unavailable',
    meaning: 'The BFF could not obtain a token to call an upstream service.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  UPSTREAM_CIRCUIT_OPEN: {
    status: 503,
    title: 'Upstream circuit open',
    meaning: 'An upstream service failed repeatedly; calls to it are paused until a probe succeeds.',
    action: 'Wait `Retry-After` seconds (the time until the probe), then retry.',
  },
  UPSTREAM_OVERLOADED: {
    status: 503,
    title: 'Upstream overloaded',
    meaning: 'The concurrency limit for an upstream service and its queue are full.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    title: 'Upstream timeout',
    meaning: 'An upstream service did not answer in time.',
    action: 'Retry; for orders, repeat with the same Idempotency-Key.',
  },
  UPSTREAM_ABORTED: {
    status: 504,
    title: 'Upstream call aborted',
    meaning: 'An upstream call was cancelled before it completed.',
    action: 'Retry; for orders, repeat with the same Idempotency-Key.',
  },
  SECTION_TIMEOUT: {
    status: 504,
    title: 'Section timeout',
    meaning: 'A required part of the response did not arrive within its budget.',
    action: 'Retry.',
  },
  DEADLINE_EXCEEDED: {
    status: 504,
    title: 'Deadline exceeded',
    meaning: 'The request ran out of time (REQUEST_DEADLINE_MS) before an upstream call could complete.',
    action: 'Retry.',
  },
  AUTH_PROVIDER_UNAVAILABLE: {
    status: 503,
    title: 'Identity provider unavailable',
    meaning: 'The identity provider (or its signing keys) cannot be reached, so credentials cannot be verified or issued.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  AUTH_BACKEND_UNAVAILABLE: {
    status: 503,
    title: 'Authentication backend unavailable',
    meaning: 'A store that authentication needs (partner keys, DPoP replay cache) is unavailable.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  SESSION_STORE_UNAVAILABLE: {
    status: 503,
    title: 'Session store unavailable',
    meaning: 'The session store (Redis) is unavailable; this is never treated as "no session".',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  SESSION_REFRESH_TIMEOUT: {
    status: 503,
    title: 'Session refresh timeout',
    meaning: 'Another instance is renewing the session tokens and did not finish in time.',
    action: 'Wait `Retry-After` seconds, then retry.',
  },
  IDEMPOTENCY_STORE_UNAVAILABLE: {
    status: 503,
    title: 'Idempotency store unavailable',
    meaning: 'The order cannot be placed safely right now (the idempotency store is unreachable).',
    action: 'Retry with the same Idempotency-Key.',
  },
  CACHE_UNAVAILABLE: {
    status: 503,
    title: 'Cache unavailable',
    meaning: 'The shared cache could not be reached during an invalidation; only this instance was invalidated.',
    action: 'Retry the invalidation.',
  },
  DRAINING: {
    status: 503,
    title: 'Draining',
    meaning: 'This instance is shutting down (readiness probe).',
    action: 'Load balancers: stop routing to it. Clients: retry; another instance answers.',
  },
  // Server faults: the detail is generic, the requestId finds the log line.
  INTERNAL: {
    status: 500,
    title: 'Internal error',
    meaning: 'Something unexpected failed in the BFF. The detail is generic; the cause is logged with the requestId.',
    action: 'Report it with the requestId.',
  },
  IDENTITY_UNAVAILABLE: {
    status: 500,
    title: 'Identity unavailable',
    meaning: 'A handler asked for the caller identity on a route that resolves none: a defect of the BFF.',
    action: 'Report it with the requestId.',
  },
  AUTH_STRATEGY_MISSING: {
    status: 500,
    title: 'Auth strategy missing',
    meaning: 'The route names an authentication strategy this app does not register: a defect of the BFF.',
    action: 'Report it with the requestId.',
  },
  RATE_LIMIT_GUARD_ORDER: {
    status: 500,
    title: 'Rate limit misconfigured',
    meaning: 'A per-caller rate limit ran before the caller was authenticated: a defect of the BFF.',
    action: 'Report it with the requestId.',
  },
  CACHE_UNSERIALIZABLE: {
    status: 500,
    title: 'Uncacheable response',
    meaning: 'A cached route produced a value that is not JSON: a defect of the BFF.',
    action: 'Report it with the requestId.',
  },
  // Framework HTTP errors without a more specific type (a Nest HttpException by status).
  BAD_REQUEST: {
    status: 400,
    title: 'Bad request',
    meaning: 'The request is not acceptable as sent.',
    action: 'Read `detail` and fix the request.',
  },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', meaning: 'The request needs valid credentials.', action: 'Send valid credentials.' },
  FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    meaning: 'The caller may not perform this operation.',
    action: 'Do not retry with the same credentials.',
  },
  METHOD_NOT_ALLOWED: {
    status: 405,
    title: 'Method not allowed',
    meaning: 'The route does not support this method.',
    action: 'Use a documented method.',
  },
  NOT_ACCEPTABLE: {
    status: 406,
    title: 'Not acceptable',
    meaning: 'No representation matches the Accept header.',
    action: 'Accept application/json.',
  },
  CONFLICT: {
    status: 409,
    title: 'Conflict',
    meaning: 'The request conflicts with the current state of the resource.',
    action: 'Reload the resource and retry.',
  },
  GONE: { status: 410, title: 'Gone', meaning: 'The resource existed and was removed.', action: 'Do not retry.' },
  PRECONDITION_FAILED: {
    status: 412,
    title: 'Precondition failed',
    meaning: 'A conditional header did not match.',
    action: 'Reload and retry with the current validator.',
  },
  UNPROCESSABLE_ENTITY: {
    status: 422,
    title: 'Unprocessable content',
    meaning: 'The request is well formed but cannot be carried out.',
    action: 'Read `detail` and change the request.',
  },
  TOO_MANY_REQUESTS: {
    status: 429,
    title: 'Too many requests',
    meaning: 'Too many requests were sent.',
    action: 'Slow down; honour `Retry-After` when present.',
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    title: 'Internal server error',
    meaning: 'The server failed; the detail is generic.',
    action: 'Report it with the requestId.',
  },
  NOT_IMPLEMENTED: {
    status: 501,
    title: 'Not implemented',
    meaning: 'The server does not support this operation.',
    action: 'Do not retry.',
  },
  BAD_GATEWAY: { status: 502, title: 'Bad gateway', meaning: 'A service behind the BFF failed.', action: 'Retry later.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    meaning: 'The service is temporarily unavailable.',
    action: 'Retry later.',
  },
  GATEWAY_TIMEOUT: {
    status: 504,
    title: 'Gateway timeout',
    meaning: 'A service behind the BFF did not answer in time.',
    action: 'Retry later.',
  },
  HTTP_ERROR: {
    status: 400,
    title: 'HTTP error',
    meaning: 'Any other HTTP error status the framework raised; the problem `status` and `title` carry the actual status (4xx or 5xx).',
    action: 'Read `status` and `detail`.',
  },
} as const satisfies Record<string, ProblemTypeInfo>;

/** A code a `PlatformError` may carry: a key of the catalogue. */
export type ProblemCode = keyof typeof PROBLEM_TYPES;

/** The last segment of the problem `type` URI: UPSTREAM_TIMEOUT → upstream-timeout. */
export function problemSlug(code: ProblemCode): string {
  return code.toLowerCase().replace(/_/g, '-');
}

export function isProblemCode(value: string): value is ProblemCode {
  return Object.hasOwn(PROBLEM_TYPES, value);
}
