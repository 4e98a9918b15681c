import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { expectProblem, startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/**
 * Upstream faults at the edges of HTTP, end to end through the real web-bff product page (catalog
 * required; price and the other sections optional) on both transports: a host name that does not
 * resolve, response headers far over what an HTTP client accepts, and headers that arrive after the
 * timeout. Every case checks the status and problem type, the time to answer (generous bounds: the
 * machine is a loaded 2-core VM), that nothing leaks, and that the app serves a healthy page afterwards.
 */
const DEADLINE_MS = 1_500;
/** Scheduling slack on a loaded machine. */
const SLACK_MS = 1_000;
const PAGE = '/api/v1/pages/product/p-00001';
const HEADERS = { 'x-csrf': '1' };
/** RFC 6761: `.invalid` never resolves. */
const UNRESOLVABLE = 'http://does-not-exist.invalid:1';

const ENV = {
  // Every request must reach the upstreams: the cached page is covered by the caching suites.
  CACHE_ENABLED: 'false',
  ...WEB_AUTH_OFFLINE_ENV,
  REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  UPSTREAM_CATALOG_TIMEOUT_MS: '500',
};

async function timed(stack: Stack, path = PAGE): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await fetch(stack.url + path, { headers: HEADERS });
  return { res, ms: performance.now() - started };
}

/** Upstream bodies, host names and URLs never reach the client. */
function expectNoLeak(body: unknown): void {
  expect(JSON.stringify(body)).not.toMatch(/does-not-exist|\.invalid|ENOTFOUND|EAI_AGAIN|x-sandbox-padding|overflow|127\.0\.0\.1/i);
}

describe.each(['undici', 'axios'] as const)('an upstream host name that does not resolve, on the %s transport', (transport) => {
  let optional: Stack;
  let required: Stack;

  beforeAll(async () => {
    optional = await startStack(WebBffModule, WEB_BFF, { ...ENV, UPSTREAM_TRANSPORT: transport, UPSTREAM_PRICING_URL: UNRESOLVABLE });
    required = await startStack(WebBffModule, WEB_BFF, { ...ENV, UPSTREAM_TRANSPORT: transport, UPSTREAM_CATALOG_URL: UNRESOLVABLE });
  });
  afterAll(async () => {
    await optional?.close();
    await required?.close();
  });

  it('degrades the optional section (price) and serves the rest of the page; the breaker then stops the lookups', async () => {
    const reasons: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { res, ms } = await timed(optional);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.product.id).toBe('p-00001');
      expect(body.price).toBeNull();
      // The page reads pricing twice: its own price and the recommendation cards' bulk read.
      const degraded = body.meta.degraded as { section: string; reason: string }[];
      expect(degraded.map((entry) => entry.section)).toEqual(['price', 'recommendations-price']);
      reasons.push(...degraded.map((entry) => entry.reason));
      expect(res.headers.get('x-degraded-sections')).toBe('price,recommendations-price');
      expectNoLeak(body);
      expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    }
    // A name that does not resolve is "unavailable" (like a refused connection); after five such
    // failures (attempts and retries) the pricing breaker opens.
    expect(reasons[0]).toBe('unavailable');
    expect(reasons.at(-1)).toBe('circuit_open');
    expect(reasons.every((reason) => reason === 'unavailable' || reason === 'circuit_open')).toBe(true);
  });

  it('answers 503 upstream-unavailable with Retry-After when the required section cannot resolve, never a 500', async () => {
    const { res, ms } = await timed(required);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expectNoLeak(await expectProblem(res, 503, 'upstream-unavailable'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // The app itself is fine: liveness answers, readiness stays in rotation and names the failing dependency.
    expect((await fetch(`${required.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${required.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'degraded', details: { 'upstream:catalog': { status: 'down' } } });
  });
});

describe.each(['undici', 'axios'] as const)('response-header faults on the %s transport', (transport) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, { ...ENV, UPSTREAM_TRANSPORT: transport });
  });
  afterAll(async () => {
    await stack.close();
  });
  beforeEach(async () => {
    await stack.sandbox.admin.reset();
  });

  /** After each fault: clear it, and the same app serves the full page again. */
  async function expectHealthy(): Promise<void> {
    await stack.sandbox.admin.clearFaults();
    const res = await fetch(stack.url + PAGE, { headers: HEADERS });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.product.id).toBe('p-00001');
    expect(body.meta.degraded).toEqual([]);
  }

  it('answers 502 upstream-malformed-response for 64 KB of response headers on the required section, without retrying', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ headerBytes: 64 * 1024 }]);
    const { res, ms } = await timed(stack);
    expectNoLeak(await expectProblem(res, 502, 'upstream-malformed-response'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // The same answer would come back: no retry.
    expect((await stack.sandbox.admin.stats('catalog')).faultsApplied).toBe(1);
    await expectHealthy();
  });

  it('degrades an optional section whose upstream sends 64 KB of headers', async () => {
    // The page's own price only (`/prices/<id>`), not the recommendation cards' bulk read (`/prices?ids=`).
    await stack.sandbox.admin.setFaults('pricing', [{ path: '/prices/', headerBytes: 64 * 1024 }]);
    const { res, ms } = await timed(stack);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.price).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'price', reason: 'malformed_response' }]);
    expectNoLeak(body);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });

  it('accepts headers split across packets when they arrive within the timeout', async () => {
    // The product read only (`/products/<id>`), not the recommendation cards' bulk lookup.
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products/', headerStallMs: 150 }]);
    const { res } = await timed(stack);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.product.id).toBe('p-00001');
    expect(body.meta.degraded).toEqual([]);
    expect((await stack.sandbox.admin.stats('catalog')).faultsApplied).toBe(1);
  });

  it('answers 504 within the deadline when the required upstream sends its headers after the timeout', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ headerStallMs: 5_000 }]);
    const { res, ms } = await timed(stack);
    expect(res.status).toBe(504);
    const body = await res.json();
    // Whichever budget runs out first: the last attempt's timeout, the product section's budget (1.5 s) or the request deadline (1.5 s).
    expect(body.type).toMatch(/\/problems\/(upstream-timeout|section-timeout|deadline-exceeded)$/);
    expectNoLeak(body);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Each attempt was cut at the 500 ms timeout; a timeout is transient, so it was retried within the deadline.
    expect((await stack.sandbox.admin.stats('catalog')).faultsApplied).toBeGreaterThanOrEqual(2);
    await expectHealthy();
  });

  it('degrades an optional section whose headers arrive after its budget', async () => {
    await stack.sandbox.admin.setFaults('pricing', [{ path: '/prices/', headerStallMs: 5_000 }]);
    const { res, ms } = await timed(stack);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.price).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'price', reason: 'timeout' }]);
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });
});
