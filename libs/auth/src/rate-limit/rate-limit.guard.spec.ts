import 'reflect-metadata';

import { Reflector } from '@nestjs/core';
import { Throttle } from '@nestjs/throttler';
import { beforeEach, describe, expect, it } from 'vitest';

import { IDENTITY_SLOT, PlatformError, Protected, Public, type Identity } from '@bff/core';

import { httpContext } from '../__tests__/http-context.js';
import { RateLimitEnv } from './rate-limit.env.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { FailOpenRateLimitStore, MemoryRateLimitStore } from './rate-limit.store.js';

class FeedController {
  @Protected('api-key', ['catalog:read'])
  list(): void {}

  @Protected('api-key', ['catalog:read'])
  lookup(): void {}

  @Public('Open catalogue teaser for the test')
  teaser(): void {}

  @Protected('api-key', ['catalog:read'])
  @Throttle({ default: { limit: 1, ttl: 60_000 } })
  export(): void {}

  // A limit decided per request (a function), resolved by @nestjs/throttler.
  @Protected('api-key', ['catalog:read'])
  @Throttle({ default: { limit: () => 2, ttl: 60_000 } })
  bulk(): void {}
}

const partner = (partnerId: string): Identity => ({
  strategy: 'api-key',
  subject: partnerId,
  partnerId,
  scopes: ['catalog:read'],
  claims: {},
});
const user = (subject: string): Identity => ({ strategy: 'jwt', subject, scopes: [], claims: {} });

interface Call {
  readonly handler: keyof FeedController;
  readonly identity?: Identity;
  readonly ip?: string;
  readonly route?: string;
}

