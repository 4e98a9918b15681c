import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';

export const WEB_SERVICES: readonly RetailService[] = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations'];

export const WEB_BFF = defineApp({
  name: 'web-bff',
  title: 'Web BFF (browser SPA)',
  description:
    'Backend for the browser single-page app. Browsers hold no tokens: they carry one opaque, HttpOnly session cookie. ' +
    'Every error is an RFC 9457 application/problem+json document carrying the request id.',
  version: '1.0.0',
  defaultPort: 3000,
  env: [retailEnv(WEB_SERVICES)],
  securitySchemes: {
    session: { type: 'apiKey', in: 'cookie', name: '__Host-bff-session', description: 'Opaque server-side session cookie set by /auth/callback.' },
  },
});
