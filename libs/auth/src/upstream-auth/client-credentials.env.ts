import { IsInt, IsString, Max, Min, MinLength, ValidateBy } from 'class-validator';

import { envClass, type EnvSchema } from '@bff/core';

import { isIssuerUrl, issuerMessage } from '../env.util.js';

const TIMEOUT_MESSAGE = 'UPSTREAM_AUTH_TIMEOUT_MS must be an integer between 100 and 30000';

/**
 * The app's own OAuth client, used for upstreams declared `auth: 'client-credentials'`
 * (service-to-service calls made on the app's behalf, not the user's).
 */
export class ClientCredentialsEnv {
  /** Issuer whose token endpoint (found through discovery) issues the tokens. */
  @ValidateBy({ name: 'isIssuerUrl', validator: { validate: isIssuerUrl, defaultMessage: issuerMessage } })
  UPSTREAM_AUTH_ISSUER: string;

  @IsString({ message: 'UPSTREAM_AUTH_CLIENT_ID is required (the OAuth client of this app)' })
  @MinLength(1, { message: 'UPSTREAM_AUTH_CLIENT_ID is required (the OAuth client of this app)' })
  UPSTREAM_AUTH_CLIENT_ID: string;

  @IsString({ message: 'UPSTREAM_AUTH_CLIENT_SECRET is required (the secret of UPSTREAM_AUTH_CLIENT_ID)' })
  @MinLength(1, { message: 'UPSTREAM_AUTH_CLIENT_SECRET is required (the secret of UPSTREAM_AUTH_CLIENT_ID)' })
  UPSTREAM_AUTH_CLIENT_SECRET: string;

  /** Timeout of one token request. */
  @IsInt({ message: TIMEOUT_MESSAGE })
  @Min(100, { message: TIMEOUT_MESSAGE })
  @Max(30_000, { message: TIMEOUT_MESSAGE })
  UPSTREAM_AUTH_TIMEOUT_MS: number = 5_000;
}

/** Env slice of `UpstreamAuthModule.forRoot({ clientCredentials: true })`. */
export const clientCredentialsEnv: EnvSchema<ClientCredentialsEnv> = envClass(ClientCredentialsEnv, 'auth (client credentials)');
