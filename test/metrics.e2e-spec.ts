import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { KNOWN_IDS, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { freePort, startApp, type RunningApp } from './support/process.js';
import { expectProblem, upstreamEnvFor } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth-env.js';

const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

/** One sample of the exposition text: name, labels, value. */
interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2]!;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The summed value of the samples of `name` whose labels include `labels`. */
function total(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** The management port the app logged (METRICS_PORT=0: an ephemeral port, so parallel suites never collide). */
async function loggedMetricsPort(app: RunningApp): Promise<number> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const port = /metrics on [^:\s]+:(\d+)\/metrics/.exec(app.stdout())?.[1];
    if (port) return Number(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the app never logged its metrics port: ${app.stderr()}`);
}

/**
 * The metrics of a real web-bff process (runApp: the production entry point) against the real
 * sandbox: what the management port exposes after a few requests (ok, degraded, upstream timeouts and
 * retries, an open breaker, a 404, an auth failure), that the public port does not serve it, and that
 * a real Prometheus server scrapes it.
 */
describe('metrics', () => {
  let sandbox: Sandbox;
  let app: RunningApp;
  let metricsUrl: string;
  let samples: Sample[];
  let exposition: string;
  /** Requests sent to the product page route, for the Prometheus query. */
  let productPageRequests = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    app = await startApp('web-bff', {
      ...upstreamEnvFor(sandbox),
      ...WEB_AUTH_OFFLINE_ENV,
      LOG_LEVEL: 'info',
      METRICS_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      // Attempts of 100 ms: three of them, with their backoff, end inside the section's 600 ms budget.
      UPSTREAM_RECOMMENDATIONS_TIMEOUT_MS: '100',
    });
    metricsUrl = `http://127.0.0.1:${await loggedMetricsPort(app)}/metrics`;

    const page = async (id: string): Promise<Response> => {
      productPageRequests++;
      return fetch(`${app.url}/api/v1/pages/product/${id}`);
    };
    expect((await page(KNOWN_IDS.product)).status).toBe(200);
    expect((await page(KNOWN_IDS.product)).status).toBe(200);
    // pricing answers 404: the price section degrades.
    expect((await page(KNOWN_IDS.productNoPrice)).headers.get('x-degraded-sections')).toContain('price');
    // recommendations never answers in time: every attempt times out and is retried; after five
    // consecutive faults the breaker opens, and the next call is refused by it.
    await sandbox.admin.setFaults('recommendations', [{ latencyMs: 2_000 }]);
    for (const id of [KNOWN_IDS.productAlt, KNOWN_IDS.productOutOfStock, KNOWN_IDS.productNoReviews]) {
      const res = await page(id);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-degraded-sections')).toContain('recommendations');
    }
    await sandbox.admin.reset();
    await expectProblem(await fetch(`${app.url}/api/v1/nope/${KNOWN_IDS.product}`), 404, 'route-not-found');
    // No session cookie on a protected route: the session strategy refuses it.
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { 'x-csrf': '1' } })).status).toBe(401);

    const res = await fetch(metricsUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    exposition = await res.text();
    samples = parseExposition(exposition);
  }, 60_000);

  afterAll(async () => {
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    await sandbox?.close();
  });

  it('counts requests per route pattern and status class, with the app label', () => {
    const route = '/api/v1/pages/product/:id';
    expect(
      total(samples, 'http_server_request_duration_seconds_count', { app: 'web-bff', method: 'GET', route, status_class: '2xx' }),
    ).toBe(productPageRequests);
    expect(total(samples, 'http_server_request_duration_seconds_count', { route: '(unmatched)', status_class: '4xx' })).toBe(1);
    expect(total(samples, 'http_server_request_duration_seconds_bucket', { route, le: '+Inf' })).toBe(productPageRequests);
    expect(samples.every((sample) => sample.labels.app === 'web-bff')).toBe(true);
  });

  it('records upstream outcomes, retries, the breaker and the bulkhead', () => {
    expect(total(samples, 'bff_upstream_request_duration_seconds_count', { upstream: 'catalog', outcome: 'ok' })).toBeGreaterThanOrEqual(5);
    expect(total(samples, 'bff_upstream_request_duration_seconds_count', { upstream: 'pricing', outcome: '4xx' })).toBe(1);
    expect(
      total(samples, 'bff_upstream_request_duration_seconds_count', { upstream: 'recommendations', outcome: 'timeout' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(samples, 'bff_upstream_request_duration_seconds_count', { upstream: 'recommendations', outcome: 'breaker-open' }),
    ).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'bff_upstream_retries_total', { upstream: 'recommendations' })).toBeGreaterThanOrEqual(2);
    expect(total(samples, 'bff_upstream_breaker_opens_total', { upstream: 'recommendations' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'bff_upstream_breaker_state', { upstream: 'catalog' })).toBe(0);
    // Nothing is in flight between requests; the series exist for every upstream of the app.
    for (const upstream of ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'customers']) {
      expect(
        samples.find((sample) => sample.name === 'bff_upstream_bulkhead_in_flight' && sample.labels.upstream === upstream)?.value,
      ).toBe(0);
      expect(samples.find((sample) => sample.name === 'bff_upstream_bulkhead_queued' && sample.labels.upstream === upstream)?.value).toBe(
        0,
      );
    }
  });

  it('counts aggregation sections per route and outcome', () => {
    const route = '/api/v1/pages/product/:id';
    expect(total(samples, 'bff_aggregation_sections_total', { route, section: 'price', outcome: 'degraded' })).toBe(1);
    expect(
      total(samples, 'bff_aggregation_sections_total', { route, section: 'recommendations', outcome: 'degraded' }),
    ).toBeGreaterThanOrEqual(3);
    expect(total(samples, 'bff_aggregation_sections_total', { route, section: 'product', outcome: 'ok' })).toBeGreaterThanOrEqual(4);
  });

  it('exports the cache, auth and runtime series', () => {
    expect(total(samples, 'bff_cache_lookups_total', { cache: 'responses', outcome: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'bff_cache_lookups_total', { cache: 'responses', outcome: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(samples.some((sample) => sample.name === 'bff_cache_tier_hits_total' && sample.labels.tier === 'l1')).toBe(true);
    expect(samples.some((sample) => sample.name === 'bff_cache_redis_errors_total')).toBe(true);
    expect(total(samples, 'bff_auth_failures_total', { strategy: 'session', reason: 'SESSION_REQUIRED' })).toBe(1);
    for (const runtime of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples.some((sample) => sample.name === runtime)).toBe(true);
    }
  });

  it('never puts a raw URL, id or address in a label', () => {
    const values = samples.flatMap((sample) => Object.values(sample.labels));
    // Every seeded id, lists included (numbers such as page sizes are no ids).
    const ids = Object.values(KNOWN_IDS as Readonly<Record<string, unknown>>)
      .flat()
      .filter((id): id is string => typeof id === 'string' && /\d/.test(id));
    for (const id of ids) expect(values.filter((value) => value.includes(id))).toEqual([]);
    expect(values.filter((value) => /127\.0\.0\.1|https?:|\?/.test(value))).toEqual([]);
    const routes = new Set(samples.flatMap((sample) => (sample.labels.route === undefined ? [] : [sample.labels.route])));
    for (const route of routes) expect(route).toMatch(/^(?:\(unmatched\)|\(none\)|(?:\/(?::?[A-Za-z0-9_-]+|\*))+)$/);
  });

  it('is not served on the public port', async () => {
    await expectProblem(await fetch(`${app.url}/metrics`), 404, 'route-not-found');
    const other = await fetch(metricsUrl.replace(/\/metrics$/, '/health/live'));
    expect(other.status).toBe(404);
  });

  it('is scraped by a real Prometheus server', async () => {
    expect(existsSync(PROMETHEUS), `${PROMETHEUS} is missing: apt-get install prometheus`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'bff-prometheus-'));
    const port = await freePort();
    const target = new URL(metricsUrl);
    writeFileSync(
      join(dir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: web-bff',
        `    metrics_path: ${target.pathname}`,
        '    static_configs:',
        `      - targets: ['${target.host}']`,
        '',
      ].join('\n'),
    );
    const prometheus: ChildProcess = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let log = '';
    prometheus.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const api = `http://127.0.0.1:${port}/api/v1`;
    try {
      const until = Date.now() + 40_000;
      const query = `sum(http_server_request_duration_seconds_count{app="web-bff",route="/api/v1/pages/product/:id"})`;
      let health = '';
      let value: number | undefined;
      while (Date.now() < until && value !== productPageRequests) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        try {
          const targets = (await (await fetch(`${api}/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
          health = targets.data.activeTargets[0]?.health ?? '';
          if (health !== 'up') continue;
          const answer = (await (await fetch(`${api}/query?query=${encodeURIComponent(query)}`)).json()) as {
            data: { result: { value: [number, string] }[] };
          };
          const first = answer.data.result[0];
          value = first ? Number(first.value[1]) : undefined;
        } catch {
          // Prometheus is still starting.
        }
      }
      expect(health, log).toBe('up');
      expect(value, log).toBe(productPageRequests);
      const retries = (await (
        await fetch(`${api}/query?query=${encodeURIComponent('bff_upstream_retries_total{upstream="recommendations"}')}`)
      ).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      expect(retries.data.result[0]?.metric).toMatchObject({ app: 'web-bff', job: 'web-bff', upstream: 'recommendations' });
      expect(Number(retries.data.result[0]?.value[1])).toBeGreaterThanOrEqual(2);
    } finally {
      prometheus.kill('SIGTERM');
      await new Promise((resolve) => (prometheus.exitCode !== null ? resolve(undefined) : prometheus.once('exit', resolve)));
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
