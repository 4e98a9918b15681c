import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';

import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';

import { createPlatformApp, type AppDefinition } from '@bff/core';

import { startSandbox, type AuthzMode, type Sandbox } from '../../sandbox/src/index.ts';
import { freePort } from './process.js';
import { pingRedis } from './redis.js';
import { appEnv, isolatedRedisNamespaces, upstreamEnvFor } from './stack.js';

/** A key prefix of our own on the shared Redis, so tests never see (or delete) anyone else's keys. */
export function testPrefix(): string {
  return `test:cache:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix`. */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

export async function keysUnder(url: string, prefix: string): Promise<string[]> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      out.push(...keys);
    } while (cursor !== '0');
    return out;
  } finally {
    client.disconnect();
  }
}

/** A redis-server of our own, to stop and restart mid-test (never the shared one). */
export interface ThrowawayRedis {
  readonly url: string;
  start(): Promise<void>;
  /** SIGKILL: the server is gone at once, its data with it (nothing is persisted). */
  stop(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and data but answers nothing until resume(). */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

export async function throwawayRedis(): Promise<ThrowawayRedis> {
  for (let attempt = 1; ; attempt++) {
    const server = throwawayRedisOn(await freePort());
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // The port was taken between freePort() and redis-server's bind: pick another one.
      if (attempt < 3) continue;
      throw error;
    }
  }
}

function throwawayRedisOn(port: number): ThrowawayRedis {
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  return {
    url,
    async start() {
      const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: 'ignore',
      });
      child = started;
      const deadline = Date.now() + 5_000;
      // Ping only while our redis-server runs: if it exited (port taken), a ping could reach someone else's.
      while (started.exitCode === null && !(await pingRedis(url))) {
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
        await new Promise((r) => setTimeout(r, 25));
      }
      if (started.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${started.exitCode})`);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
    pause() {
      if (!child || child.exitCode !== null) throw new Error('redis-server is not running');
      child.kill('SIGSTOP');
    },
    resume() {
      if (child && child.exitCode === null) child.kill('SIGCONT');
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 25 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * The whole sandbox (every retail service, the IdP) on ephemeral loopback ports. `authz: 'off'` for
 * suites whose callers are stand-ins without real tokens (customers, carts and orders then answer anyone).
 */
export function startTestSandbox(options: { authz?: AuthzMode } = {}): Promise<Sandbox> {
  return startSandbox({ basePort: 0, profile: 'test', ...options });
}

export interface CacheApp {
  readonly url: string;
  readonly app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * One real app against `sandbox`, configured only by env like production, on an ephemeral port.
 * The cache is this instance's memory unless `env` names a REDIS_URL (a REDIS_URL exported by CI
 * for the Redis suites is not picked up by accident), and every Redis key prefix is the test's own.
 */
export async function startCacheApp(
  module: Type,
  definition: AppDefinition,
  sandbox: Sandbox,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<CacheApp> {
  const app = await createPlatformApp(module, definition, {
    env: appEnv({
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      ...isolatedRedisNamespaces(),
      ...(env.REDIS_URL ? {} : { CACHE_STORE: 'memory' }),
      ...upstreamEnvFor(sandbox),
      ...env,
    }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, app, close: () => app.close() };
}
