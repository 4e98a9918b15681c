import { traceIdp } from './idp-tracing.js';

/** The members of an OpenID Provider's metadata (OIDC Discovery 1.0 §3) the platform uses. */
export interface DiscoveryDocument {
  readonly issuer: string;
  readonly jwks_uri?: string;
  readonly token_endpoint?: string;
  readonly [member: string]: unknown;
}

/** The identity provider could not be reached or answered something unusable (never the caller's fault). */
export class IssuerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https everywhere; plain http only on loopback (local IdP in dev and tests). */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/** `<issuer>/.well-known/openid-configuration`, the issuer's trailing slash removed (Discovery §4). */
export function discoveryUrl(issuer: string): URL {
  return new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
}

function endpoint(document: Record<string, unknown>, member: string): string | undefined {
  const value = document[member];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new IssuerUnavailableError(`discovery member ${member} is not a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new IssuerUnavailableError(`discovery member ${member} is not a URL`, { cause });
  }
  if (!isSecureOrLoopback(url)) throw new IssuerUnavailableError(`discovery member ${member} must be an https URL`);
  return url.href;
}

/**
 * Fetches and checks an issuer's discovery document: the `issuer` it states must be exactly the
 * configured one (Discovery §4.3, so a document from another issuer is never trusted), endpoints
 * must be https (http only on loopback).
 */
export async function fetchDiscovery(issuer: string, signal: AbortSignal, fetchImpl: typeof fetch = fetch): Promise<DiscoveryDocument> {
  let response: Response;
  try {
    response = await fetchImpl(discoveryUrl(issuer), { headers: { accept: 'application/json' }, redirect: 'error', signal });
  } catch (cause) {
    throw new IssuerUnavailableError('discovery request failed', { cause });
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new IssuerUnavailableError(`discovery answered ${response.status}`);
  }
  let document: unknown;
  try {
    document = await response.json();
  } catch (cause) {
    throw new IssuerUnavailableError('discovery document is not JSON', { cause });
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new IssuerUnavailableError('discovery document is not a JSON object');
  }
  const record = document as Record<string, unknown>;
  if (record.issuer !== issuer) {
    throw new IssuerUnavailableError(
      `discovery document names issuer ${JSON.stringify(record.issuer)}, expected ${JSON.stringify(issuer)}`,
    );
  }
  return { ...record, issuer, jwks_uri: endpoint(record, 'jwks_uri'), token_endpoint: endpoint(record, 'token_endpoint') };
}

export interface DiscoveryCacheOptions {
  /** Per-request timeout (default 5000 ms). */
  readonly timeoutMs?: number;
  /** After a failed fetch, callers fail fast for this long instead of hammering the IdP (default 2000 ms). */
  readonly failureBackoffMs?: number;
  /** A good document is re-fetched after this long; the previous one is kept if that fails (default 1 h). */
  readonly maxAgeMs?: number;
  readonly fetch?: typeof fetch;
}

/**
 * One issuer's discovery document, fetched on first use (so an IdP outage never blocks the boot),
 * shared by concurrent callers (one request in flight), cached, and re-fetched hourly.
 */
export class DiscoveryCache {
  private document?: DiscoveryDocument;
  private fetchedAt = 0;
  private pending?: Promise<DiscoveryDocument>;
  private failedAt = -Infinity;
  private lastFailure?: unknown;
  private readonly timeoutMs: number;
  private readonly failureBackoffMs: number;
  private readonly maxAgeMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly issuer: string,
    options: DiscoveryCacheOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.failureBackoffMs = options.failureBackoffMs ?? 2_000;
    this.maxAgeMs = options.maxAgeMs ?? 3_600_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async get(): Promise<DiscoveryDocument> {
    const now = Date.now();
    if (this.document && now - this.fetchedAt < this.maxAgeMs) return this.document;
    if (this.pending) return this.pending;
    if (now - this.failedAt < this.failureBackoffMs) {
      if (this.document) return this.document;
      throw new IssuerUnavailableError('identity provider discovery recently failed', { cause: this.lastFailure });
    }
    this.pending = traceIdp('discovery', () => fetchDiscovery(this.issuer, AbortSignal.timeout(this.timeoutMs), this.fetchImpl))
      .then((document) => {
        this.document = document;
        this.fetchedAt = Date.now();
        return document;
      })
      .catch((error: unknown) => {
        this.failedAt = Date.now();
        this.lastFailure = error;
        if (this.document) return this.document;
        throw error instanceof IssuerUnavailableError ? error : new IssuerUnavailableError('discovery failed', { cause: error });
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}
