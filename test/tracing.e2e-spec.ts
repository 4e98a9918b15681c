import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CacheService, routeCacheKey } from '@bff/cache';
import { Tracing } from '@bff/core';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { CookieJar, KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { startApp, type RunningApp } from './support/process.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { startStack, upstreamEnvFor, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth-env.js';
import { browserLogin, spaFetch, startWebAuthStack, type WebAuthStack } from './support/web-auth.js';

/**
 * Tracing end to end on the real web-bff product page against the real sandbox: the span tree of
 * one request (server → sections → upstream attempts) continuing the caller's W3C trace context,
 * a degraded section and a retry as they show in the trace, trace ids on log lines, and the OTLP/HTTP
 * export of a production-started app configured by OTEL_* variables only.
 */
const PAGE = `/api/v1/pages/product/${KNOWN_IDS.product}`;
const ROUTE = '/api/v1/pages/product/:id';
// Every request must reach the upstreams (the cached page is the caching suites' business).
const ENV = { CACHE_ENABLED: 'false', ...WEB_AUTH_OFFLINE_ENV };
const SECTIONS = ['product', 'price', 'stock', 'rating', 'reviews', 'recommendations'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function inboundTraceparent(): { traceId: string; parentId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  return { traceId, parentId, header: `00-${traceId}-${parentId}-01` };
}

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing on (in-memory exporter)', () => {
  const exporter = new InMemorySpanExporter();
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, ENV, { spanExporter: exporter });
  });
  afterAll(async () => {
    await stack?.close();
  });
  beforeEach(async () => {
    await stack.sandbox.admin.reset();
    exporter.reset();
  });

  /** The finished spans of one trace, once its server span has ended (the response is sent just before). */
  async function traceOf(traceId: string): Promise<ReadableSpan[]> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      if (spans.some((span) => span.kind === SpanKind.SERVER) || Date.now() > deadline) return spans;
      await sleep(20);
    }
  }

  async function getPage(traceparent: string): Promise<{ status: number; body: { meta: { degraded: { section: string }[] } } }> {
    const res = await fetch(stack.url + PAGE, { headers: { traceparent } });
    return { status: res.status, body: (await res.json()) as never };
  }

  function sectionSpan(spans: ReadableSpan[], section: string): ReadableSpan {
    const found = spans.filter((span) => span.name === `section ${section}`);
    expect(found, `one span for section ${section}`).toHaveLength(1);
    return found[0];
  }

  it('continues the inbound trace: server span → one span per section → one span per upstream attempt', async () => {
    const inbound = inboundTraceparent();
    const { status } = await getPage(inbound.header);
    expect(status).toBe(200);
    const spans = await traceOf(inbound.traceId);
    // Every span the request made is in the caller's trace; the only other one is web-bff's IdP discovery
    // prefetch, started at boot outside any request (a root span of its own).
    const others = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId !== inbound.traceId);
    for (const span of others) expect([span.name, span.parentSpanContext]).toEqual(['idp discovery', undefined]);

    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0];
    expect(server.name).toBe(`GET ${ROUTE}`);
    expect(parentOf(server)).toBe(inbound.parentId);
    expect(server.parentSpanContext?.isRemote).toBe(true);
    expect(server.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': ROUTE,
      'http.response.status_code': 200,
      'url.scheme': 'http',
    });
    expect(server.status.code).toBe(SpanStatusCode.UNSET);

    const sections = SECTIONS.map((name) => sectionSpan(spans, name));
    for (const section of sections) {
      expect(parentOf(section)).toBe(idOf(server));
      expect(section.status.code).toBe(SpanStatusCode.UNSET);
      expect(section.attributes['bff.section.outcome']).toBe('ok');
    }

    // Each section's upstream call is one CLIENT span under it, named by method and upstream, never by URL.
    const product = sections[0];
    const catalogAttempts = spans.filter((span) => parentOf(span) === idOf(product));
    expect(catalogAttempts).toHaveLength(1);
    const attempt = catalogAttempts[0];
    expect(attempt.name).toBe('GET catalog');
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      'server.address': '127.0.0.1',
      'bff.upstream': 'catalog',
      'bff.upstream.outcome': 'ok',
    });
    expect(attempt.attributes['http.request.resend_count']).toBeUndefined();
    // The recommendation cards run a plan of their own inside the recommendations section: its sections (the bulk
    // lookup, price and stock) are spans under that section, each with its upstream attempt under it.
    const nested = ['products', 'recommendations-price', 'recommendations-stock'].map((name) => sectionSpan(spans, name));
    for (const section of nested) expect(parentOf(section)).toBe(idOf(sections[SECTIONS.indexOf('recommendations')]));
    for (const section of [...sections.slice(1), ...nested]) {
      const children = spans.filter((span) => parentOf(span) === idOf(section) && !nested.includes(span));
      expect(children.length, `attempts under ${section.name}`).toBeGreaterThanOrEqual(1);
      for (const child of children) expect(child.kind).toBe(SpanKind.CLIENT);
    }
    expect(spans.every((span) => !/p-\d+|127\.0\.0\.1/.test(span.name))).toBe(true);

    // The upstream sees the attempt as its parent, in the same trace (the catalog's last request is the cards' lookup).
    const lookup = spans.find((span) => parentOf(span) === idOf(nested[0]));
    const seen = (await stack.sandbox.admin.stats('catalog')).lastHeaders.traceparent;
    expect(seen).toBe(`00-${inbound.traceId}-${idOf(lookup!)}-01`);
  });

  it('starts a new trace when the request carries no traceparent', async () => {
    const res = await fetch(stack.url + PAGE);
    expect(res.status).toBe(200);
    const deadline = Date.now() + 5_000;
    let server: ReadableSpan | undefined;
    while (!server && Date.now() < deadline) {
      server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER);
      if (!server) await sleep(20);
    }
    expect(server).toBeDefined();
    expect(server?.parentSpanContext).toBeUndefined();
    expect(server?.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('marks a degraded section and its failed attempts as errors', async () => {
    // The page's own price only: the recommendation cards' bulk read (`/prices?ids=`) stays healthy.
    await stack.sandbox.admin.setFaults('pricing', [{ path: '/prices/', status: 500 }]);
    const inbound = inboundTraceparent();
    const { status, body } = await getPage(inbound.header);
    expect(status).toBe(200);
    expect(body.meta.degraded).toEqual([expect.objectContaining({ section: 'price' })]);
    const spans = await traceOf(inbound.traceId);

    const price = sectionSpan(spans, 'price');
    expect(price.status.code).toBe(SpanStatusCode.ERROR);
    expect(price.attributes).toMatchObject({ 'error.type': 'upstream_error', 'bff.section.outcome': 'failed', 'bff.section.stale': false });
    const attempts = spans.filter((span) => parentOf(span) === idOf(price));
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of attempts) {
      expect(attempt.name).toBe('GET pricing');
      expect(attempt.status.code).toBe(SpanStatusCode.ERROR);
      expect(attempt.attributes).toMatchObject({
        'http.response.status_code': 500,
        'error.type': '500',
        'bff.upstream.outcome': 'http_status',
      });
    }
    // The other sections and the request itself are fine.
    expect(sectionSpan(spans, 'product').status.code).toBe(SpanStatusCode.UNSET);
    expect(spans.find((span) => span.kind === SpanKind.SERVER)?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('shows a retried upstream call as two attempts, the second with its resend count', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products/', status: 503, times: 1 }]);
    // No recommendations (so no cards' lookup after the product): the product's attempts are the catalog's last requests.
    await stack.sandbox.admin.setFaults('recommendations', [{ status: 404 }]);
    const inbound = inboundTraceparent();
    const { status, body } = await getPage(inbound.header);
    expect(status).toBe(200);
    expect(body.meta.degraded).toEqual([{ section: 'recommendations', reason: 'not_found' }]);
    const spans = await traceOf(inbound.traceId);

    const product = sectionSpan(spans, 'product');
    expect(product.status.code).toBe(SpanStatusCode.UNSET);
    const attempts = spans
      .filter((span) => parentOf(span) === idOf(product))
      .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    expect(attempts.map((span) => span.name)).toEqual(['GET catalog', 'GET catalog']);
    const [first, second] = attempts;
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.attributes).toMatchObject({ 'http.response.status_code': 503, 'bff.upstream.outcome': 'http_status' });
    expect(first.attributes['http.request.resend_count']).toBeUndefined();
    expect(second.status.code).toBe(SpanStatusCode.UNSET);
    expect(second.attributes).toMatchObject({
      'http.response.status_code': 200,
      'http.request.resend_count': 1,
      'bff.upstream.outcome': 'ok',
    });
    // The upstream saw the second attempt as the parent of its last request.
    expect((await stack.sandbox.admin.stats('catalog')).lastHeaders.traceparent).toBe(`00-${inbound.traceId}-${idOf(second)}-01`);
  });
});

