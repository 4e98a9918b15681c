/** How an upstream authenticates our calls. 'relay' and 'client-credentials' are completed by libs/auth. */
export type UpstreamAuthMode = 'none' | 'relay' | 'client-credentials';

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
  /** Path probed by /health/ready (default '/health'). */
  readonly readinessPath?: string;
}

export interface UpstreamRequest {
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path relative to the upstream's base URL, e.g. `/products/p-00001`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Aborts the call (e.g. the section's own budget). */
  readonly signal?: AbortSignal;
  /** Overrides the declared timeout for this call. */
  readonly timeoutMs?: number;
}

export interface UpstreamResponse<T> {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: T;
}
