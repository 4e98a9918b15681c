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
