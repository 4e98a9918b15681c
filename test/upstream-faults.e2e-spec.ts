import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { freePort } from './support/process.js';
import { expectProblem, startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/**
 * The fault matrix, end to end: the real web-bff product page (catalog required; price, stock,
 * rating, reviews and recommendations optional) against the real sandbox with injected faults, on
 * both transports. Every case checks the status and body, that the answer arrives within the
 * request deadline plus a small slack, and that the app still serves a healthy page afterwards.
 */
const DEADLINE_MS = 1_200;
const SLACK_MS = 400;
const PAGE = '/api/v1/pages/product/p-00001';
const HEADERS = { 'x-csrf': '1' };

const ENV = {
  // Every request must reach the upstreams: the cached page is covered by the caching suites.
  CACHE_ENABLED: 'false',
  ...WEB_AUTH_OFFLINE_ENV,
  REQUEST_DEADLINE_MS: String(DEADLINE_MS),
  UPSTREAM_CATALOG_TIMEOUT_MS: '400',
  UPSTREAM_CATALOG_MAX_CONCURRENT: '4',
  UPSTREAM_CATALOG_MAX_QUEUE: '2',
};

async function closedPortUrl(): Promise<string> {
  // Nothing listens there, and (below the ephemeral range) no listen(0) of a parallel test takes it.
  return `http://127.0.0.1:${await freePort()}`;
}

describe.each(['undici', 'axios'] as const)('fault matrix on the %s transport', (transport) => {
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

  async function timed(path = PAGE): Promise<{ res: Response; ms: number }> {
    const started = performance.now();
    const res = await fetch(stack.url + path, { headers: HEADERS });
    return { res, ms: performance.now() - started };
  }

  /** After each fault: clear it, and the same app serves the full page again. */
  async function expectHealthy(): Promise<void> {
    await stack.sandbox.admin.clearFaults();
    const res = await fetch(stack.url + PAGE, { headers: HEADERS });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.product.id).toBe('p-00001');
    expect(body.meta.degraded).toEqual([]);
  }

  /** Upstream bodies and URLs never reach the client. */
  function expectNoLeak(body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/Injected fault|sandbox\.bff\.local|127\.0\.0\.1|catalog:\d+|\/products\//);
  }

  it('answers 504 within the deadline when the required upstream is slower than its timeout', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ latencyMs: 3_000 }]);
    const { res, ms } = await timed();
    // Attempts are cut at the 400 ms timeout and retried; the last one is cut by the request deadline.
    expectNoLeak(await expectProblem(res, 504, 'deadline-exceeded'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(ms).toBeGreaterThan(DEADLINE_MS - 100);
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBeGreaterThanOrEqual(2);
    await expectHealthy();
  });

  it('answers 502 for an upstream 500 on the required section, and degrades an optional one', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ status: 500 }]);
    const { res, ms } = await timed();
    expectNoLeak(await expectProblem(res, 502, 'upstream-error'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await stack.sandbox.admin.clearFaults();

    // The page's own price only (`/prices/<id>`): the recommendation cards' bulk read (`/prices?ids=`) stays healthy.
    await stack.sandbox.admin.setFaults('pricing', [{ path: '/prices/', status: 500 }]);
    const page = await timed();
    expect(page.res.status).toBe(200);
    const body = await page.res.json();
    expect(body.price).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'price', reason: 'upstream_error' }]);
    await expectHealthy();
  });

  it("answers 503 with the upstream's Retry-After for an upstream 503", async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ status: 503, retryAfter: 7 }]);
    const { res, ms } = await timed();
    expect(res.headers.get('retry-after')).toBe('7');
    expectNoLeak(await expectProblem(res, 503, 'upstream-unavailable'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    // Retry-After (7 s) does not fit the deadline: no retry was made.
    expect((await stack.sandbox.admin.stats('catalog')).requests).toBe(1);
    await expectHealthy();
  });

  it('answers 502 for a connection reset mid-body', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ resetMidBody: true }]);
    const { res, ms } = await timed();
    expectNoLeak(await expectProblem(res, 502, 'upstream-connection-reset'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });

  it('answers 502 for a malformed JSON body', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ malformed: true }]);
    const { res, ms } = await timed();
    expectNoLeak(await expectProblem(res, 502, 'upstream-malformed-response'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });

  it('answers 502 for a body over the 5 MB limit', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ oversizeBytes: 6 * 1024 * 1024 }]);
    const { res, ms } = await timed();
    expectNoLeak(await expectProblem(res, 502, 'upstream-response-too-large'));
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });

  it('answers 504 for a body that stalls', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ stallMs: 5_000 }]);
    const { res, ms } = await timed();
    expect(res.status).toBe(504);
    expectNoLeak(await res.json());
    expect(ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    await expectHealthy();
  });

  it('retries an idempotent upstream call after a transient failure', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products/', status: 503, times: 1 }]);
    const { res } = await timed();
    expect(res.status).toBe(200);
    expect((await res.json()).meta.degraded).toEqual([]);
    // The product twice (the 503, then the retry); the recommendation cards' bulk lookup once.
    expect((await stack.sandbox.admin.stats('catalog')).byRoute).toEqual({ 'GET /products/:id': 2, 'GET /products': 1 });
  });

  it('fails fast with 503 when the bulkhead and its queue are full', async () => {
    // Slow product reads only: the recommendation cards' bulk lookups come later and must not compete for the bulkhead.
    await stack.sandbox.admin.setFaults('catalog', [{ path: '/products/', latencyMs: 300 }]);
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const res = await fetch(stack.url + PAGE, { headers: HEADERS });
        return { res, at: performance.now() - started };
      }),
    );
    const ok = results.filter((r) => r.res.status === 200);
    const rejected = results.filter((r) => r.res.status === 503);
    expect(ok).toHaveLength(6);
    expect(rejected).toHaveLength(4);
    for (const r of rejected) {
      expect(r.res.headers.get('retry-after')).toBe('1');
      await expectProblem(r.res, 503, 'upstream-overloaded');
      expect(r.at).toBeLessThan(250);
    }
    await expectHealthy();
  });

  it('opens the breaker of a failing optional upstream and stops calling it, while pages keep being served', async () => {
    await stack.sandbox.admin.setFaults('pricing', [{ status: 500 }]);
    // Each page calls pricing twice (its own price, then the recommendation cards' bulk read): the fifth consecutive
    // failure, on the third page, opens the breaker, and that page's bulk read is already refused.
    const sections = async (res: Response) =>
      ((await res.json()) as { meta: { degraded: { section: string; reason: string }[] } }).meta.degraded.map(
        (d) => `${d.section}:${d.reason}`,
      );
    for (let i = 0; i < 2; i++) {
      const res = await fetch(stack.url + PAGE, { headers: HEADERS });
      expect(await sections(res)).toEqual(['price:upstream_error', 'recommendations-price:upstream_error']);
    }
    const third = await fetch(stack.url + PAGE, { headers: HEADERS });
    expect(await sections(third)).toEqual(['price:upstream_error', 'recommendations-price:circuit_open']);
    const { res, ms } = await timed();
    expect(res.status).toBe(200);
    expect(await sections(res)).toEqual(['price:circuit_open', 'recommendations-price:circuit_open']);
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect((await stack.sandbox.admin.stats('pricing')).requests).toBe(5);
    // The rest of the page is unaffected (the half-open/close cycle is covered by the conformance suite).
    const other = await fetch(`${stack.url}/api/v1/pages/product/p-00002`, { headers: HEADERS });
    expect(other.status).toBe(200);
    expect((await other.json()).product.id).toBe('p-00002');
  });
});

