import { Transform, type Readable } from 'node:stream';

import { Logger } from '@nestjs/common';

import { IDENTITY_SLOT, isPlatformError, REQUEST_ID_HEADER, RequestContext, untilAborted, type Identity } from '@bff/core';

import { AttemptAbort } from './attempt-abort.js';
import { buildResiliencePolicies } from './resilience/resilience-policies.js';
import { UpstreamResilience, type ResilienceSnapshot } from './resilience/resilience.js';
import { bodyTooLarge, transportFailure } from './transport/transport-errors.js';
import { DEADLINE_HEADER, DEFAULT_MAX_BODY_BYTES, HOP_BY_HOP } from './upstream.constants.js';
import { UpstreamError } from './upstream.error.js';
import { UNMEASURED, type UpstreamCallMetrics, type UpstreamMetrics } from './upstream.metrics.js';
import { UpstreamTracing } from './upstream.tracing.js';
import type {
  ForwardRequest,
  ForwardResponse,
  StreamedTransportResponse,
  TransportResponse,
  UpstreamDefinition,
  UpstreamMethod,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamResponseCache,
  UpstreamTokenSource,
  UpstreamTransport,
} from './upstream.types.js';

export interface UpstreamClientDeps {
  readonly transport: UpstreamTransport;
  readonly tokens?: UpstreamTokenSource;
  readonly cache?: UpstreamResponseCache;
  readonly metrics?: UpstreamMetrics;
}

/**
 * The client for one upstream. Every call: resolves headers (propagation, relay or
 * client-credentials token, deadline budget), goes through the resilience pipeline (retry →
 * breaker → bulkhead), gets min(own timeout, remaining budget) per attempt, and turns every failure
 * into a coded UpstreamError. GETs on upstreams with `httpCache` go through the response cache.
 */
export class UpstreamClient {
  readonly name: string;
  private readonly logger: Logger;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly extraHeaders: readonly string[];
  private readonly resilience: UpstreamResilience;
  private readonly transport: UpstreamTransport;
  private readonly tokens?: UpstreamTokenSource;
  private readonly cache?: UpstreamResponseCache;
  private readonly measured: UpstreamCallMetrics;
  private readonly tracing: UpstreamTracing;

  constructor(
    readonly definition: UpstreamDefinition,
    baseUrl: string,
    deps: UpstreamClientDeps,
  ) {
    const url = new URL(baseUrl);
    this.name = definition.name;
    this.tracing = new UpstreamTracing(definition.name, url);
    this.logger = new Logger(`Upstream:${definition.name}`);
    this.basePath = url.pathname.replace(/\/$/, '');
    this.maxBodyBytes = definition.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.extraHeaders = (definition.propagateHeaders ?? []).map((h) => h.toLowerCase()).filter((h) => !HOP_BY_HOP.has(h));
    for (const header of this.extraHeaders) {
      if (CREDENTIAL_HEADERS.has(header)) {
        throw new Error(
          `Upstream '${definition.name}' lists '${header}' in propagateHeaders; credentials are forwarded only through auth: 'relay'`,
        );
      }
    }
    const auth = definition.auth ?? 'none';
    if (auth === 'client-credentials' && !deps.tokens) {
      throw new Error(
        `Upstream '${definition.name}' uses auth 'client-credentials' but no UpstreamTokenSource is provided; import UpstreamAuthModule from @bff/auth`,
      );
    }
    if (auth === 'relay' && !deps.tokens) {
      this.logger.warn(`auth 'relay' declared but no UpstreamTokenSource is provided; calls go without the caller's token`);
    }
    if (definition.httpCache && !deps.cache) {
      this.logger.warn(`httpCache declared but no UpstreamResponseCache is provided (import CacheModule from @bff/cache); not caching`);
    }
    this.transport = deps.transport;
    this.tokens = deps.tokens;
    this.cache = definition.httpCache ? deps.cache : undefined;
    const policies = buildResiliencePolicies(definition);
    this.timeoutMs = policies.timeoutMs;
    this.resilience = new UpstreamResilience(policies);
    this.measured = deps.metrics?.forUpstream(this.name, policies, () => this.resilience.snapshot()) ?? UNMEASURED;
  }

  /** GET a JSON resource. */
  getJson<T>(path: string, options: Omit<UpstreamRequest, 'path' | 'method'> = {}): Promise<T> {
    return this.request<T>({ ...options, path, method: 'GET' }).then((r) => r.body);
  }