describe('tracing of a section served stale (last good value after a failure)', () => {
  const exporter = new InMemorySpanExporter();
  let stack: Stack;

  beforeAll(async () => {
    // Caching on: the product section's last good value is remembered (stale-if-error).
    stack = await startStack(WebBffModule, WEB_BFF, { ...WEB_AUTH_OFFLINE_ENV }, { spanExporter: exporter });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('marks the stale section as an error with bff.section.stale', async () => {
    expect((await fetch(stack.url + PAGE, { headers: { 'accept-language': 'de' } })).status).toBe(200);
    // Drop the page's cache entry only: the remembered product stays, and is all a failing catalog leaves.
    const pageKey = routeCacheKey({
      namespace: 'web-bff',
      route: '/api/v1/pages/product/:id',
      params: { id: KNOWN_IDS.product },
      query: [],
      vary: [['accept-language', 'de']],
      principal: undefined,
    });
    expect((await stack.app.get(CacheService).invalidateKey(pageKey)).removed).toBeGreaterThan(0);
    await stack.sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    const inbound = inboundTraceparent();
    const res = await fetch(stack.url + PAGE, { headers: { 'accept-language': 'de', traceparent: inbound.header } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { meta: { stale: { section: string }[] } }).meta.stale).toEqual([
      expect.objectContaining({ section: 'product' }),
    ]);
    const deadline = Date.now() + 5_000;
    let product: ReadableSpan | undefined;
    while (!product && Date.now() < deadline) {
      product = exporter
        .getFinishedSpans()
        .find((span) => span.spanContext().traceId === inbound.traceId && span.name === 'section product');
      if (!product) await sleep(20);
    }
    expect(product?.status.code).toBe(SpanStatusCode.ERROR);
    expect(product?.attributes).toMatchObject({
      'bff.section.stale': true,
      'bff.section.outcome': 'stale',
      'error.type': 'upstream_error',
    });
  });
});

const redisUp = await redisAvailable('the traced Redis session suite');

describe.skipIf(!redisUp)('tracing of IdP calls and Redis session commands', () => {
  const exporter = new InMemorySpanExporter();
  const prefix = `t${randomBytes(4).toString('hex')}:session:`;
  let stack: WebAuthStack;

  beforeAll(async () => {
    stack = await startWebAuthStack({ env: { REDIS_URL, SESSION_REDIS_PREFIX: prefix }, tracing: { spanExporter: exporter } });
  });
  afterAll(async () => {
    await stack?.close();
    // The session this suite created: it would only expire.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  /** The server span of the one request to `route`, and the spans below it. */
  async function requestTrace(route: string): Promise<{ server: ReadableSpan; below: ReadableSpan[] }> {
    const deadline = Date.now() + 5_000;
    let server: ReadableSpan | undefined;
    while (!server && Date.now() < deadline) {
      server = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.SERVER && span.attributes['http.route'] === route);
      if (!server) await sleep(20);
    }
    if (!server) throw new Error(`no server span for ${route}`);
    const traceId = server.spanContext().traceId;
    const below = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId && span !== server);
    return { server, below };
  }

  it('shows the code exchange and the session write under the callback, and the session read under a signed-in request', async () => {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    expect(login.response?.status).toBe(302);
    const callback = await requestTrace('/auth/callback');
    const exchange = callback.below.find((span) => span.name === 'idp code-exchange');
    expect(exchange).toMatchObject({ kind: SpanKind.CLIENT, attributes: { 'bff.idp.operation': 'code-exchange' } });
    expect(exchange?.status.code).toBe(SpanStatusCode.UNSET);
    const writes = callback.below.filter((span) => span.attributes['bff.store'] === 'session');
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (const write of writes) expect(write.attributes).toMatchObject({ 'db.system.name': 'redis' });

    exporter.reset();
    expect((await spaFetch(jar, `${stack.url}/auth/user`)).status).toBe(200);
    const user = await requestTrace('/auth/user');
    const read = user.below.find((span) => span.name === 'redis HGETALL');
    expect(read).toMatchObject({ kind: SpanKind.CLIENT, attributes: { 'bff.store': 'session', 'db.operation.name': 'HGETALL' } });
    expect(read?.parentSpanContext?.spanId).toBe(user.server.spanContext().spanId);
  });
});

describe('tracing off (no OTEL endpoint)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, ENV);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('creates no spans and relays the inbound trace context to upstreams unchanged', async () => {
    expect(Tracing.enabled).toBe(false);
    expect(Tracing.start('anything')).toBeUndefined();
    const inbound = inboundTraceparent();
    const res = await fetch(stack.url + PAGE, { headers: { traceparent: inbound.header, tracestate: 'vendor=abc' } });
    expect(res.status).toBe(200);
    const seen = (await stack.sandbox.admin.stats('catalog')).lastHeaders;
    expect(seen.traceparent).toBe(inbound.header);
    expect(seen.tracestate).toBe('vendor=abc');
  });
});

