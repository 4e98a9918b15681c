import { DiscoveryCache } from './discovery.js';
import { traceIdp, type IdpOperation } from './idp-tracing.js';

/** A confidential client of the provider's token endpoint (client_secret_basic). */
export interface TokenEndpointClient {
  readonly discovery: DiscoveryCache;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
}

/** The client of `issuer`'s token endpoint (its discovery document fetched once, with the same timeout). */
export function tokenEndpointClient(options: {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly timeoutMs: number;
  readonly fetch?: typeof fetch;
}): TokenEndpointClient {
  const fetchImpl = options.fetch ?? fetch;
  return {
    discovery: new DiscoveryCache(options.issuer, { timeoutMs: options.timeoutMs, fetch: fetchImpl }),
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    timeoutMs: options.timeoutMs,
    fetch: fetchImpl,
  };
}

/** How a token request ended, for the caller to map onto its own error: never the provider's body. */
export type TokenEndpointAnswer =
  | { readonly kind: 'issued'; readonly token: string; readonly payload: Record<string, unknown>; readonly lifetimeMs: number | undefined }
  /** The provider answered an error; `code` is its OAuth error code (RFC 6749 §5.2), if it sent one. */
  | { readonly kind: 'error'; readonly status: number; readonly code: string }
  /** The provider answered 200 without a bearer access token. */
  | { readonly kind: 'malformed' }
  /** Discovery, the network or the timeout failed: no answer from the token endpoint. */
  | { readonly kind: 'unreachable'; readonly message: string; readonly cause?: unknown };

/**
 * One POST to the issuer's token endpoint (from its discovery document) with HTTP Basic client authentication,
 * traced as `idp <operation>`. `issued` carries a non-empty access token whose `token_type` is Bearer, and the
 * lifetime from `expires_in` when the provider sent one.
 */
export async function requestToken(
  client: TokenEndpointClient,
  operation: IdpOperation,
  body: URLSearchParams,
): Promise<TokenEndpointAnswer> {
  let endpoint: string | undefined;
  try {
    endpoint = (await client.discovery.get()).token_endpoint;
  } catch (cause) {
    return { kind: 'unreachable', message: 'identity provider discovery failed', cause };
  }
  if (!endpoint) return { kind: 'unreachable', message: 'the issuer publishes no token_endpoint' };
  // RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic encoding.
  const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
  let response: Response;
  try {
    response = await traceIdp(operation, () =>
      client.fetch(endpoint, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(client.timeoutMs),
      }),
    );
  } catch (cause) {
    return { kind: 'unreachable', message: 'token request failed', cause };
  }
  const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (response.status !== 200) {
    return {
      kind: 'error',
      status: response.status,
      code: typeof payload?.error === 'string' ? payload.error.slice(0, 64) : 'no error code',
    };
  }
  if (payload === undefined) return { kind: 'malformed' };
  const token = payload.access_token;
  const type = payload.token_type;
  if (typeof token !== 'string' || token.length === 0 || typeof type !== 'string' || type.toLowerCase() !== 'bearer') {
    return { kind: 'malformed' };
  }
  const expiresIn = payload.expires_in;
  return { kind: 'issued', token, payload, lifetimeMs: typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : undefined };
}
