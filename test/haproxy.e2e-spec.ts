import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CookieJar, KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { startHaproxy, type HaproxyStat, type RunningHaproxy } from './support/haproxy.js';
import { SteadyLoad, summarize, type LoadSample, type LoadTarget } from './support/load.js';
import { freePort, spawnApp } from './support/process.js';
import { REDIS_URL, redisAvailable } from './support/redis.js';
import { upstreamEnvFor } from './support/stack.js';
import { browserLogin, sleep, spaFetch, webAuthEnv } from './support/web-auth.js';

const available = await redisAvailable('the HAProxy suite (instances share their sessions in Redis)');

/** What deploy/haproxy/haproxy.cfg asks of the instances (its head comment). */
const INSTANCE_ENV = {
  TRUST_PROXY: '1',
  // inter 500ms x fall 1, plus a check in flight, with room for a loaded machine.
  SHUTDOWN_DELAY_MS: '2000',
  SHUTDOWN_DRAIN_MS: '5000',
  // The steady load comes from one client address; the limiter (shared in Redis) must not be what fails it.
  RATE_LIMIT_MAX: '1000000',
  LOG_LEVEL: 'warn',
};

interface Instance {
  readonly server: string;
  readonly port: number;
  readonly child: ReturnType<typeof spawnApp>['child'];
  readonly exited: Promise<number | null>;
  readonly err: () => string;
}

/** A request that did not end in the answer its target expects (200), or in no answer at all. */
function failures(samples: readonly LoadSample[]): LoadSample[] {
  return samples.filter((sample) => sample.status !== 200);
}

