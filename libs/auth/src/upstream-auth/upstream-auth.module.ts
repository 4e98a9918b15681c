import { Module, type DynamicModule, type Provider } from '@nestjs/common';

import { UPSTREAM_TOKEN_SOURCE } from '@bff/upstream';

import { requireEnv } from '../require-env.js';
import { ClientCredentialsEnv } from './client-credentials.env.js';
import { ClientCredentialsTokens } from './client-credentials.js';
import { UpstreamAuthConfigurableModule, type UPSTREAM_AUTH_OPTIONS_TYPE } from './upstream-auth.module-definition.js';
import { AuthUpstreamTokenSource } from './upstream-token.source.js';

/**
 * Provides the UpstreamTokenSource globally (UPSTREAM_TOKEN_SOURCE), so upstreams declared
 * `auth: 'relay'` receive the caller's token and `auth: 'client-credentials'` ones the app's own.
 * With `{ clientCredentials: true }`, list `clientCredentialsEnv` in the app definition.
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
    return {
      ...base,
      global: true,
      providers: [
        ...(base.providers ?? []),
        ...clientCredentials,
        AuthUpstreamTokenSource,
        { provide: UPSTREAM_TOKEN_SOURCE, useExisting: AuthUpstreamTokenSource },
      ],
      exports: [UPSTREAM_TOKEN_SOURCE],
    };
  }
}
