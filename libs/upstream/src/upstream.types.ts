import type { Readable } from 'node:stream';

/** How an upstream authenticates our calls. 'relay' and 'client-credentials' tokens come from an UpstreamTokenSource (libs/auth). */
export type UpstreamAuthMode = 'none' | 'relay' | 'client-credentials';

/** Which HTTP stack carries the calls: undici (default, fastest) or @nestjs/axios (for axios interceptors). */
export type UpstreamTransportKind = 'undici' | 'axios';

/** Retries: only for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) or calls carrying an Idempotency-Key. */
export interface RetryPolicy {
  /** Total attempts including the first (default 3; 1 disables retries). */
  readonly maxAttempts?: number;
  /** First backoff delay in ms (default 50); grows exponentially with full jitter. */
  readonly initialDelayMs?: number;
  /** Largest backoff delay in ms (default 1000). A retry that would end past the deadline is not made. */
  readonly maxDelayMs?: number;
}

/** One circuit breaker per upstream: opens after consecutive failures, half-opens after a pause. */
export interface BreakerPolicy {
  /** Consecutive failed calls that open the circuit (default 5). */
  readonly consecutiveFailures?: number;
  /** How long the circuit stays open before one probe call is let through (default 5000 ms). */
  readonly halfOpenAfterMs?: number;
}

/** At most `maxConcurrent` calls in flight per upstream, `maxQueue` waiting; overflow fails fast (503). */
export interface BulkheadPolicy {
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
}

/** One upstream service, declared once and injected everywhere as a typed client. */
export interface UpstreamDefinition {
  /** Lowercase name; the base URL comes from `UPSTREAM_<NAME>_URL`. */
  readonly name: string;
  /** Per-call timeout in ms (default 2000). Each call gets min(timeout, remaining request budget). */
  readonly timeoutMs?: number;
  /** Keep-alive pool size per origin (default 64 connections). */
  readonly connections?: number;
  /** Largest response body accepted, in bytes (default 5 MB); larger answers fail as 502. */
  readonly maxBodyBytes?: number;
  /** Extra inbound headers forwarded to this upstream, on top of the always-forwarded set. */
  readonly propagateHeaders?: readonly string[];
  readonly auth?: UpstreamAuthMode;
  /** For auth 'client-credentials': what is requested from the IdP. */
  readonly clientCredentials?: {
    readonly scope?: string;
    /** Resource indicator (RFC 8707), the token's `aud`. */
    readonly audience?: string;
    /**
     * Request the token for the caller's account: the `account` claim of the request's identity
     * (e.g. the customer account a partner key is bound to) is sent as the `account` token
     * parameter, so the upstream sees that account's data only. Tokens are cached per account; a
     * caller without an account gets no token (the call fails as UPSTREAM_CREDENTIALS_UNAVAILABLE).
     */
    readonly account?: boolean;
  };
  /** Path probed by /health/ready (default '/health'). */
  readonly readinessPath?: string;
  /** Transport (default 'undici'). */
  readonly transport?: UpstreamTransportKind;
  /** Retry policy (default: 3 attempts); `false` disables retries. */
  readonly retry?: RetryPolicy | false;
  /** Circuit breaker thresholds (default: 5 consecutive failures, 5 s open); `false` disables it. */
  readonly breaker?: BreakerPolicy | false;
  /** Concurrency limit and queue (default 128 concurrent, 256 queued). */
  readonly bulkhead?: BulkheadPolicy;
  /**
   * Opt-in HTTP caching of this upstream's GET responses (Cache-Control max-age/no-store/private,
   * ETag revalidation). Needs an UpstreamResponseCache provider (libs/cache provides one).
   */
  readonly httpCache?: boolean;
}

export type UpstreamMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface UpstreamRequest {
  readonly method?: UpstreamMethod;
  /** Path relative to the upstream's base URL, e.g. `/products/p-00001`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Aborts the call (e.g. the section's own budget). */
  readonly signal?: AbortSignal;
  /** Overrides the declared timeout for this call. */
  readonly timeoutMs?: number;
  /**
   * Absolute time (performance.now() based) by which the caller needs the answer, e.g. a section's
   * budget. The call's effective deadline is the earlier of this and the request's deadline.
   */
  readonly deadline?: number;
  /** Marks a non-idempotent call as safe to retry; sent upstream as `Idempotency-Key`. */
  readonly idempotencyKey?: string;
}

