import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import {
  AuthenticatorRegistry,
  CORE_MODULE_OPTIONS,
  PlatformError,
  RequestContext,
  type Authenticator,
  type CoreModuleOptions,
  type Identity,
} from '@bff/core';

import { JWT_STRATEGY, RELAY_TOKEN_SLOT } from '../auth.constants.js';
import { IssuerUnavailableError } from '../oidc/discovery.js';
import { AuthFailureLimiter } from '../rate-limit/auth-failure.limiter.js';
import { bearerCredentials } from './bearer.js';
import { JWT_AUTH_OPTIONS, type JwtAuthModuleOptions } from './jwt-auth.module-definition.js';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier.js';

/** jose codes that are a token's normal end of life, not an attack: not counted as failed attempts. */
const LIFECYCLE_FAILURES = new Set(['ERR_JWT_EXPIRED']);

/**
 * The 'jwt' strategy: `Authorization: Bearer <access token>` verified by JwtVerifier. On success
 * the identity is { strategy 'jwt', subject: sub, scopes: scope claim, claims } and the token is
 * kept in the request context (RELAY_TOKEN_SLOT) for upstreams declared `auth: 'relay'`.
 *
 * Every refusal is the same generic 401 INVALID_TOKEN (the reason is logged, never sent), with an
 * RFC 6750 WWW-Authenticate challenge. Failed attempts count against the IP's failure budget.
 */
@Injectable()
export class JwtAuthenticator implements Authenticator, OnModuleInit {
  private readonly logger = new Logger('JwtAuthenticator');
  private readonly realm: string;

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly failures: AuthFailureLimiter,
    private readonly registry: AuthenticatorRegistry,
    @Inject(JWT_AUTH_OPTIONS) private readonly options: JwtAuthModuleOptions,
    @Inject(CORE_MODULE_OPTIONS) core: CoreModuleOptions,
  ) {
    this.realm = (options.realm ?? core.app.name).replace(/["\\]/g, '');
  }

  onModuleInit(): void {
    this.registry.register(JWT_STRATEGY, this);
    if (this.options.prefetchKeys ?? true) {
      this.verifier
        .warmUp()
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'Could not prefetch the identity provider keys; retrying on first use',
          ),
        );
    }
  }

  async authenticate(request: unknown): Promise<Identity> {
    await this.failures.assertNotBlocked(JWT_STRATEGY, request);
    const credentials = bearerCredentials((request as { headers: Record<string, string | string[] | undefined> }).headers);
    if (credentials.kind === 'missing') {
      RequestContext.setResponseHeader('www-authenticate', `Bearer realm="${this.realm}"`);
      throw new PlatformError('unauthorized', 'MISSING_CREDENTIALS', 'No bearer token', {
        publicDetail: 'This resource requires a bearer access token.',
      });
    }
    if (credentials.kind === 'malformed') throw await this.refuse(request, 'malformed Authorization header');

    let verified;
    try {
      verified = await this.verifier.verify(credentials.token);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) {
        throw new PlatformError('unavailable', 'AUTH_PROVIDER_UNAVAILABLE', 'Identity provider keys are unavailable', {
          publicDetail: 'The access token cannot be verified right now. Retry later.',
          retryAfterSeconds: 5,
          context: { reason: error.message },
          cause: error,
        });
      }
      const reason = error instanceof InvalidTokenError ? error.reason : 'unverifiable';
      throw await this.refuse(request, reason, !LIFECYCLE_FAILURES.has(reason));
    }
    RequestContext.setSlot(RELAY_TOKEN_SLOT, credentials.token);
    return { strategy: JWT_STRATEGY, subject: verified.subject, scopes: verified.scopes, claims: verified.claims };
  }

  private async refuse(request: unknown, reason: string, counts = true): Promise<PlatformError> {
    const invalid = new PlatformError('unauthorized', 'INVALID_TOKEN', 'Bearer token refused', {
      publicDetail: 'The access token is invalid or expired.',
      context: { reason },
    });
    const error = counts ? await this.failures.recordFailure(JWT_STRATEGY, request, invalid) : invalid;
    if (error === invalid) {
      RequestContext.setResponseHeader(
        'www-authenticate',
        `Bearer realm="${this.realm}", error="invalid_token", error_description="The access token is invalid or expired"`,
      );
    }
    return error;
  }
}
