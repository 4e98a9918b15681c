import { rateLimitEnv, SESSION_COOKIE, SESSION_STRATEGY, sessionAuthEnv } from '@bff/auth';
import { cacheEnv } from '@bff/cache';
import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';
import { spaEnv } from '@bff/web';

export const WEB_SERVICES: readonly RetailService[] = [
  'catalog',
  'pricing',
  'inventory',
  'reviews',
  'recommendations',
  'customers',
  'carts',
  'orders',
];

export const WEB_BFF = defineApp({
  name: 'web-bff',
  title: 'Web BFF (browser SPA)',
  description:
    'Backend for the browser single-page app. Browsers hold no tokens: they carry one opaque, HttpOnly session cookie. ' +
    'Every error is an RFC 9457 application/problem+json document carrying the request id.',
  version: '1.0.0',
  defaultPort: 3000,
  env: [retailEnv(WEB_SERVICES), cacheEnv, sessionAuthEnv, rateLimitEnv, spaEnv],
  securitySchemes: {
    // Named like the strategy: @Protected('session', scopes) declares the OpenAPI requirement under that name.
    [SESSION_STRATEGY]: {
      type: 'apiKey',
      in: 'cookie',
      name: SESSION_COOKIE,
      description:
        'Opaque server-side session cookie set by /auth/callback (sign in at /auth/login). Every call using it also needs the header X-CSRF: 1.',
    },
  },
});