describe.skipIf(!available)('web-bff instances behind HAProxy (deploy/haproxy/haproxy.cfg)', () => {
  const namespace = `test:haproxy:${randomUUID().slice(0, 8)}:`;
  let sandbox: Sandbox;
  let haproxy: RunningHaproxy;
  let instanceEnv: Record<string, string>;
  const instances = new Map<string, Instance>();
  const jar = new CookieJar();

  /** Starts web-bff `server` (web1 …) on its port as production does, and waits until it is live. */
  async function startInstance(server: string, port: number): Promise<Instance> {
    const proc = spawnApp('web-bff', { ...instanceEnv, HOST: '127.0.0.1', PORT: String(port) });
    const instance = { server, port, child: proc.child, exited: proc.exited, err: proc.err };
    instances.set(server, instance);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.child.exitCode !== null) throw new Error(`${server} exited early (${proc.child.exitCode}): ${proc.err()}`);
      if (
        await fetch(`http://127.0.0.1:${port}/health/live`).then(
          (res) => res.ok,
          () => false,
        )
      )
        return instance;
      if (Date.now() > deadline) throw new Error(`${server} did not become live in 30 s: ${proc.err()}`);
      await sleep(50);
    }
  }

  function instance(server: string): Instance {
    const found = instances.get(server);
    if (!found) throw new Error(`no instance ${server}`);
    return found;
  }

  /** The steady load of a signed-in shopper: public product pages and two session-only routes, ~50-100 req/s. */
  function shopperLoad(): SteadyLoad {
    const productPage: LoadTarget = {
      name: 'GET /api/v1/pages/product/:id',
      request: () => fetch(`${haproxy.url}/api/v1/pages/product/${KNOWN_IDS.product}`),
    };
    const targets: LoadTarget[] = [
      productPage,
      { ...productPage, name: `${productPage.name} (2nd worker)` },
      { name: 'GET /auth/user (session)', request: () => spaFetch(jar, `${haproxy.url}/auth/user`) },
      { name: 'GET /api/v1/me (session)', request: () => spaFetch(jar, `${haproxy.url}/api/v1/me`) },
    ];
    return new SteadyLoad(targets, { pauseMs: 20, maxDurationMs: 60_000, maxRequests: 6_000 });
  }

  beforeAll(async () => {
    const [haproxyPort, ...ports] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const entry = `http://127.0.0.1:${haproxyPort}`;
    // The browser only ever sees HAProxy's address: the IdP redirects back to it, whichever instance answers.
    sandbox = await startSandbox({
      basePort: 0,
      profile: 'test',
      idp: { webRedirectUris: [`${entry}/auth/callback`], webPostLogoutRedirectUris: [`${entry}/`] },
    });
    instanceEnv = {
      ...upstreamEnvFor(sandbox),
      ...webAuthEnv(sandbox.idp!, entry),
      ...INSTANCE_ENV,
      REDIS_URL,
      SESSION_REDIS_PREFIX: `${namespace}session:`,
      AUTH_REDIS_PREFIX: `${namespace}auth:`,
      CACHE_REDIS_KEY_PREFIX: `${namespace}cache:`,
    };
    await Promise.all(ports.map((port, i) => startInstance(`web${i + 1}`, port)));
    haproxy = await startHaproxy({ port: haproxyPort, servers: ports.map((port) => `127.0.0.1:${port}`) });
    await haproxy.waitForStatus(['web1', 'web2', 'web3'], 'UP');

    const login = await browserLogin(entry, jar);
    expect(login.response?.status).toBe(302);
    expect(login.sessionId).toBeDefined();
  }, 60_000);

  afterAll(async () => {
    await haproxy?.stop();
    for (const running of instances.values()) if (running.child.exitCode === null) running.child.kill('SIGKILL');
    await Promise.all([...instances.values()].map((running) => running.exited));
    await sandbox?.close();
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${namespace}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('is the edge: keeps an inbound X-Request-Id, creates one when absent; the session works on every instance', async () => {
    const kept = await fetch(`${haproxy.url}/health/live`, { headers: { 'x-request-id': 'lb-check-1' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-check-1');
    const created = await fetch(`${haproxy.url}/health/live`);
    expect(created.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);

    // Round robin: six requests reach each of the three instances twice, all with the one session.
    const before = await Promise.all(['web1', 'web2', 'web3'].map((name) => haproxy.server(name)));
    for (let i = 0; i < 6; i++) {
      const res = await spaFetch(jar, `${haproxy.url}/auth/user`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ sub: KNOWN_IDS.customer, email: KNOWN_IDS.customerEmail });
    }
    const after = await Promise.all(['web1', 'web2', 'web3'].map((name) => haproxy.server(name)));
    expect(after.map((row, i) => row.sessions - before[i].sessions)).toEqual([2, 2, 2]);
  });

  it('rolling restart with SIGTERM, one instance at a time, under steady load: no request fails, the session holds', async () => {
    const load = shopperLoad();
    const before = await haproxy.stats();
    load.start();
    const restarts: string[] = [];
    try {
      await sleep(1_000);
      for (const server of ['web1', 'web2', 'web3']) {
        const old = instance(server);
        const started = performance.now();
        old.child.kill('SIGTERM');
        // Readiness turns 503 at once: HAProxy takes the instance out while it still serves (SHUTDOWN_DELAY_MS).
        await haproxy.waitForStatus([server], 'DOWN', 5_000);
        const outAfterMs = Math.round(performance.now() - started);
        expect(await old.exited).toBe(0);
        await startInstance(server, old.port);
        await haproxy.waitForStatus([server], 'UP');
        restarts.push(`${server}: out of rotation after ${outAfterMs} ms, back UP after ${Math.round(performance.now() - started)} ms`);
      }
      await sleep(1_000);
    } finally {
      await load.stop();
    }
    const samples = load.samples;
    const stats = await haproxy.stats();
    console.info('rolling restart:', restarts, summarize(samples), distribution(stats));
    expect(failures(samples), JSON.stringify(summarize(samples))).toEqual([]);
    expect(samples.filter((sample) => sample.target.includes('(session)')).length).toBeGreaterThan(100);
    // Lossless without HAProxy's help: no instance refused or failed a request HAProxy then had to send
    // again (which it does for GETs only), so a POST in this load would have gone through as well.
    expect(backendErrors(stats) - backendErrors(before), JSON.stringify(distribution(stats))).toBe(0);
  }, 90_000);

  it('SIGKILL of one instance under steady load: HAProxy retries the GETs it had in flight elsewhere, no request fails', async () => {
    const load = shopperLoad();
    const before = (await haproxy.stats()).find((row) => row.proxy === 'web_bff' && row.name === 'BACKEND')!;
    load.start();
    try {
      await sleep(1_500);
      const victim = instance('web2');
      // A slow upstream keeps requests in flight on every instance, web2 included, when it dies.
      await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.product}`, latencyMs: 150 }]);
      await sleep(500);
      victim.child.kill('SIGKILL');
      expect(await victim.exited).toBeNull();
      await haproxy.waitForStatus(['web2'], 'DOWN', 5_000);
      await sandbox.admin.reset();
      await sleep(1_000);
      await startInstance('web2', victim.port);
      await haproxy.waitForStatus(['web2'], 'UP');
      await sleep(1_000);
    } finally {
      await sandbox.admin.reset();
      await load.stop();
    }
    const samples = load.samples;
    const stats = await haproxy.stats();
    const backend = stats.find((row) => row.proxy === 'web_bff' && row.name === 'BACKEND')!;
    console.info('SIGKILL:', summarize(samples), distribution(stats), {
      retries: backend.retries - before.retries,
      redispatches: backend.redispatches - before.redispatches,
    });
    expect(failures(samples), JSON.stringify(summarize(samples))).toEqual([]);
    // The kill did cut requests: HAProxy had to send some of them again.
    expect(backend.retries + backend.redispatches - before.retries - before.redispatches).toBeGreaterThan(0);
  }, 60_000);
});

/** Attempts HAProxy had to repeat, plus answers other than 2xx, over the backend's servers. */
function backendErrors(stats: readonly HaproxyStat[]): number {
  const servers = stats.filter((row) => row.proxy === 'web_bff' && row.name !== 'BACKEND' && row.name !== 'FRONTEND');
  const backend = stats.find((row) => row.proxy === 'web_bff' && row.name === 'BACKEND');
  return (backend?.retries ?? 0) + (backend?.redispatches ?? 0) + servers.reduce((sum, row) => sum + row.sessions - row.responses2xx, 0);
}

/** Requests and 2xx answers per server, for the report. */
function distribution(stats: readonly { proxy: string; name: string; sessions: number; responses2xx: number }[]): Record<string, string> {
  return Object.fromEntries(
    stats
      .filter((row) => row.proxy === 'web_bff' && row.name !== 'BACKEND' && row.name !== 'FRONTEND')
      .map((row) => [row.name, `${row.sessions} requests, ${row.responses2xx} 2xx`]),
  );
}

describe('HAProxy retries (deploy/haproxy/haproxy.cfg): safe methods only', () => {
  let haproxy: RunningHaproxy;
  const servers: Server[] = [];
  const received: Record<string, number> = {};

  beforeAll(async () => {
    // Three servers that pass the health check and then cut every request they read without answering:
    // what HAProxy sees from an instance that dies with the request in flight (empty-response).
    for (let i = 0; i < 3; i++) {
      const server = createServer((req, res) => {
        if (req.url === '/health/ready') {
          res.end('{"status":"ok"}');
          return;
        }
        received[req.method ?? '?'] = (received[req.method ?? '?'] ?? 0) + 1;
        req.resume();
        req.on('end', () => req.socket.destroy());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
    }
    haproxy = await startHaproxy({
      port: await freePort(),
      servers: servers.map((server) => `127.0.0.1:${(server.address() as { port: number }).port}`),
    });
    await haproxy.waitForStatus(['web1', 'web2', 'web3'], 'UP');
  }, 30_000);

  afterAll(async () => {
    await haproxy?.stop();
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('sends a GET up to 4 times (retries 3, each to another server), a POST, PUT, PATCH or DELETE exactly once', async () => {
    const get = await fetch(`${haproxy.url}/api/v1/me`);
    expect(get.status).toBe(502);
    expect(received.GET).toBe(4);

    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(await statusOnNewConnection(`${haproxy.url}/api/v1/me/cart`, method, '{}')).toBe(502);
      expect(received[method]).toBe(1);
    }
  });
});

/** One request on a connection of its own (HAProxy closes the client connection after a 502). */
function statusOnNewConnection(url: string, method: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