describe('RateLimitGuard', () => {
  let guard: RateLimitGuard;
  let env: RateLimitEnv;
  let headers: Record<string, string>;

  const call = ({ handler, identity, ip = '203.0.113.7', route = '/v1/catalog' }: Call, on: RateLimitGuard = guard): Promise<boolean> => {
    headers = {};
    const request = { ip, routeOptions: { url: route }, headers: {}, [IDENTITY_SLOT]: identity };
    const reply = { header: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)) };
    // The execution context Nest's router builds for a request to the route.
    return on.canActivate(httpContext(request, reply, FeedController, FeedController.prototype[handler]));
  };
  const refusal = (c: Call) =>
    call(c).then(
      () => undefined,
      (error: unknown) => error as PlatformError,
    );

  beforeEach(async () => {
    env = Object.assign(new RateLimitEnv(), { RATE_LIMIT_MAX: 3, RATE_LIMIT_WINDOW_MS: 60_000 });
    guard = new RateLimitGuard(
      { throttlers: [{ name: 'default', limit: 3, ttl: 60_000, blockDuration: 0 }] },
      new MemoryRateLimitStore(),
      new Reflector(),
      env,
    );
    await guard.onModuleInit();
  });

  it("counts a partner's requests across routes and addresses, then refuses with a 429 PlatformError", async () => {
    expect(await call({ handler: 'list', identity: partner('acme') })).toBe(true);
    expect(headers).toMatchObject({ 'ratelimit-policy': '"default";q=3;w=60', ratelimit: '"default";r=2;t=60' });
    await call({ handler: 'lookup', identity: partner('acme'), ip: '198.51.100.1' });
    await call({ handler: 'list', identity: partner('acme'), ip: '198.51.100.2' });
    const error = await refusal({ handler: 'list', identity: partner('acme') });
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toMatchObject({
      kind: 'rate_limited',
      code: 'RATE_LIMITED',
      publicDetail: 'Rate limit exceeded: at most 3 requests per 60 s. Retry later.',
    });
    expect(error!.retryAfterSeconds).toBeGreaterThan(0);
    expect(headers.ratelimit).toMatch(/^"default";r=0;t=\d+$/);
    // Another partner on the same address has its own budget.
    expect(await call({ handler: 'list', identity: partner('globex') })).toBe(true);
  });

  it('keys bearer callers by subject and anonymous callers by IP (IPv6 by /64)', async () => {
    for (let i = 0; i < 3; i++) await call({ handler: 'list', identity: user('c-0001') });
    expect((await refusal({ handler: 'list', identity: user('c-0001') }))?.code).toBe('RATE_LIMITED');
    expect(await call({ handler: 'list', identity: user('c-0002') })).toBe(true);

    await call({ handler: 'teaser', ip: '2001:db8:1:2::1' });
    await call({ handler: 'teaser', ip: '2001:db8:1:2::ffff' });
    await call({ handler: 'teaser', ip: '2001:db8:1:2:abcd::9' });
    expect((await refusal({ handler: 'teaser', ip: '2001:db8:1:2::42' }))?.code).toBe('RATE_LIMITED');
    expect(await call({ handler: 'teaser', ip: '2001:db8:1:3::1' })).toBe(true);
  });

  it('gives a route with its own @Throttle limit its own counter', async () => {
    expect(await call({ handler: 'export', identity: partner('acme') })).toBe(true);
    expect(headers['ratelimit-policy']).toBe('"default";q=1;w=60');
    expect((await refusal({ handler: 'export', identity: partner('acme') }))?.code).toBe('RATE_LIMITED');
    // The shared budget was not used by it.
    for (let i = 0; i < 3; i++) expect(await call({ handler: 'list', identity: partner('acme') })).toBe(true);
  });

  it('never limits health probes, and can be switched off', async () => {
    for (let i = 0; i < 10; i++) expect(await call({ handler: 'teaser', route: '/health/ready' })).toBe(true);
    env.RATE_LIMIT_ENABLED = false;
    for (let i = 0; i < 10; i++) expect(await call({ handler: 'list', identity: partner('acme') })).toBe(true);
  });

  it('counts and refuses the same way through a wrapped (fail-open) store', async () => {
    const viaPromise = new RateLimitGuard(
      { throttlers: [{ name: 'default', limit: 3, ttl: 60_000, blockDuration: 0 }] },
      new FailOpenRateLimitStore(new MemoryRateLimitStore(), () => undefined),
      new Reflector(),
      env,
    );
    await viaPromise.onModuleInit();
    expect(await call({ handler: 'list', identity: partner('acme') }, viaPromise)).toBe(true);
    expect(headers).toMatchObject({ 'ratelimit-policy': '"default";q=3;w=60', ratelimit: '"default";r=2;t=60' });
    await call({ handler: 'lookup', identity: partner('acme') }, viaPromise);
    await call({ handler: 'list', identity: partner('acme') }, viaPromise);
    const error = await call({ handler: 'list', identity: partner('acme') }, viaPromise).then(
      () => undefined,
      (e: unknown) => e as PlatformError,
    );
    expect(error).toMatchObject({ kind: 'rate_limited', code: 'RATE_LIMITED' });
  });

  it('gives a limit decided per request (a function) its own counter, with the same headers and refusal', async () => {
    expect(await call({ handler: 'bulk', identity: partner('acme') })).toBe(true);
    expect(headers).toMatchObject({ 'ratelimit-policy': '"default";q=2;w=60', ratelimit: '"default";r=1;t=60' });
    expect(await call({ handler: 'bulk', identity: partner('acme') })).toBe(true);
    const error = await refusal({ handler: 'bulk', identity: partner('acme') });
    expect(error).toMatchObject({
      kind: 'rate_limited',
      code: 'RATE_LIMITED',
      publicDetail: 'Rate limit exceeded: at most 2 requests per 60 s. Retry later.',
    });
    // Its own counter: the shared budget is untouched, and another partner has its own.
    for (let i = 0; i < 3; i++) expect(await call({ handler: 'list', identity: partner('acme') })).toBe(true);
    expect(await call({ handler: 'bulk', identity: partner('globex') })).toBe(true);
    expect(await refusal({ handler: 'bulk' })).toMatchObject({ kind: 'internal', code: 'RATE_LIMIT_GUARD_ORDER' });
  });

  it('fails loudly when it runs before the AccessGuard (protected route without identity)', async () => {
    expect(await refusal({ handler: 'list' })).toMatchObject({ kind: 'internal', code: 'RATE_LIMIT_GUARD_ORDER' });
  });
});
