import { randomBytes } from 'node:crypto';

import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expect } from 'vitest';

import { createPlatformApp, type AppDefinition, type TracingOptions } from '@bff/core';

import { startSandbox, type Sandbox } from '../../sandbox/src/index.ts';

export interface Stack {
  readonly url: string;
  readonly sandbox: Sandbox;
  readonly app: NestFastifyApplication;
  close(): Promise<void>;
}

/**
 * The whole environment of an in-process app: the runner's own (a REDIS_URL that CI exports reaches
 * the app, as it reaches a deployed one) under the test's settings. It is handed to
 * createPlatformApp; process.env is never written, so one app's settings never reach the next.
 */
export function appEnv(settings: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return { ...process.env, ...settings };
}

/** The sandbox's upstream URLs as the UPSTREAM_<NAME>_URL variables the apps read (README, "Configuration"). */
export function upstreamEnvFor(sandbox: Sandbox): Record<string, string> {
  return Object.fromEntries(Object.entries(sandbox.urls).map(([name, url]) => [`UPSTREAM_${name.toUpperCase()}_URL`, url]));
}

/**
 * Each stack gets its own Redis key prefixes (rate-limit counters, sessions, cache entries, checkout keys), so
 * suites sharing one Redis (CI sets REDIS_URL) never see each other's state. Suites about sharing
 * state across instances pass the same explicit prefix to every instance.
 */
export function isolatedRedisNamespaces(): Record<string, string> {
  const ns = `t${randomBytes(4).toString('hex')}`;
  return {
    AUTH_REDIS_PREFIX: `${ns}:auth:`,
    SESSION_REDIS_PREFIX: `${ns}:session:`,
    CACHE_REDIS_KEY_PREFIX: `${ns}:cache:`,
    IDEMPOTENCY_REDIS_PREFIX: `${ns}:idempotency:`,
  };
}

/**
 * Boots the real sandbox on ephemeral loopback ports and one real app against it, exactly as
 * production configures it (createPlatformApp is what main.ts runs), listening on an ephemeral port.
 * `env` may be computed from the started sandbox (e.g. the IdP's issuer); `tracing` hands the app a
 * span exporter (e.g. in memory).
 */
export async function startStack(
  module: Type,
  definition: AppDefinition,
  env: Record<string, string> | ((sandbox: Sandbox) => Record<string, string>) = {},
  tracing?: TracingOptions,
): Promise<Stack> {
  const sandbox = await startSandbox({ basePort: 0, profile: 'test' });
  try {
    const app = await createPlatformApp(module, definition, {
      env: appEnv({
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        ...isolatedRedisNamespaces(),
        ...upstreamEnvFor(sandbox),
        ...(typeof env === 'function' ? env(sandbox) : env),
      }),
      tracing,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as { port: number };
    return {
      url: `http://127.0.0.1:${address.port}`,
      sandbox,
      app,
      async close() {
        await app.close();
        await sandbox.close();
      },
    };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}

/** Asserts an RFC 9457 problem answer and returns its body. */
export async function expectProblem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: `https://bff.example.com/problems/${type}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  expect(body.requestId).toBe(res.headers.get('x-request-id'));
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|\bat .*\.(ts|js):\d+/);
  return body;
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
