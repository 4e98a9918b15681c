import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { API_SECURITY_HEADERS } from './support/headers.js';
import { startApp, type RunningApp } from './support/process.js';
import { expectEdgeProblem, openRaw, rawRequest, type RawConnection } from './support/raw-http.js';
import { expectProblem, upstreamEnvFor } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth-env.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every JSON log line the app wrote so far. */
async function logLines(app: RunningApp): Promise<Record<string, unknown>[]> {
  // A line is written as the response finishes: give the child a moment to flush it.
  await sleep(100);
  return app
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The access-log lines (`request completed`) the app wrote so far, optionally for one request id. */
async function accessLines(app: RunningApp, requestId?: string): Promise<Record<string, unknown>[]> {
  return (await logLines(app)).filter(
    (line) => line.msg === 'request completed' && (requestId === undefined || line.requestId === requestId),
  );
}

/** Resolves with the connection's close time in ms, or undefined when it is still open after `ms`. */
const closedWithin = (connection: RawConnection, ms: number) => Promise.race([connection.closed, sleep(ms).then(() => undefined)]);

/**
 * The edges of the HTTP server (what Fastify and Node answer before any route runs), on the built app
 * exactly as production starts it, over raw sockets where fetch cannot send the request.
 */
describe('HTTP edges answer like the core', () => {
  let sandbox: Sandbox;
  let app: RunningApp;
  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    app = await startApp('web-bff', { ...upstreamEnvFor(sandbox), ...WEB_AUTH_OFFLINE_ENV, LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
    await sandbox?.close();
  });

  describe('framework errors', () => {
    it('answers a malformed percent-encoding in the path with a 400 bad-url problem that does not echo the URL', async () => {
      const res = await rawRequest(
        app.url,
        'GET /api/v1/pages/product/%E0%A4%A HTTP/1.1\r\nHost: shop\r\nX-Request-Id: edge-bad-url\r\n\r\n',
      );
      const body = expectEdgeProblem(res, 400, 'bad-url');
      expect(body.requestId).toBe('edge-bad-url');
      expect(res.body).not.toMatch(/%E0|%A4|pages\/product/);
      expect(await accessLines(app, 'edge-bad-url')).toEqual([
        expect.objectContaining({ method: 'GET', route: '(unmatched)', status: 400, durationMs: expect.any(Number) }),
      ]);
    });

    it('answers a path parameter over 100 characters with a 414 uri-too-long problem that does not echo the URL', async () => {
      const res = await rawRequest(
        app.url,
        `GET /api/v1/pages/product/${'a'.repeat(150)} HTTP/1.1\r\nHost: shop\r\nX-Request-Id: edge-long-param\r\n\r\n`,
      );
      expectEdgeProblem(res, 414, 'uri-too-long');
      expect(res.body).not.toContain('aaaaaaaaaa');
      expect(await accessLines(app, 'edge-long-param')).toEqual([expect.objectContaining({ route: '(unmatched)', status: 414 })]);
    });

    it('answers a request Node cannot parse on the socket: 400 malformed-request problem, Connection: close, then hangs up', async () => {
      const res = await rawRequest(app.url, 'GET /health/live HTTP/1.1\r\nHost: shop\r\nthis is not a header\r\n\r\n');
      const body = expectEdgeProblem(res, 400, 'malformed-request');
      expect(res.headers.connection).toBe('close');
      expect(res.headers.date).toBeDefined();
      // No request line could be trusted: the request id is new, and nothing of the request is echoed.
      expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body).not.toContain('this is not a header');
      await res.closed;
      expect(await accessLines(app, body.requestId as string)).toEqual([expect.objectContaining({ status: 400, route: '(unmatched)' })]);
    });

    it('answers headers over the size limit with a 431 headers-too-large problem on the socket', async () => {
      const res = await rawRequest(app.url, `GET /health/live HTTP/1.1\r\nHost: shop\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
      expectEdgeProblem(res, 431, 'headers-too-large');
      expect(res.headers.connection).toBe('close');
      await res.closed;
    });

    it('still serves healthy requests afterwards, with the same security headers as the edge answers', async () => {
      const res = await fetch(`${app.url}/health/live`);
      expect(res.status).toBe(200);
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
    });
  });
  describe('JSON bodies', () => {
    /** web-bff's public POST (state-changing requests carry the anti-CSRF header). */
    const availability = (body: string, requestId: string) =>
      fetch(`${app.url}/api/v1/products/availability`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf': '1', 'x-request-id': requestId },
        body,
      });
    const nested = (depth: number) => `{"ids":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

    it('refuses ~1,500 nested arrays with a 400 json-too-deep problem before validation, and logs no stack', async () => {
      const body = nested(1_500);
      expect(body.length).toBeLessThan(4_096);
      const res = await availability(body, 'edge-deep-json');
      const problem = await expectProblem(res, 400, 'json-too-deep');
      expect(problem.detail).toContain('32');
      expect(res.headers.get('cache-control')).toBe('no-store');
      for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers.get(name), name).toBe(value);
      expect(await accessLines(app, 'edge-deep-json')).toEqual([expect.objectContaining({ status: 400 })]);
      expect(app.stdout()).not.toMatch(/Maximum call stack|RangeError/);
    });

    it('lets a body nested exactly to the limit through to validation', async () => {
      await expectProblem(await availability(nested(32), 'edge-deep-ok'), 400, 'validation-failed');
    });

    it('refuses a body with more than 1,000 keys in all with a 400 json-too-many-keys problem', async () => {
      const keys = Array.from({ length: 1_000 }, (_, i) => `"k${i}":1`).join(',');
      await expectProblem(await availability(`{"ids":["p-00001"],${keys}}`, 'edge-many-keys'), 400, 'json-too-many-keys');
      // Counted over the whole body, nested objects included.
      const spread = Array.from({ length: 10 }, (_, i) => `"o${i}":{${Array.from({ length: 100 }, (_, j) => `"k${j}":1`).join(',')}}`).join(
        ',',
      );
      await expectProblem(await availability(`{"ids":["p-00001"],${spread}}`, 'edge-many-nested-keys'), 400, 'json-too-many-keys');
    });

    it('still refuses prototype poisoning as malformed JSON', async () => {
      await expectProblem(await availability('{"ids":["p-00001"],"__proto__":{"admin":true}}', 'edge-proto'), 400, 'malformed-json');
      await expectProblem(
        await availability('{"ids":["p-00001"],"constructor":{"prototype":{"admin":true}}}', 'edge-ctor'),
        400,
        'malformed-json',
      );
    });
  });
});

/**
 * Slow clients and connection counts, with small configured limits so the tests finish fast. The limits
 * are Node's own (headersTimeout, requestTimeout, keepAliveTimeout, maxConnections), on real sockets.
 */
describe('slow clients and connection limits', () => {
  let sandbox: Sandbox;
  let app: RunningApp;
  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'info',
      HTTP_HEADERS_TIMEOUT_MS: '500',
      HTTP_REQUEST_TIMEOUT_MS: '1000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
    await sandbox?.close();
  });

  it('answers a body trickled at a few bytes per second with a 408 request-timeout problem once HTTP_REQUEST_TIMEOUT_MS is spent', async () => {
    const connection = await openRaw(app.url);
    connection.write(
      'POST /api/v1/products/availability HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\nX-CSRF: 1\r\n' +
        'X-Request-Id: edge-slow-body\r\nContent-Length: 100\r\n\r\n{',
    );
    const trickle = setInterval(() => connection.write(' '), 200);
    try {
      const res = await connection.response(4_000);
      const body = expectEdgeProblem(res, 408, 'request-timeout');
      expect(body.requestId).toBe('edge-slow-body');
      expect(res.headers.connection).toBe('close');
      const closedAfter = await closedWithin(connection, 2_000);
      expect(closedAfter).toBeGreaterThan(900);
      expect(closedAfter).toBeLessThan(3_500);
    } finally {
      clearInterval(trickle);
      connection.destroy();
    }
    // One access line, naming the route the body was for; nothing logged as a fault.
    expect(await accessLines(app, 'edge-slow-body')).toEqual([
      expect.objectContaining({ method: 'POST', route: '/api/v1/products/availability', status: 408 }),
    ]);
    expect((await logLines(app)).filter((line) => line.level === 'error')).toEqual([]);
  });

  it('answers headers that never finish with a 408 problem once HTTP_HEADERS_TIMEOUT_MS is spent', async () => {
    const connection = await openRaw(app.url);
    connection.write('GET /health/live HTTP/1.1\r\nHost: shop\r\nX-Slow: ');
    const trickle = setInterval(() => connection.write('s'), 100);
    try {
      const res = await connection.response(3_000);
      expectEdgeProblem(res, 408, 'request-timeout');
      expect(res.headers.connection).toBe('close');
      const closedAfter = await closedWithin(connection, 2_000);
      expect(closedAfter).toBeGreaterThan(400);
      expect(closedAfter).toBeLessThan(2_500);
    } finally {
      clearInterval(trickle);
      connection.destroy();
    }
  });

  it('closes a connection that sends nothing after HTTP_HEADERS_TIMEOUT_MS, without an answer nobody asked for', async () => {
    const connection = await openRaw(app.url);
    const closedAfter = await closedWithin(connection, 3_000);
    connection.destroy();
    expect(closedAfter).toBeGreaterThan(400);
    expect(closedAfter).toBeLessThan(2_500);
    expect(connection.received()).toBe('');
  });

  it('closes an idle keep-alive connection after HTTP_KEEP_ALIVE_TIMEOUT_MS, and says so in Keep-Alive', async () => {
    const connection = await openRaw(app.url);
    connection.write('GET /health/live HTTP/1.1\r\nHost: shop\r\n\r\n');
    const res = await connection.response();
    expect(res.status).toBe(200);
    expect(res.headers['keep-alive']).toBe('timeout=1');
    // Node keeps the socket 1 s past the advertised timeout (keepAliveTimeoutBuffer), so the client closes first.
    const closedAfter = await closedWithin(connection, 5_000);
    connection.destroy();
    expect(closedAfter).toBeDefined();
    expect(closedAfter).toBeLessThan(4_000);
  });

  it('still serves healthy requests afterwards', async () => {
    const res = await fetch(`${app.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});

describe('connections per process', () => {
  let sandbox: Sandbox;
  let app: RunningApp;
  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'info',
      HTTP_MAX_CONNECTIONS: '3',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
    });
  });
  afterAll(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
    await sandbox?.close();
  });

  it('refuses connections over HTTP_MAX_CONNECTIONS at once, keeps serving the open ones, and accepts again when one closes', async () => {
    // startApp's readiness probe (fetch) holds a keep-alive connection: the server closes it once idle.
    await sleep(2_500);
    const held: RawConnection[] = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await openRaw(app.url));
      // Accepted: each of the three answers.
      for (const connection of held) {
        connection.write('GET /health/live HTTP/1.1\r\nHost: shop\r\n\r\n');
        expect((await connection.response()).status).toBe(200);
      }

      const refused = await openRaw(app.url);
      refused.write('GET /health/live HTTP/1.1\r\nHost: shop\r\n\r\n');
      expect(await closedWithin(refused, 2_000)).toBeDefined();
      expect(refused.received()).toBe('');

      held.pop()?.destroy();
      await sleep(100);
      const res = await rawRequest(app.url, 'GET /health/live HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
      expect(res.status).toBe(200);
      const warnings = (await logLines(app)).filter((line) => line.level === 'warn' && /HTTP_MAX_CONNECTIONS/.test(String(line.msg)));
      expect(warnings).toHaveLength(1);
    } finally {
      for (const connection of held) connection.destroy();
    }
  });
});
