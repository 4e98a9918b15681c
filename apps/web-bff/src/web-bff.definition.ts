import { rateLimitEnv, SESSION_COOKIE, SESSION_STRATEGY, sessionAuthEnv } from '@bff/auth';
import { cacheEnv } from '@bff/cache';
import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';
import { idempotencyEnv } from '@bff/upstream';
import { remoteApiEnv, spaEnv, type RemoteApiModuleOptions } from '@bff/web';

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

/**
 * Remote APIs the SPA calls through `/api/remote/{api}/{path}` (docs/frontend.md): only these upstream
 * path prefixes and methods. carts is declared `auth: 'relay'`, so it gets the user's token; catalog never does.
 */
export const WEB_REMOTE_APIS: RemoteApiModuleOptions = {
  apis: {
    catalog: { upstream: 'catalog', paths: ['/products', '/categories'], methods: ['GET'] },
    carts: { upstream: 'carts', paths: ['/carts'], methods: ['GET', 'POST', 'PATCH', 'DELETE'] },
  },
};

export const WEB_BFF = defineApp({
  name: 'web-bff',
  title: 'Web BFF (browser SPA)',
  description:
    'Backend for the browser single-page app. Browsers hold no tokens: they carry one opaque, HttpOnly session cookie. ' +
    'Every error is an RFC 9457 application/problem+json document carrying the request id.',
  version: '1.0.0',
  defaultPort: 3000,
  // The catalog's languages; the default first.
  languages: ['en', 'de', 'fr'],
  env: [retailEnv(WEB_SERVICES), cacheEnv, sessionAuthEnv, rateLimitEnv, idempotencyEnv, spaEnv, remoteApiEnv],
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
