import { describe, expect, it } from 'vitest';

import { tokenExchangeEnv } from './token-exchange.env.js';

const on = {
  JWT_TOKEN_EXCHANGE_CLIENT_ID: 'mobile-bff',
  JWT_TOKEN_EXCHANGE_CLIENT_SECRET: 'mobile-bff-dev-secret',
  JWT_TOKEN_EXCHANGE_RESOURCE: 'https://api.retail.example',
};

describe('tokenExchangeEnv', () => {
  it('is off without a client id, and then asks for nothing else', () => {
    const { value, problems } = tokenExchangeEnv.parse({});
    expect(problems).toEqual([]);
    expect(value).toMatchObject({
      JWT_TOKEN_EXCHANGE_SCOPE: '',
      JWT_TOKEN_EXCHANGE_TIMEOUT_MS: 3_000,
      JWT_TOKEN_EXCHANGE_CACHE_MAX: 10_000,
    });
    expect(value?.JWT_TOKEN_EXCHANGE_CLIENT_ID).toBeUndefined();
  });

  it('with a client id, requires the secret and the resource', () => {
    expect(tokenExchangeEnv.parse(on).problems).toEqual([]);
    expect(tokenExchangeEnv.parse({ JWT_TOKEN_EXCHANGE_CLIENT_ID: 'mobile-bff' }).problems).toEqual([
      'JWT_TOKEN_EXCHANGE_CLIENT_SECRET is required with JWT_TOKEN_EXCHANGE_CLIENT_ID',
      'JWT_TOKEN_EXCHANGE_RESOURCE is required with JWT_TOKEN_EXCHANGE_CLIENT_ID: an absolute URI without fragment',
    ]);
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_CLIENT_SECRET: 'short' }).problems).toEqual([
      'JWT_TOKEN_EXCHANGE_CLIENT_SECRET must be at least 8 characters',
    ]);
  });

  it('checks the issuer, the scope syntax and the bounds', () => {
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_ISSUER: 'http://idp.example.com' }).problems).toHaveLength(1);
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_SCOPE: 'cart:write  orders:read' }).problems).toHaveLength(1);
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_SCOPE: 'cart:write orders:read' }).problems).toEqual([]);
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_TIMEOUT_MS: '50' }).problems).toEqual([
      'JWT_TOKEN_EXCHANGE_TIMEOUT_MS must be an integer between 100 and 30000',
    ]);
    expect(tokenExchangeEnv.parse({ ...on, JWT_TOKEN_EXCHANGE_CACHE_MAX: '-1' }).problems).toHaveLength(1);
  });
});
