import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';

export const MOBILE_SERVICES: readonly RetailService[] = ['catalog', 'pricing', 'inventory', 'reviews'];

export const MOBILE_BFF = defineApp({
  name: 'mobile-bff',
  title: 'Mobile BFF (native apps)',
  description:
    'Backend for the native iOS and Android apps: compact payloads sized for small screens and slow networks. ' +
    'Callers authenticate with an OAuth 2.0 bearer JWT. Every error is RFC 9457 application/problem+json.',
  version: '1.0.0',
  defaultPort: 3001,
  env: [retailEnv(MOBILE_SERVICES)],
  securitySchemes: {
    bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from the OpenID Connect provider.' },
  },
});