  async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const method: UpstreamMethod = req.method ?? 'GET';
    const deadline = earliest(RequestContext.current()?.deadline, req.deadline);
    if (deadline !== undefined && deadline - performance.now() <= 0) throw this.error('deadline_exceeded', method, req.path);
    if (req.signal?.aborted) throw this.error('aborted', method, req.path);

    const path = this.basePath + req.path + toQuery(req.query);
    const headers = await this.headersFor(req, method, deadline, req.signal);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (body !== undefined) headers['content-type'] = 'application/json';

    const network = (conditional: Readonly<Record<string, string>>): Promise<TransportResponse> => {
      let resendCount = 0;
      return this.measured.measure(() =>
        this.resilience.execute({ method, path: req.path, idempotencyKey: req.idempotencyKey, deadline, signal: req.signal }, () =>
          this.tracing.attempt(method, resendCount++, { ...headers, ...conditional }, (sent) =>
            this.attempt(method, path, req, sent, body, deadline),
          ),
        ),
      );
    };

    const response =
      this.cache && method === 'GET'
        ? await this.cache.fetch({ upstream: this.name, path, partition: this.partition() }, network)
        : await network({});
    return { status: response.status, headers: response.headers, body: this.parse<T>(response, method, req.path) };
  }

  /** Whether this upstream's transport can carry forward() calls (undici can; axios cannot). */
  get canForward(): boolean {
    return typeof this.transport.stream === 'function';
  }

  /**
   * Forwards a call as it came (a gateway route): raw request bytes out, the answer's body streamed
   * back. Same pipeline as request(): propagated headers, the relayed or client-credentials token
   * per the declaration, deadline budget, retries (idempotent methods only), breaker, bulkhead. An
   * error status (4xx, 5xx) or a transport failure throws the same coded UpstreamError as request()
   * (the upstream's error body is drained, never passed on); 1xx-3xx answers resolve. Each attempt's timeout also bounds reading the body, and a body past maxBodyBytes fails
   * the stream (declared lengths are refused up front).
   */
  async forward(req: ForwardRequest): Promise<ForwardResponse> {
    const { method } = req;
    const send = this.transport.stream?.bind(this.transport);
    if (!send) throw new Error(`Upstream '${this.name}' runs on a transport that cannot forward calls; use the undici transport`);
    const deadline = RequestContext.current()?.deadline;
    if (deadline !== undefined && deadline - performance.now() <= 0) throw this.error('deadline_exceeded', method, req.path);
    if (req.signal?.aborted) throw this.error('aborted', method, req.path);
    const headers = await this.headersFor({ path: req.path, headers: req.headers }, method, deadline, req.signal);
    const path = this.basePath + req.path;
    let resendCount = 0;
    return this.measured.measure(() =>
      this.resilience.execute({ method, path: req.path, deadline, signal: req.signal }, () =>
        this.tracing.attempt(method, resendCount++, headers, (sent) => this.forwardAttempt(send, method, path, req, sent, deadline)),
      ),
    );
  }

  /** Probe used by /health/ready: straight to the transport, no retries, breaker or bulkhead. */
  async probe(signal: AbortSignal): Promise<void> {
    const path = this.basePath + (this.definition.readinessPath ?? '/health');
    const res = await this.transport.send({
      method: 'GET',
      path,
      headers: { accept: 'application/json' },
      signal,
      maxBodyBytes: 64 * 1024,
    });
    if (res.status >= 500) throw new Error(`${this.name} readiness answered ${res.status}`);
  }

  /** Breaker state, bulkhead occupancy and counters (diagnostics, tests). */
  resilienceSnapshot(): ResilienceSnapshot {
    return this.resilience.snapshot();
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** One attempt: a fresh timeout of min(declared timeout, remaining deadline). */
  private async attempt(
    method: UpstreamMethod,
    path: string,
    req: UpstreamRequest,
    headers: Record<string, string>,
    body: string | undefined,
    deadline: number | undefined,
  ): Promise<TransportResponse> {
    const ownTimeout = req.timeoutMs ?? this.timeoutMs;
    const remaining = deadline === undefined ? undefined : deadline - performance.now();
    if (remaining !== undefined && remaining <= 0) throw this.error('deadline_exceeded', method, req.path);
    const deadlineLimited = remaining !== undefined && remaining < ownTimeout;
    const timeoutMs = deadlineLimited ? Math.max(1, Math.floor(remaining)) : ownTimeout;
    if (remaining !== undefined) headers[DEADLINE_HEADER] = String(Math.floor(remaining));

    let response: TransportResponse;
    const abort = new AttemptAbort(timeoutMs, req.signal);
    try {
      response = await this.transport.send({ method, path, headers, body, signal: abort.signal, maxBodyBytes: this.maxBodyBytes });
    } catch (error) {
      if (error instanceof UpstreamError && error.failure === 'aborted' && abort.timedOut) {
        throw this.error(deadlineLimited ? 'deadline_exceeded' : 'timeout', method, req.path, error);
      }
      throw error;
    } finally {
      abort.dispose();
    }
    if (response.status >= 400) {
      const { status } = response;
      throw new UpstreamError({
        upstream: this.name,
        failure: 'http_status',
        method,
        path: req.path,
        status,
        // An upstream 503 means "temporarily unavailable": we answer 503 too, with its Retry-After.
        ...(status === 503 ? UNAVAILABLE : {}),
        upstreamRetryAfterSeconds: status === 503 || status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined,
        upstreamBody: response.body.slice(0, 512),
      });
    }
    return response;
  }

  /** One forwarded attempt: its timeout runs until the body has been read (or the stream is dropped). */
  private async forwardAttempt(
    send: NonNullable<UpstreamTransport['stream']>,
    method: UpstreamMethod,
    path: string,
    req: ForwardRequest,
    headers: Record<string, string>,
    deadline: number | undefined,
  ): Promise<ForwardResponse> {
    const remaining = deadline === undefined ? undefined : deadline - performance.now();
    if (remaining !== undefined && remaining <= 0) throw this.error('deadline_exceeded', method, req.path);
    const deadlineLimited = remaining !== undefined && remaining < this.timeoutMs;
    const timeoutMs = deadlineLimited ? Math.max(1, Math.floor(remaining)) : this.timeoutMs;
    if (remaining !== undefined) headers[DEADLINE_HEADER] = String(Math.floor(remaining));
    const abort = new AttemptAbort(timeoutMs, req.signal);
    const call = { method, path, signal: abort.signal };
    let response: StreamedTransportResponse;
    try {
      response = await send({ ...call, headers, body: req.body, maxBodyBytes: this.maxBodyBytes });
    } catch (error) {
      abort.dispose();
      if (error instanceof UpstreamError && error.failure === 'aborted' && abort.timedOut) {
        throw this.error(deadlineLimited ? 'deadline_exceeded' : 'timeout', method, req.path, error);
      }
      throw error;
    }
    const { status } = response;
    if (status >= 400) {
      response.body.resume();
      abort.dispose();
      throw new UpstreamError({
        upstream: this.name,
        failure: 'http_status',
        method,
        path: req.path,
        status,
        ...(status === 503 ? UNAVAILABLE : {}),
        upstreamRetryAfterSeconds: status === 503 || status === 429 ? parseRetryAfter(response.headers['retry-after']) : undefined,
      });
    }
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      response.body.destroy();
      abort.dispose();
      throw bodyTooLarge(this.name, call);
    }
    return { status, headers: response.headers, body: this.limited(response.body, call, abort) };
  }

  /** The upstream body, failing past maxBodyBytes; the attempt's timer is released when it ends either way. */
  private limited(body: Readable, call: { method: UpstreamMethod; path: string; signal: AbortSignal }, abort: AttemptAbort): Readable {
    let size = 0;
    const max = this.maxBodyBytes;
    const upstream = this.name;
    const out = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(size > max ? bodyTooLarge(upstream, call) : null, chunk);
      },
    });
    body.on('error', (error) => out.destroy(transportFailure(upstream, call, error)));
    out.on('close', () => {
      abort.dispose();
      if (!body.destroyed) body.destroy();
    });
    return body.pipe(out);
  }

  /** The headers of a call, with a client-credentials token when the upstream needs one. */
  private async headersFor(
    req: UpstreamRequest,
    method: UpstreamMethod,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Record<string, string>> {
    const ctx = RequestContext.current();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (ctx) {
      Object.assign(headers, ctx.propagated);
      headers[REQUEST_ID_HEADER] = ctx.requestId;
      for (const header of this.extraHeaders) {
        const value = ctx.inboundHeaders[header];
        if (typeof value === 'string') headers[header] = value;
      }
    }
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const key = name.toLowerCase();
      if (!HOP_BY_HOP.has(key) && !CREDENTIAL_HEADERS.has(key)) headers[key] = value;
    }
    if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;

    const auth = this.definition.auth ?? 'none';
    if (auth === 'relay' && this.tokens) {
      const relayed = this.tokens.relayToken(this.definition, signal ?? NEVER_ABORTED);
      // The caller's own token is at hand: no timer. An exchanged one is awaited within the call's bounds.
      if (!(relayed instanceof Promise)) {
        if (relayed) headers.authorization = `Bearer ${relayed}`;
        return headers;
      }
      return this.withToken(headers, method, req.path, deadline, signal, () => relayed);
    } else if (auth === 'client-credentials' && this.tokens) {
      const tokens = this.tokens;
      return this.withToken(headers, method, req.path, deadline, signal, (s) => tokens.clientCredentialsToken(this.definition, s));
    }
    return headers;
  }

  /** Adds the upstream's token (exchanged or client credentials), bounded by the upstream's timeout and the remaining deadline. */
  private async withToken(
    headers: Record<string, string>,
    method: UpstreamMethod,
    path: string,
    deadline: number | undefined,
    signal: AbortSignal | undefined,
    source: (signal: AbortSignal) => Promise<string | undefined>,
  ): Promise<Record<string, string>> {
    const remaining = deadline === undefined ? this.timeoutMs : Math.max(1, deadline - performance.now());
    const abort = new AttemptAbort(Math.min(this.timeoutMs, remaining), signal);
    try {
      const token = await untilAborted(source(abort.signal), abort.signal);
      if (token) headers.authorization = `Bearer ${token}`;
      return headers;
    } catch (error) {
      // Coded answers of the token source (e.g. a refused token exchange) are the request's answer as they are.
      if (isPlatformError(error)) throw error;
      throw new UpstreamError({
        upstream: this.name,
        failure: 'connection_refused',
        method,
        path,
        code: 'UPSTREAM_CREDENTIALS_UNAVAILABLE',
        publicDetail: 'An upstream service could not be authenticated.',
        cause: error,
      });
    } finally {
      abort.dispose();
    }
  }

  /**
   * Cache partition: only upstreams that receive the caller's credentials (relay) or a token bound
   * to the caller's account (client credentials per account) are partitioned by caller.
   */
  private partition(): string | undefined {
    const auth = this.definition.auth ?? 'none';
    const identity = RequestContext.getSlot<Identity>(IDENTITY_SLOT);
    if (auth === 'relay') return identity ? `${identity.strategy}:${identity.subject}` : undefined;
    const account = identity?.claims.account;
    if (auth === 'client-credentials' && this.definition.clientCredentials?.account === true && typeof account === 'string') {
      return `account:${account}`;
    }
    return undefined;
  }

  private parse<T>(response: TransportResponse, method: UpstreamMethod, path: string): T {
    if (response.body.length === 0 || response.status === 204 || response.status === 304 || method === 'HEAD') return undefined as T;
    try {
      return JSON.parse(response.body) as T;
    } catch (error) {
      throw this.error('malformed_body', method, path, error);
    }
  }

  private error(failure: UpstreamError['failure'], method: string, path: string, cause?: unknown): UpstreamError {
    return new UpstreamError({ upstream: this.name, failure, method, path, cause });
  }
}

/** How an upstream 503 is answered: unavailable (503), not a gateway error. */
const UNAVAILABLE = {
  kind: 'unavailable',
  code: 'UPSTREAM_UNAVAILABLE',
  publicDetail: 'An upstream service is temporarily unavailable.',
} as const;

/** Never forwarded from inbound requests or ad-hoc headers: credentials reach only relay upstreams. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);

function earliest(first: number | undefined, second: number | undefined): number | undefined {
  return first === undefined ? second : second === undefined ? first : Math.min(first, second);
}

function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.min(3600, Math.ceil((date - Date.now()) / 1000)));
}

function toQuery(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.append(name, String(value));
  const encoded = params.toString();
  return encoded ? `?${encoded}` : '';
}

/** The signal of a relay call made without one (never aborts). */
const NEVER_ABORTED = new AbortController().signal;