describe.each(['undici', 'axios'] as const)('connection refused on the %s transport', (transport) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, {
      ...ENV,
      UPSTREAM_TRANSPORT: transport,
      UPSTREAM_CATALOG_URL: await closedPortUrl(),
      UPSTREAM_RECOMMENDATIONS_URL: await closedPortUrl(),
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('answers 503 with Retry-After when the required upstream refuses connections, and stays alive', async () => {
    const started = performance.now();
    const res = await fetch(stack.url + PAGE, { headers: HEADERS });
    expect(performance.now() - started).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = await expectProblem(res, 503, 'upstream-unavailable');
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    const live = await fetch(`${stack.url}/health/live`);
    expect(live.status).toBe(200);
  });
});

describe.each(['undici', 'axios'] as const)('request deadline spent mid-fan-out on the %s transport', (transport) => {
  // A request deadline tighter than the sections' own budgets: the dependent section gets what is left.
  const TIGHT_MS = 500;
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, {
      CACHE_ENABLED: 'false',
      ...WEB_AUTH_OFFLINE_ENV,
      REQUEST_DEADLINE_MS: String(TIGHT_MS),
      UPSTREAM_TRANSPORT: transport,
    });
  });
  afterAll(async () => {
    await stack.close();
  });

  it('degrades the dependent section, passes the remaining budget upstream, and answers within the deadline', async () => {
    await stack.sandbox.admin.setFaults('catalog', [{ latencyMs: 350, times: 1 }]);
    await stack.sandbox.admin.setFaults('recommendations', [{ latencyMs: 3_000 }]);
    const started = performance.now();
    const res = await fetch(stack.url + PAGE, { headers: HEADERS });
    const ms = performance.now() - started;
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.product.id).toBe('p-00001');
    expect(body.recommendations).toBeNull();
    expect(body.meta.degraded).toEqual([{ section: 'recommendations', reason: 'timeout' }]);
    expect(res.headers.get('x-degraded-sections')).toBe('recommendations');
    expect(ms).toBeGreaterThan(TIGHT_MS - 50);
    expect(ms).toBeLessThan(TIGHT_MS + SLACK_MS);
    // Recommendations started after the product (~350 ms in): it was told only the rest of the 500 ms.
    const budget = Number((await stack.sandbox.admin.stats('recommendations')).lastHeaders['x-request-deadline-ms']);
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThan(TIGHT_MS - 300);

    await stack.sandbox.admin.clearFaults();
    const healthy = await fetch(stack.url + PAGE, { headers: HEADERS });
    expect(healthy.status).toBe(200);
    expect((await healthy.json()).meta.degraded).toEqual([]);
  });
});