interface OtlpExport {
  readonly headers: IncomingHttpHeaders;
  readonly body: {
    resourceSpans: {
      resource: { attributes: { key: string; value: { stringValue?: string } }[] };
      scopeSpans: { spans: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number }[] }[];
    }[];
  };
}

/** A minimal OTLP/HTTP receiver: records every POST /v1/traces (JSON) and answers 200. */
async function startReceiver(): Promise<{ server: Server; url: string; exports: OtlpExport[] }> {
  const exports: OtlpExport[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        exports.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport['body'] });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, exports };
}

describe('OTLP/HTTP export of the production-started app, configured by OTEL_* variables only', () => {
  let sandbox: Sandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    await new Promise((resolve) => receiver?.server.close(resolve));
    await sandbox?.close();
  });

  it('posts the spans of a request to <endpoint>/v1/traces with the configured headers and resource, and logs carry the trace ids', async () => {
    app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...ENV,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=s3cret',
      OTEL_SERVICE_NAME: 'web-bff-traced',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '1',
    });
    // A failing required section: a 502 the problem filter logs inside the request's span.
    await sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    const inbound = inboundTraceparent();
    const res = await fetch(app.url + PAGE, { headers: { traceparent: inbound.header, 'x-request-id': 'otlp-trace-1' } });
    expect(res.status).toBe(502);
    await res.arrayBuffer();

    // Spans are batched; graceful shutdown flushes them.
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);

    expect(receiver.exports.length).toBeGreaterThanOrEqual(1);
    for (const posted of receiver.exports) {
      expect(posted.headers['content-type']).toMatch(/^application\/json/);
      expect(posted.headers['x-collector-token']).toBe('s3cret');
    }
    const resourceSpans = receiver.exports.flatMap((posted) => posted.body.resourceSpans);
    const resource = Object.fromEntries(resourceSpans[0].resource.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ 'service.name': 'web-bff-traced', 'deployment.environment.name': 'e2e' });
    const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((scope) => scope.spans));
    const server = spans.find((span) => span.name === `GET ${ROUTE}`);
    expect(server).toBeDefined();
    expect(server?.traceId).toBe(inbound.traceId);
    expect(server?.parentSpanId).toBe(inbound.parentId);
    expect(spans.some((span) => span.name === 'section product' && span.parentSpanId === server?.spanId)).toBe(true);
    expect(spans.some((span) => span.name === 'GET catalog' && span.traceId === inbound.traceId)).toBe(true);

    const lines = app
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The problem filter's line about the 502, written while the server span was active.
    const problemLine = lines.find((line) => line.requestId === 'otlp-trace-1' && line.msg !== 'request completed');
    expect(problemLine).toMatchObject({ trace_id: inbound.traceId, span_id: server?.spanId });
    // The access line names the same trace and span.
    const access = lines.find((line) => line.msg === 'request completed' && line.requestId === 'otlp-trace-1');
    expect(access).toMatchObject({ trace_id: inbound.traceId, span_id: server?.spanId, status: 502 });
  });
});
