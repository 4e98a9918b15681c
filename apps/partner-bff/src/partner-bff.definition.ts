import { API_KEY_STRATEGY, apiKeyAuthEnv, clientCredentialsEnv, partnerQuotaEnv, rateLimitEnv } from '@bff/auth';
import { cacheEnv } from '@bff/cache';
import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';

export const PARTNER_SERVICES: readonly RetailService[] = ['catalog', 'pricing', 'inventory', 'orders'];

export const PARTNER_BFF = defineApp({
  name: 'partner-bff',
  title: 'Partner BFF (third-party API)',
  description:
    'Stable, versioned API for third-party partners: paged catalogue feeds with prices and availability. ' +
    'Partners authenticate with an API key in X-Api-Key. Every error is RFC 9457 application/problem+json.',
  version: '1.0.0',
  defaultPort: 3002,
  // Partner feeds are English only: whatever a partner sends, upstreams are asked for en.
  languages: ['en'],
  env: [retailEnv(PARTNER_SERVICES), apiKeyAuthEnv, rateLimitEnv, partnerQuotaEnv, cacheEnv, clientCredentialsEnv],
  securitySchemes: {
    // Named like the strategy: @Protected('api-key', scopes) declares the OpenAPI requirement under that name.
    [API_KEY_STRATEGY]: {
      type: 'apiKey',
      in: 'header',
      name: 'X-Api-Key',
      description:
        'Partner API key (`bffpk_…`) issued by the platform team, bound to your partner id and scopes. Failed attempts are rate limited per IP.',
    },
  },
});
