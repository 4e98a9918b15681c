/**
 * Shared Fastify plumbing of every sandbox service: problem+json errors, 404 handler, health,
 * OpenAPI document, profile latency, fault injection, request stats and admin routes.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

import type { FaultRule, Profile, ServiceName, ServiceStats } from '../types.ts';
import { cachedBody, JSON_CONTENT_TYPE, sendCached, sendJson } from './caching.ts';
import {
  FaultEngine,
  faultKinds,
  MALFORMED_BODY,
  oversizeBody,
  paddingHeaders,
  parseFaultRules,
  stalledStream,
  truncatedStream,
} from './faults.ts';
import type { OpenApiDocument } from './openapi.ts';
import { HttpProblem, sendProblem } from './problem.ts';

/** A service implementation: routes + OpenAPI document + mutable-state reset. */
export interface ServiceModule {
  readonly name: ServiceName;
  readonly openapi: OpenApiDocument;
  register(app: FastifyInstance): void;
  /** Restores mutable state to the seed (no-op for read-only services). */
  reset(): void;
}

export class StatsRecorder {
  #requests = 0;
  #byRoute = new Map<string, number>();
  #lastHeaders: Record<string, string | string[]> = {};
  #faultsApplied = 0;

  record(request: FastifyRequest): void {
    this.#requests += 1;
    const key = `${request.method} ${request.routeOptions.url ?? '*'}`;
    this.#byRoute.set(key, (this.#byRoute.get(key) ?? 0) + 1);
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = value;
    }
    this.#lastHeaders = headers;
  }

  faultApplied(): void {
    this.#faultsApplied += 1;
  }

  snapshot(): ServiceStats {
    return {
      requests: this.#requests,
      byRoute: Object.fromEntries(this.#byRoute),
      lastHeaders: { ...this.#lastHeaders },
      faultsApplied: this.#faultsApplied,
    };
  }

  reset(): void {
    this.#requests = 0;
    this.#byRoute.clear();
    this.#lastHeaders = {};
    this.#faultsApplied = 0;
  }
}

const RECOMMENDATIONS_EXTRA_MS = 60;
const MAX_HEADER_LATENCY_MS = 120_000;

/** Base latency (ms) added to every API call of a service under a profile. */
export function profileLatency(profile: Profile, service: ServiceName): () => number {
  const extra = service === 'recommendations' ? RECOMMENDATIONS_EXTRA_MS : 0;
  switch (profile) {
    case 'dev':
      return () => extra + 5 + Math.floor(Math.random() * 21);
    case 'test':
      return () => extra;
    case 'bench':
      return () => 0;
    case 'bench-20ms':
      return () => 20;
  }
}

function headerLatency(value: string | string[] | undefined): number {
  if (value === undefined) return 0;
  const ms = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_HEADER_LATENCY_MS) : 0;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Paths that are never counted, delayed or faulted. */
export function isExemptPath(path: string): boolean {
  return path === '/health' || path === '/openapi.json' || path.startsWith('/__admin');
}

export interface ServiceServer {
  readonly name: ServiceName;
  readonly app: FastifyInstance;
  readonly faults: FaultEngine;
  readonly stats: StatsRecorder;
  /** Resolves with the base URL, e.g. `http://127.0.0.1:4101`. */
  listen(host: string, port: number): Promise<string>;
  /** Clears faults and stats and restores mutable state. */
  reset(): void;
  close(): Promise<void>;
}

function sendStatusFault(reply: FastifyReply, rule: FaultRule & { status: number }): void {
  const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {};
  const status = rule.status;
  if (rule.body !== undefined) {
    reply.code(status).headers(headers).header('cache-control', 'no-store').type(JSON_CONTENT_TYPE);
    reply.send(JSON.stringify(rule.body));
  } else if (status >= 400) {
    sendProblem(reply, status, `Injected fault: HTTP ${status}`, 'injected-fault', headers);
  } else if (status === 204 || status === 304 || status < 200) {
    reply.code(status).headers(headers).send();
  } else {
    reply.code(status).headers(headers).header('cache-control', 'no-store').type(JSON_CONTENT_TYPE).send('{}');
  }
}

/** Marks the in-process replay of a request whose headers are stalled: it is not counted, delayed or faulted again. */
const REPLAY_HEADER = 'x-sandbox-replay';
/** Response headers the raw writer sets itself. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'x-sandbox-fault']);

async function readRawBody(request: FastifyRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request.raw) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function createServiceServer(module: ServiceModule, profile: Profile): ServiceServer {
  const app = Fastify({
    logger: profile === 'dev' ? { level: 'warn' } : false,
    forceCloseConnections: true,
    return503OnClosing: true,
    bodyLimit: 1024 * 1024,
  });
  const faults = new FaultEngine();
  const stats = new StatsRecorder();
  const latency = profileLatency(profile, module.name);
  /** Requests whose response body must be stalled or cut (applied in onSend). */
  const streamFaults = new WeakMap<FastifyRequest, FaultRule>();
  const replayToken = randomUUID();

  // JSON parser that tolerates an empty body (e.g. `POST /__admin/reset` with a JSON content type).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new HttpProblem(400, 'request body is not valid JSON'), undefined);
    }
  });

  /**
   * The real response (computed by an in-process replay of the request), written by hand: the
   * status line at once, the headers and body `rule.headerStallMs` later, then the connection closes.
   */
  const sendWithStalledHeaders = async (request: FastifyRequest, reply: FastifyReply, rule: FaultRule): Promise<void> => {
    reply.hijack();
    const socket = request.raw.socket;
    const body = await readRawBody(request);
    const answer = await app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: { ...request.headers, [REPLAY_HEADER]: replayToken },
      ...(body.length > 0 ? { payload: body } : {}),
    });
    if (socket.destroyed) return;
    socket.write(`HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}\r\nx-sandbox-fault: ${faultKinds(rule)}\r\n`);
    const lines: string[] = [];
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value === undefined || HOP_HEADERS.has(name)) continue;
      for (const one of [value].flat()) lines.push(`${name}: ${String(one)}`);
    }
    for (const [name, value] of paddingHeaders(rule.headerBytes ?? 0)) lines.push(`${name}: ${value}`);
    const payload = request.method === 'HEAD' ? Buffer.alloc(0) : answer.rawPayload;
    lines.push(`content-length: ${String(answer.headers['content-length'] ?? payload.length)}`, 'connection: close');
    const timer = setTimeout(() => {
      if (!socket.destroyed) socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), payload]));
    }, rule.headerStallMs);
    socket.once('close', () => clearTimeout(timer));
  };

  /**
   * Commits the request (an in-process replay runs the handler), then answers nothing: the socket
   * stays silent for `rule.commitThenHangMs` and is then closed without a response.
   */
  const commitThenHang = async (request: FastifyRequest, reply: FastifyReply, rule: FaultRule): Promise<void> => {
    reply.hijack();
    const socket = request.raw.socket;
    const body = await readRawBody(request);
    await app.inject({
      method: request.method as 'GET',
      url: request.url,
      headers: { ...request.headers, [REPLAY_HEADER]: replayToken },
      ...(body.length > 0 ? { payload: body } : {}),
    });
    if (socket.destroyed) return;
    const timer = setTimeout(() => socket.destroy(), rule.commitThenHangMs);
    socket.once('close', () => clearTimeout(timer));
  };

  const applyFault = (request: FastifyRequest, reply: FastifyReply, rule: FaultRule, done: () => void): void => {
    stats.faultApplied();
    reply.header('x-sandbox-fault', faultKinds(rule));
    if (rule.reset === true) {
      reply.hijack();
      request.raw.socket.resetAndDestroy();
      return;
    }
    if (rule.headerStallMs !== undefined) {
      sendWithStalledHeaders(request, reply, rule).catch((error: unknown) => {
        request.log.error({ err: error }, 'header stall fault failed');
        request.raw.socket.destroy();
      });
      return;
    }
    if (rule.commitThenHangMs !== undefined) {
      commitThenHang(request, reply, rule).catch((error: unknown) => {
        request.log.error({ err: error }, 'commit-then-hang fault failed');
        request.raw.socket.destroy();
      });
      return;
    }
    for (const [name, value] of paddingHeaders(rule.headerBytes ?? 0)) reply.header(name, value);
    if (rule.stallMs !== undefined || rule.resetMidBody === true) streamFaults.set(request, rule);
    if (rule.malformed === true) {
      reply.code(200).header('cache-control', 'no-store').type(JSON_CONTENT_TYPE).send(MALFORMED_BODY);
    } else if (rule.oversizeBytes !== undefined) {
      reply.code(200).header('cache-control', 'no-store').type(JSON_CONTENT_TYPE).send(oversizeBody(rule.oversizeBytes));
    } else if (rule.status !== undefined) {
      sendStatusFault(reply, { ...rule, status: rule.status });
    } else {
      done();
    }
  };

  app.addHook('onRequest', (request, reply, done) => {
    const path = pathOf(request.url);
    if (isExemptPath(path) || request.headers[REPLAY_HEADER] === replayToken) {
      done();
      return;
    }
    stats.record(request);
    const rule = faults.active ? faults.match(request.method, path) : undefined;
    const delay = latency() + headerLatency(request.headers['x-sandbox-latency-ms']) + (rule?.latencyMs ?? 0);
    const proceed = (): void => {
      if (rule === undefined) done();
      else applyFault(request, reply, rule, done);
    };
    if (delay > 0) setTimeout(proceed, delay).unref();
    else proceed();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const rule = streamFaults.get(request);
    if (rule === undefined || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
      done(null, payload);
      return;
    }
    streamFaults.delete(request);
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    if (body.length === 0) {
      done(null, payload);
      return;
    }
    reply.header('content-length', String(body.length));
    done(null, rule.resetMidBody === true ? truncatedStream(body, request.raw.socket) : stalledStream(body, rule.stallMs ?? 0));
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) {
      return sendProblem(reply, error.status, error.message, error.slug, { ...error.headers }, error.extensions);
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    return sendProblem(reply, status, status >= 500 ? 'internal error' : error.message);
  });

  app.setNotFoundHandler((request, reply) => {
    return sendProblem(reply, 404, `no route ${request.method} ${pathOf(request.url)}`, 'route-not-found');
  });

  // --- ops ---
  app.get('/health', (_request, reply) => sendJson(reply, 200, { status: 'ok' }));
  const openapi = cachedBody(module.openapi);
  app.get('/openapi.json', (request, reply) => sendCached(request, reply, openapi, 'no-cache'));

  // --- admin ---
  app.post('/__admin/faults', (request, reply) => {
    const rules = parseFaultRules(request.body);
    if (typeof rules === 'string') throw new HttpProblem(400, rules);
    faults.set(rules);
    return sendJson(reply, 200, { rules: faults.list() });
  });
  app.get('/__admin/faults', (_request, reply) => sendJson(reply, 200, { rules: faults.list() }));
  app.delete('/__admin/faults', (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.get('/__admin/stats', (_request, reply) => sendJson(reply, 200, stats.snapshot()));
  app.post('/__admin/stats/reset', (_request, reply) => {
    stats.reset();
    return reply.code(204).send();
  });

  const reset = (): void => {
    faults.clear();
    stats.reset();
    module.reset();
  };
  app.post('/__admin/reset', (_request, reply) => {
    reset();
    return reply.code(204).send();
  });

  module.register(app);

  return {
    name: module.name,
    app,
    faults,
    stats,
    reset,
    async listen(host: string, port: number): Promise<string> {
      await app.listen({ host, port });
      const address = app.server.address();
      const boundPort = typeof address === 'object' && address !== null ? address.port : port;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      return `http://${urlHost}:${boundPort}`;
    },
    async close(): Promise<void> {
      await app.close();
    },
  };
}
