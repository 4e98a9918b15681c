import { JWT_STRATEGY, jwtAuthEnv, rateLimitEnv, tokenExchangeEnv } from '@bff/auth';
import { cacheEnv } from '@bff/cache';
import { defineApp } from '@bff/core';
import { retailEnv, type RetailService } from '@bff/retail';
import { idempotencyEnv } from '@bff/upstream';

export const MOBILE_SERVICES: readonly RetailService[] = [
  'catalog',
  'pricing',
  'inventory',
  'reviews',
  'recommendations',
  'carts',
  'orders',
];

export const MOBILE_BFF = defineApp({
  name: 'mobile-bff',
  title: 'Mobile BFF (native apps)',
  description:
    'Backend for the native iOS and Android apps: compact payloads sized for small screens and slow networks. ' +
    'Callers authenticate with an OAuth 2.0 access token (JWT), as a bearer token or DPoP-bound (RFC 9449). Every error is RFC 9457 application/problem+json.',
  version: '1.0.0',
  defaultPort: 3001,
  // The catalog's languages; the default first.
  languages: ['en', 'de', 'fr'],
  env: [retailEnv(MOBILE_SERVICES), jwtAuthEnv, rateLimitEnv, cacheEnv, tokenExchangeEnv, idempotencyEnv],
  securitySchemes: {
    // Named like the strategy: @Protected('jwt', scopes) declares the OpenAPI requirement under that name.
    [JWT_STRATEGY]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'OAuth 2.0 access token (JWT, `typ: at+jwt`) from the OpenID provider, obtained by the app with the authorization code flow + PKCE ' +
        '(public client `mobile-app`, resource = this API). Send it as `Authorization: Bearer <token>`, or, for a DPoP-bound token ' +
        '(RFC 9449, `cnf.jkt`; requested with a `DPoP` proof at the token endpoint), as `Authorization: DPoP <token>` together with a ' +
        '`DPoP` header: a fresh proof JWT (`typ: dpop+jwt`, ES256/EdDSA, public `jwk` in the header) with `jti`, `htm` = the method, ' +
        '`htu` = the request URL without query, `iat` (±60 s) and `ath` = base64url(SHA-256(token)). A bound token sent as Bearer is refused; ' +
        'JWT_DPOP=required refuses Bearer altogether. Proof errors: 401 `invalid-dpop-proof`, `WWW-Authenticate: DPoP error="invalid_dpop_proof"`.',
    },
  },
});