export interface UpstreamResponse<T> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: T;
}

/** What a transport is asked to send: everything already resolved (path with query, final headers). */
export interface TransportRequest {
  readonly method: UpstreamMethod;
  /** Origin-relative path including the base path and query string. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Aborted on timeout, deadline or caller cancellation. */
  readonly signal: AbortSignal;
  /** The body is refused (UpstreamError 'body_too_large') past this many bytes. */
  readonly maxBodyBytes: number;
}

/** A raw upstream answer, any status. Transports never throw for an HTTP status. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/**
 * One HTTP stack. Implementations throw UpstreamError for transport failures (refused, reset,
 * oversize, aborted...) and resolve for every HTTP status.
 */
export interface UpstreamTransport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Sends raw bytes and resolves once the answer's head arrives, its body still streaming (for
   * UpstreamClient.forward). Optional: a transport without it cannot carry forwarded calls.
   */
  stream?(request: StreamTransportRequest): Promise<StreamedTransportResponse>;
  close(): Promise<void>;
}

/** A request whose body is raw bytes (a forwarded browser request), any media type. */
export interface StreamTransportRequest extends Omit<TransportRequest, 'body'> {
  readonly body?: Buffer;
}

/** An answer whose body is still arriving. */
export interface StreamedTransportResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/** A call forwarded as it came (UpstreamClient.forward): path and query already validated by the caller. */
export interface ForwardRequest {
  readonly method: UpstreamMethod;
  /** Path relative to the upstream's base URL, with its query string, e.g. `/products?limit=5`. */
  readonly path: string;
  /** End-to-end headers to pass on; hop-by-hop and credential headers are dropped whatever is given. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  readonly signal?: AbortSignal;
}

/** A forwarded call's answer (status below 400; error statuses and transport failures throw UpstreamError). */
export interface ForwardResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as it streams in; it fails (and the stream is destroyed) past the upstream's maxBodyBytes. */
  readonly body: Readable;
}

/**
 * Provides tokens for upstreams declared with auth 'relay' or 'client-credentials'. libs/auth
 * implements it and provides it globally under UPSTREAM_TOKEN_SOURCE.
 */
export interface UpstreamTokenSource {
  /**
   * The token relayed to this 'relay' upstream for the current caller, or undefined when there is none: the
   * caller's own access token (web session or mobile bearer), or one obtained for it (token exchange, async).
   * A rejection that is a PlatformError is the request's answer as it is (e.g. 401 or 503 problem).
   */
  relayToken(upstream: UpstreamDefinition, signal: AbortSignal): string | undefined | Promise<string | undefined>;
  /** A client-credentials access token for this upstream; cached and refreshed single-flight by the implementation. */
  clientCredentialsToken(upstream: UpstreamDefinition, signal: AbortSignal): Promise<string>;
}

/** A GET on an upstream that opted in to HTTP caching. */
export interface CacheableCall {
  readonly upstream: string;
  /** Origin-relative path including the query string. */
  readonly path: string;
  /**
   * Cache partition of the caller when the call carries the caller's credentials (relay): responses
   * marked `private` are stored only under a partition and never shared across partitions.
   * Undefined for calls that carry no caller identity.
   */
  readonly partition: string | undefined;
}

/**
 * Upstream HTTP cache (libs/cache implements it, provided globally under UPSTREAM_RESPONSE_CACHE).
 * It decides from the upstream's Cache-Control/ETag whether to answer from the cache, revalidate
 * (calling `network` with `If-None-Match`), or go to the network, and what to store.
 */
export interface UpstreamResponseCache {
  fetch(
    call: CacheableCall,
    network: (conditionalHeaders: Readonly<Record<string, string>>) => Promise<TransportResponse>,
  ): Promise<TransportResponse>;
}
