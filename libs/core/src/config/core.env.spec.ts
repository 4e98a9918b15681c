import 'reflect-metadata';

import { describe, expect, it } from 'vitest';

import { coreEnvSchema } from './core-env.schema.js';
import type { CoreEnv } from './core.env.js';
import { ConfigValidationError, validateEnvironment } from './env-schema.js';

const parse = (env: Record<string, string>) => validateEnvironment([coreEnvSchema], env).get(coreEnvSchema.token) as CoreEnv;

describe('CoreEnv: limits and timeouts', () => {
  it('defaults to what a process behind a load balancer needs', () => {
    expect(parse({})).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 72_000,
      HTTP_MAX_CONNECTIONS: 10_000,
      JSON_MAX_DEPTH: 32,
      JSON_MAX_KEYS: 1_000,
    });
  });

  it('refuses a headers timeout longer than the request timeout, and values out of range, naming each', () => {
    const attempt = () =>
      parse({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000', HTTP_MAX_CONNECTIONS: '0', JSON_MAX_DEPTH: '1000' });
    expect(attempt).toThrow(ConfigValidationError);
    expect(attempt).toThrow(/HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS/);
    expect(attempt).toThrow(/HTTP_MAX_CONNECTIONS must be an integer between 1 and 1000000/);
    expect(attempt).toThrow(/JSON_MAX_DEPTH must be an integer between 1 and 256/);
  });
});

describe('CoreEnv: Redis topology', () => {
  it('defaults to standalone, where REDIS_URL alone turns Redis on', () => {
    expect(parse({})).toMatchObject({ REDIS_MODE: 'standalone', REDIS_SENTINELS: [], REDIS_CLUSTER_NODES: [], REDIS_TLS: false });
    expect(parse({ REDIS_URL: 'rediss://user:pw@redis:6380' }).REDIS_URL).toBe('rediss://user:pw@redis:6380');
  });

  it('reads a sentinel set and a cluster as host:port lists', () => {
    expect(
      parse({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: 'a:26379, b:26379,[::1]:26380', REDIS_SENTINEL_NAME: 'bff', REDIS_PASSWORD: 'pw' }),
    ).toMatchObject({ REDIS_SENTINELS: ['a:26379', 'b:26379', '[::1]:26380'], REDIS_SENTINEL_NAME: 'bff', REDIS_PASSWORD: 'pw' });
    expect(parse({ REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: 'n1:7000,n2:7000', REDIS_TLS: 'true' })).toMatchObject({
      REDIS_CLUSTER_NODES: ['n1:7000', 'n2:7000'],
      REDIS_TLS: true,
    });
  });

  it('refuses settings of another mode and missing ones, naming each', () => {
    const sentinelWithoutName = () => parse({ REDIS_MODE: 'sentinel', REDIS_SENTINELS: 'a:26379', REDIS_URL: 'redis://x:6379' });
    expect(sentinelWithoutName).toThrow(/REDIS_SENTINEL_NAME .* is required/);
    expect(sentinelWithoutName).toThrow(/REDIS_URL is for REDIS_MODE=standalone/);
    const clusterWithoutNodes = () => parse({ REDIS_MODE: 'cluster', REDIS_SENTINELS: 'a:26379', REDIS_CLUSTER_NODES: 'n1' });
    expect(clusterWithoutNodes).toThrow(/REDIS_CLUSTER_NODES must be a comma-separated list of host:port/);
    expect(clusterWithoutNodes).toThrow(
      /REDIS_SENTINELS must be a comma-separated list of host:port, and is only read with REDIS_MODE=sentinel/,
    );
    expect(() => parse({ REDIS_PASSWORD: 'pw', REDIS_URL: 'redis://x:6379' })).toThrow(/REDIS_PASSWORD is for sentinel\/cluster/);
    expect(() => parse({ REDIS_MODE: 'replicated' })).toThrow(/REDIS_MODE must be one of standalone, sentinel, cluster/);
  });
});

describe('CoreEnv: PROBLEM_TYPE_BASE', () => {
  it('accepts an absolute http(s) base, and no value at all', () => {
    expect(parse({}).PROBLEM_TYPE_BASE).toBeUndefined();
    expect(parse({ PROBLEM_TYPE_BASE: 'https://developer.example.com/bff/problems/' }).PROBLEM_TYPE_BASE).toBe(
      'https://developer.example.com/bff/problems/',
    );
    expect(parse({ PROBLEM_TYPE_BASE: 'http://localhost:3010/problems' }).PROBLEM_TYPE_BASE).toBe('http://localhost:3010/problems');
  });

  it('refuses a relative URL, another scheme, a query or a fragment', () => {
    for (const bad of ['/problems/', 'ftp://docs/problems/', 'https://docs/problems/?v=1', 'https://docs/problems/#x']) {
      expect(() => parse({ PROBLEM_TYPE_BASE: bad }), bad).toThrow(/PROBLEM_TYPE_BASE must be an absolute http\(s\) URL/);
    }
  });
});
