import { JWT_STRATEGY, jwtAuthEnv, rateLimitEnv } from '@bff/auth';
import { cacheEnv } from '@bff/cache';
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
  env: [retailEnv(MOBILE_SERVICES), jwtAuthEnv, rateLimitEnv, cacheEnv],
  securitySchemes: {
    // Named like the strategy: @Protected('jwt', scopes) declares the OpenAPI requirement under that name.
    [JWT_STRATEGY]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'OAuth 2.0 access token (JWT, `typ: at+jwt`) from the OpenID provider, obtained by the app with the authorization code flow + PKCE ' +
        '(public client `mobile-app`, resource = this API). Send it as `Authorization: Bearer <token>`.',
    },
  },
});
