import { Logger, Module, type DynamicModule, type Provider } from '@nestjs/common';

import { UPSTREAM_TOKEN_SOURCE } from '@bff/upstream';

import { AuthMetrics } from '../auth.metrics.js';
import { JwtAuthEnv } from '../jwt/jwt-auth.env.js';
import { requireEnv } from '../require-env.js';
import { TokenExchangeEnv } from '../token-exchange/token-exchange.env.js';
import { TokenExchange } from '../token-exchange/token-exchange.js';
import { ClientCredentialsEnv } from './client-credentials.env.js';
import { ClientCredentialsTokens } from './client-credentials.js';
import { UpstreamAuthConfigurableModule, type UPSTREAM_AUTH_OPTIONS_TYPE } from './upstream-auth.module-definition.js';
import { AuthUpstreamTokenSource } from './upstream-token.source.js';

/**
 * Provides the UpstreamTokenSource globally (UPSTREAM_TOKEN_SOURCE), so upstreams declared
 * `auth: 'relay'` receive the caller's token and `auth: 'client-credentials'` ones the app's own.
 * With `{ clientCredentials: true }`, list `clientCredentialsEnv` in the app definition; with
 * `{ tokenExchange: true }` (relay upstreams get the caller's token exchanged, RFC 8693), `tokenExchangeEnv`.
 */
@Module({})
export class UpstreamAuthModule extends UpstreamAuthConfigurableModule {
  static forRoot(options: typeof UPSTREAM_AUTH_OPTIONS_TYPE = {}): DynamicModule {
    const base = super.forRoot(options);
    const clientCredentials: Provider[] = options.clientCredentials
      ? [
          {
            provide: ClientCredentialsTokens,
            useFactory: (maybeEnv?: ClientCredentialsEnv) => {
              const env = requireEnv(maybeEnv, 'UpstreamAuthModule (clientCredentials)', 'clientCredentialsEnv');
              return new ClientCredentialsTokens({
                issuer: env.UPSTREAM_AUTH_ISSUER,
                clientId: env.UPSTREAM_AUTH_CLIENT_ID,
                clientSecret: env.UPSTREAM_AUTH_CLIENT_SECRET,
                timeoutMs: env.UPSTREAM_AUTH_TIMEOUT_MS,
              });
            },
            inject: [{ token: ClientCredentialsEnv, optional: true }],
          },
        ]
      : [];
    const tokenExchange: Provider[] = options.tokenExchange
      ? [
          {
            provide: TokenExchange,
            // Off (null) without a client id: relay calls then answer 503 token-exchange-unavailable.
            useFactory: (metrics: AuthMetrics, maybeEnv?: TokenExchangeEnv, jwt?: JwtAuthEnv): TokenExchange | null => {
              const env = requireEnv(maybeEnv, 'UpstreamAuthModule (tokenExchange)', 'tokenExchangeEnv');
              if (env.JWT_TOKEN_EXCHANGE_CLIENT_ID === undefined) {
                new Logger('UpstreamAuth').warn('JWT_TOKEN_EXCHANGE_CLIENT_ID is not set: routes calling relay upstreams answer 503');
                return null;
              }
              const issuer = env.JWT_TOKEN_EXCHANGE_ISSUER ?? jwt?.JWT_ISSUER;
              if (issuer === undefined) throw new Error('JWT_TOKEN_EXCHANGE_ISSUER is required (or JWT_ISSUER, with jwtAuthEnv)');
              return new TokenExchange({
                issuer,
                clientId: env.JWT_TOKEN_EXCHANGE_CLIENT_ID,
                clientSecret: env.JWT_TOKEN_EXCHANGE_CLIENT_SECRET!,
                resource: env.JWT_TOKEN_EXCHANGE_RESOURCE!,
                scope: env.JWT_TOKEN_EXCHANGE_SCOPE || undefined,
                timeoutMs: env.JWT_TOKEN_EXCHANGE_TIMEOUT_MS,
                maxEntries: env.JWT_TOKEN_EXCHANGE_CACHE_MAX,
                onExchange: (outcome) => metrics.tokenExchanged(outcome),
              });
            },
            inject: [AuthMetrics, { token: TokenExchangeEnv, optional: true }, { token: JwtAuthEnv, optional: true }],
          },
          AuthMetrics,
        ]
      : [];
    return {
      ...base,
      global: true,
      providers: [
        ...(base.providers ?? []),
        ...clientCredentials,
        ...tokenExchange,
        AuthUpstreamTokenSource,
        { provide: UPSTREAM_TOKEN_SOURCE, useExisting: AuthUpstreamTokenSource },
      ],
      exports: [UPSTREAM_TOKEN_SOURCE],
    };
  }
}
