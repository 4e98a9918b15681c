import { REQUEST_ID_HEADER, RequestContext } from '@bff/core';
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { DEADLINE_HEADER, DEFAULT_CONNECTIONS, DEFAULT_MAX_BODY_BYTES, DEFAULT_TIMEOUT_MS, HOP_BY_HOP } from './upstream.constants.js';
import { UpstreamError, type UpstreamFailure } from './upstream.error.js';
import type { UpstreamDefinition, UpstreamRequest, UpstreamResponse } from './upstream.types.js';

/**
 * The client for one upstream: a keep-alive undici Pool per origin, per-call timeout bounded by the
 * request's remaining budget, header propagation, a body size cap, JSON parsing, and every failure
 * turned into a coded UpstreamError.
 */
export class UpstreamClient {
  readonly name: string;
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly extraHeaders: readonly string[];

  constructor(
    readonly definition: UpstreamDefinition,
    baseUrl: string,
  ) {
    const url = new URL(baseUrl);
    this.name = definition.name;
    this.basePath = url.pathname.replace(/\/$/, '');
    this.timeoutMs = definition.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = definition.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.extraHeaders = (definition.propagateHeaders ?? []).map((h) => h.toLowerCase()).filter((h) => !HOP_BY_HOP.has(h));
    for (const h of this.extraHeaders) {
      if (CREDENTIAL_HEADERS.has(h)) {
        throw new Error(`Upstream '${definition.name}' lists '${h}' in propagateHeaders; credentials are forwarded only through auth: 'relay'`);
      }
    }
    this.pool = new Pool(url.origin, {
      connections: definition.connections ?? DEFAULT_CONNECTIONS,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  /** GET a JSON resource. */
  getJson<T>(path: string, options: Omit<UpstreamRequest, 'path' | 'method'> = {}): Promise<T> {
    return this.request<T>({ ...options, path, method: 'GET' }).then((r) => r.body);
  }

  async request<T>(req: UpstreamRequest): Promise<UpstreamResponse<T>> {
    const method = req.method ?? 'GET';
    const ctx = RequestContext.current();
    const remaining = RequestContext.remainingBudgetMs();
    if (remaining !== undefined && remaining <= 0) this.fail('deadline_exceeded', method, req.path);
    const timeoutMs = Math.min(req.timeoutMs ?? this.timeoutMs, remaining ?? Number.POSITIVE_INFINITY);
    const deadlineLimited = remaining !== undefined && remaining < (req.timeoutMs ?? this.timeoutMs);

    const headers: Record<string, string> = { accept: 'application/json' };
    if (ctx) {
      Object.assign(headers, ctx.propagated);
      headers[REQUEST_ID_HEADER] = ctx.requestId;
      for (const h of this.extraHeaders) {
        const value = ctx.inboundHeaders[h];
        if (typeof value === 'string') headers[h] = value;
      }
    }
    if (remaining !== undefined) headers[DEADLINE_HEADER] = String(Math.floor(remaining));
    for (const [k, v] of Object.entries(req.headers ?? {})) {
      const key = k.toLowerCase();
      if (!HOP_BY_HOP.has(key)) headers[key] = v;
    }
    let body: string | undefined;
    if (req.body !== undefined) {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }

    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
    const path = this.basePath + req.path + toQuery(req.query);
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({ method, path, headers, body, signal });
    } catch (error) {
      throw this.classify(error, signal, timeout, deadlineLimited, method, req.path);
    }
    const text = await this.readBody(response, signal, timeout, deadlineLimited, method, req.path);
    if (response.statusCode >= 400) {
      const retryAfter = Number(response.headers['retry-after']);
      throw new UpstreamError({
        upstream: this.name,
        failure: 'http_status',
        method,
        path: req.path,
        status: response.statusCode,
        retryAfterSeconds: Number.isFinite(retryAfter) && response.statusCode === 503 ? retryAfter : undefined,
        cause: new Error(text.slice(0, 512)),
      });
    }
    let parsed: unknown = undefined;
    if (text.length > 0 && response.statusCode !== 204 && response.statusCode !== 304) {
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        this.fail('malformed_body', method, req.path, error);
      }
    }
    return { status: response.statusCode, headers: response.headers, body: parsed as T };
  }

  /** Probe used by /health/ready. */
  async probe(signal: AbortSignal): Promise<void> {
    const path = this.basePath + (this.definition.readinessPath ?? '/health');
    const res = await this.pool.request({ method: 'GET', path, signal });
    await res.body.dump();
    if (res.statusCode >= 500) throw new Error(`${this.name} readiness answered ${res.statusCode}`);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async readBody(
    response: Dispatcher.ResponseData,
    signal: AbortSignal,
    timeout: AbortSignal,
    deadlineLimited: boolean,
    method: string,
    path: string,
  ): Promise<string> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBodyBytes) {
      response.body.destroy();
      this.fail('body_too_large', method, path);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxBodyBytes) {
          response.body.destroy();
          this.fail('body_too_large', method, path);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw this.classify(error, signal, timeout, deadlineLimited, method, path);
    }
    return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  }

  private classify(error: unknown, signal: AbortSignal, timeout: AbortSignal, deadlineLimited: boolean, method: string, path: string): UpstreamError {
    let failure: UpstreamFailure;
    if (timeout.aborted) failure = deadlineLimited ? 'deadline_exceeded' : 'timeout';
    else if (signal.aborted) failure = 'aborted';
    else if (hasCode(error, 'ECONNREFUSED') || hasCode(error, 'ENOTFOUND') || hasCode(error, 'EAI_AGAIN')) failure = 'connection_refused';
    else if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) failure = 'timeout';
    else failure = 'connection_reset';
    return new UpstreamError({ upstream: this.name, failure, method, path, cause: error });
  }

  private fail(failure: UpstreamFailure, method: string, path: string, cause?: unknown): never {
    throw new UpstreamError({ upstream: this.name, failure, method, path, cause });
  }
}

/** Never forwarded through propagateHeaders: the caller's credentials reach only relay upstreams. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);

function hasCode(error: unknown, code: string): boolean {
  for (let e: unknown = error, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: unknown }).code === code) return true;
    const nested = (e as { errors?: unknown[] }).errors;
    if (Array.isArray(nested) && nested.some((n) => (n as { code?: unknown }).code === code)) return true;
  }
  return false;
}

function toQuery(query: UpstreamRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.append(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}
