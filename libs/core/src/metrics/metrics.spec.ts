import 'reflect-metadata';

import { describe, expect, it } from 'vitest';

import type { AppDefinition } from '../app-definition.js';
import { coreEnvSchema } from '../config/core-env.schema.js';
import type { CoreEnv } from '../config/core.env.js';
import { validateEnvironment } from '../config/env-schema.js';
import { HttpMetrics } from './http.metrics.js';
import { MetricsEndpoint } from './metrics.endpoint.js';
import { MetricsService } from './metrics.service.js';

const parse = (env: Record<string, string>) => validateEnvironment([coreEnvSchema], env).get(coreEnvSchema.token) as CoreEnv;

/** The value of the one sample of `name` carrying every label of `labels` (in any order). */
function valueOf(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) && Object.entries(labels).every(([key, value]) => candidate.includes(`${key}="${value}"`)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function service(name = 'test-bff'): MetricsService {
  return new MetricsService({ app: { name } as AppDefinition });
}

describe('METRICS_* settings', () => {
  it('defaults to port 9464 on every address, path /metrics', () => {
    expect(parse({})).toMatchObject({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_PATH: '/metrics' });
  });

  it('accepts off and 0, refuses the public port, junk and a relative path', () => {
    expect(parse({ METRICS_PORT: 'off' }).METRICS_PORT).toBe('off');
    expect(parse({ METRICS_PORT: '0', PORT: '0' }).METRICS_PORT).toBe('0');
    expect(() => parse({ METRICS_PORT: '3000', PORT: '3000' })).toThrow(
      /METRICS_PORT must be off, or a port between 0 and 65535 other than PORT/,
    );
    expect(() => parse({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT must be off, or a port/);
    expect(() => parse({ METRICS_PORT: 'on' })).toThrow(/METRICS_PORT must be off or an integer/);
    expect(() => parse({ METRICS_PATH: 'metrics' })).toThrow(/METRICS_PATH must be an absolute path/);
  });
});

describe('MetricsService', () => {
  it('keeps one registry per app, every series labelled with the app, runtime metrics included', async () => {
    const web = service('web-bff');
    const mobile = service('mobile-bff');
    web.counter({ name: 'demo_total', help: 'demo' }).inc();
    expect(web.names()).toEqual(expect.arrayContaining(['demo_total', 'process_cpu_seconds_total', 'nodejs_eventloop_lag_p99_seconds']));
    expect(mobile.names()).not.toContain('demo_total');
    expect(await web.exposition()).toContain('demo_total{app="web-bff"} 1');
  });

  it('hands a family declared twice back, and reads countersFrom at scrape time', async () => {
    const metrics = service();
    expect(metrics.counter({ name: 'twice_total', help: 'twice' })).toBe(metrics.counter({ name: 'twice_total', help: 'twice' }));
    let kept = 3;
    metrics.countersFrom({ name: 'kept_total', help: 'kept', labelNames: ['kind'] }, () => [[{ kind: 'a' }, kept]]);
    expect(await metrics.exposition()).toContain('kept_total{kind="a",app="test-bff"} 3');
    kept = 5;
    expect(await metrics.exposition()).toContain('kept_total{kind="a",app="test-bff"} 5');
  });
});

describe('HttpMetrics', () => {
  it('labels route patterns, unmatched requests, status classes and unknown methods', async () => {
    const metrics = service();
    const http = new HttpMetrics(metrics);
    http.observe('GET', '/api/v1/products/:id', 200, 12);
    http.observe('GET', '/api/v1/products/:id', 204, 3);
    http.observe('GET', undefined, 404, 1);
    http.observe('PROPFIND', undefined, 404, 1);
    http.observe('POST', '/api/v1/cart', 503, 7_000);
    const text = await metrics.exposition();
    const count = 'http_server_request_duration_seconds_count';
    expect(valueOf(text, count, { method: 'GET', route: '/api/v1/products/:id', status_class: '2xx', app: 'test-bff' })).toBe(2);
    expect(valueOf(text, count, { method: 'GET', route: '(unmatched)', status_class: '4xx' })).toBe(1);
    expect(valueOf(text, count, { method: 'OTHER', route: '(unmatched)', status_class: '4xx' })).toBe(1);
    const bucket = 'http_server_request_duration_seconds_bucket';
    expect(valueOf(text, bucket, { le: '5', method: 'POST', route: '/api/v1/cart', status_class: '5xx' })).toBe(0);
    expect(valueOf(text, bucket, { le: '10', method: 'POST', route: '/api/v1/cart', status_class: '5xx' })).toBe(1);
  });
});

describe('MetricsEndpoint', () => {
  it('serves the exposition on its own port and path, 404 elsewhere, and closes on shutdown', async () => {
    const metrics = service();
    const endpoint = new MetricsEndpoint(
      metrics,
      parse({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_PATH: '/internal/metrics' }),
    );
    const port = await endpoint.listen();
    expect(port).toBeGreaterThan(0);
    const base = `http://127.0.0.1:${port}`;
    const scrape = await fetch(`${base}/internal/metrics?x=1`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await scrape.text()).toContain('process_cpu_seconds_total{app="test-bff"}');
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/internal/metrics`, { method: 'POST' })).status).toBe(404);
    await endpoint.onApplicationShutdown();
    await expect(fetch(`${base}/internal/metrics`)).rejects.toThrow();
  });

  it('opens nothing with METRICS_PORT=off', async () => {
    expect(await new MetricsEndpoint(service(), parse({ METRICS_PORT: 'off' })).listen()).toBeUndefined();
  });
});
