import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KNOWN_IDS, MOBILE_BFF_AUDIENCE, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { PRODUCTION_NODE_FLAGS } from '../scripts/production-node-flags.ts';
import { partnerClientEnv } from './support/partner-keys.js';
import { spawnApp, startApp } from './support/process.js';
import { upstreamEnvFor } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth-env.js';

const ROOT = join(import.meta.dirname, '..');

/** The Dockerfile's last CMD, exec form. */
function dockerCmd(dockerfile: string): string[] {
  const line = dockerfile
    .split('\n')
    .filter((l) => l.startsWith('CMD '))
    .at(-1);
  return JSON.parse(line!.slice(4)) as string[];
}

/** Boots the built apps as production does (`node <production flags> dist/apps/<app>/main.js`, env only). */
describe('production entry points', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
  });
  afterAll(() => sandbox?.close());

  it('refuses to boot on bad config, listing every problem in one message, exit code 1', async () => {
    const env = upstreamEnvFor(sandbox);
    delete env.UPSTREAM_PRICING_URL;
    const proc = spawnApp('web-bff', {
      ...env,
      ...WEB_AUTH_OFFLINE_ENV,
      PORT: 'eighty',
      UPSTREAM_REVIEWS_URL: 'not a url',
      LOG_LEVEL: 'loud',
      PROBLEM_TYPE_BASE: 'ftp://docs.example.com/problems/',
    });
    expect(await proc.exited).toBe(1);
    const message = proc.err();
    expect(message).toContain('Invalid configuration (5 problems)');
    expect(message).toContain('PROBLEM_TYPE_BASE must be an absolute http(s) URL');
    expect(message).toContain('PORT must be an integer between 0 and 65535');
    expect(message).toContain('LOG_LEVEL must be one of');
    expect(message).toContain('UPSTREAM_PRICING_URL is required');
    expect(message).toContain('UPSTREAM_REVIEWS_URL must be an absolute http(s) URL');
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('PROBLEM_TYPE_BASE: problem types point where the docs portal is hosted', async () => {
    const app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'warn',
      PROBLEM_TYPE_BASE: 'https://developer.example.com/bff/problems',
    });
    try {
      const res = await fetch(`${app.url}/no/such/route`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ type: 'https://developer.example.com/bff/problems/route-not-found' });
    } finally {
      app.child.kill('SIGTERM');
      await app.exited;
    }
  });

  it('logs one JSON line per request with method, route, status, duration and request id, secrets redacted', async () => {
    const app = await startApp('web-bff', { ...upstreamEnvFor(sandbox), ...WEB_AUTH_OFFLINE_ENV, LOG_LEVEL: 'debug' });
    try {
      const res = await fetch(`${app.url}/api/v1/pages/product/${KNOWN_IDS.product}`, {
        headers: {
          'x-request-id': 'log-check-1',
          authorization: 'Bearer top-secret-token',
          cookie: 'session=cookie-secret',
          'x-api-key': 'key-secret',
        },
      });
      expect(res.status).toBe(200);
      await new Promise((r) => setTimeout(r, 100));
      const lines = app
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const access = lines.filter((l) => l.msg === 'request completed' && l.requestId === 'log-check-1');
      expect(access).toHaveLength(1);
      expect(access[0]).toMatchObject({
        app: 'web-bff',
        level: 'info',
        method: 'GET',
        route: '/api/v1/pages/product/:id',
        status: 200,
        durationMs: expect.any(Number),
      });
      expect(access[0].headers).toMatchObject({ authorization: '[REDACTED]', cookie: '[REDACTED]', 'x-api-key': '[REDACTED]' });
      expect(app.stdout()).not.toMatch(/top-secret-token|cookie-secret|key-secret/);
    } finally {
      app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
    }
  });

  it('drains on SIGTERM: an in-flight request completes, then the process exits 0', async () => {
    const app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_MS: '5000',
    });
    await sandbox.admin.reset();
    await sandbox.admin.setFaults('catalog', [{ path: `/products/${KNOWN_IDS.product}`, latencyMs: 700 }]);
    try {
      const inFlight = fetch(`${app.url}/api/v1/pages/product/${KNOWN_IDS.product}`);
      // Wait until the slow upstream call is under way, then ask the app to stop.
      for (let i = 0; i < 100 && (await sandbox.admin.stats('catalog')).requests === 0; i++) await new Promise((r) => setTimeout(r, 10));
      app.child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect((await res.json()).product.id).toBe(KNOWN_IDS.product);
      expect(await app.exited).toBe(0);
      await expect(fetch(`${app.url}/health/live`)).rejects.toThrow();
    } finally {
      await sandbox.admin.reset();
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });

  it('SHUTDOWN_DELAY_MS: on SIGTERM readiness turns 503 at once, new connections are still served for the delay, then it exits 0', async () => {
    const delayMs = 1_500;
    const app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_MS: String(delayMs),
      SHUTDOWN_DRAIN_MS: '5000',
    });
    try {
      const signalledAt = performance.now();
      app.child.kill('SIGTERM');
      let ready = await getOnNewConnection(`${app.url}/health/ready`);
      // The signal is delivered asynchronously: the first probe may still come before it.
      for (let i = 0; i < 50 && ready.status !== 503; i++) ready = await getOnNewConnection(`${app.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.parse(ready.body)).toMatchObject({ type: 'https://bff.example.com/problems/draining' });
      // What a load balancer sends until its health check has noticed: accepted and answered in full.
      const page = await getOnNewConnection(`${app.url}/api/v1/pages/product/${KNOWN_IDS.product}`);
      expect(page.status).toBe(200);
      expect((JSON.parse(page.body) as { product: { id: string } }).product.id).toBe(KNOWN_IDS.product);
      expect(performance.now() - signalledAt).toBeLessThan(delayMs);
      expect(await app.exited).toBe(0);
      // Nothing was closed before the delay was over (a little slack for timer granularity).
      expect(performance.now() - signalledAt).toBeGreaterThanOrEqual(delayMs - 50);
      await expect(fetch(`${app.url}/health/live`)).rejects.toThrow();
    } finally {
      if (app.child.exitCode === null) app.child.kill('SIGKILL');
    }
  });

  for (const name of ['mobile-bff', 'partner-bff']) {
    it(`${name} boots from dist and exits 0 on SIGINT`, async () => {
      // mobile-bff validates bearer tokens of the sandbox IdP (JWT_* are ignored by partner-bff).
      const app = await startApp(name, {
        ...upstreamEnvFor(sandbox),
        JWT_ISSUER: sandbox.idp!.issuer,
        JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
        ...partnerClientEnv(sandbox.idp!.issuer),
        LOG_LEVEL: 'warn',
      });
      expect((await fetch(`${app.url}/health/ready`)).status).toBe(200);
      app.child.kill('SIGINT');
      expect(await app.exited).toBe(0);
    });
  }

  it('runs the apps with the node flags of the Dockerfile CMD, and the Dockerfile lint refuses a CMD without them', async () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect(PRODUCTION_NODE_FLAGS).toContain('--no-memory-reducer');
    expect(dockerCmd(dockerfile)).toEqual(['node', ...PRODUCTION_NODE_FLAGS, '/app/main.js']);

    const app = spawnApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
    });
    try {
      const argv = readFileSync(`/proc/${app.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      expect(argv.slice(1, 1 + PRODUCTION_NODE_FLAGS.length)).toEqual([...PRODUCTION_NODE_FLAGS]);
    } finally {
      app.child.kill('SIGKILL');
      await app.exited;
    }

    const dir = mkdtempSync(join(tmpdir(), 'dockerfile-'));
    try {
      const withoutFlag = dockerfile.replace('"--no-memory-reducer", ', '');
      expect(dockerCmd(withoutFlag)).not.toContain('--no-memory-reducer');
      writeFileSync(join(dir, 'Dockerfile'), withoutFlag);
      const lint = promisify(execFile)(process.execPath, [join(ROOT, 'scripts/lint-dockerfile.mjs'), join(dir, 'Dockerfile')]);
      await expect(lint).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining('CMD must start node with the production node flags'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A GET on a connection of its own (never a pooled keep-alive one): proves the server still accepts connections. */
function getOnNewConnection(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
