import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

import { AuthenticatorRegistry, PlatformError, RequestContext, type Authenticator, type Identity } from '@bff/core';

import { bearerCredentials } from '../jwt/bearer.js';
import { InvalidTokenError, JwtVerifier } from '../jwt/jwt-verifier.js';
import { IssuerUnavailableError } from '../oidc/discovery.js';
import { SessionConfig } from './session.config.js';
import { SESSION_ADMIN_STRATEGY } from './session.constants.js';

const CHALLENGE = 'Bearer realm="session-admin"';

/**
 * The 'session-admin' strategy of the platform team's session routes: `Authorization: Bearer` with
 * an access token (JWT, `typ` at+jwt) of the session provider (OIDC_ISSUER_URL) whose `aud` is
 * SESSION_ADMIN_AUDIENCE; the route asks for the scope (SESSION_ADMIN_SCOPE). Without
 * SESSION_ADMIN_AUDIENCE the routes do not exist: every request is the router's 404.
 */
@Injectable()
export class SessionAdminAuthenticator implements Authenticator, OnModuleInit {
  private readonly logger = new Logger('SessionAdminAuthenticator');
  private readonly verifier?: JwtVerifier;

  constructor(
    config: SessionConfig,
    private readonly registry: AuthenticatorRegistry,
  ) {
    const audience = config.env.SESSION_ADMIN_AUDIENCE;
    if (audience) {
      this.verifier = new JwtVerifier({
        issuer: config.env.OIDC_ISSUER_URL,
        audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        clockToleranceSeconds: 30,
        typ: 'at+jwt',
        jwksCooldownMs: 30_000,
        jwksMaxAgeMs: 600_000,
        timeoutMs: config.env.OIDC_TIMEOUT_MS,
      });
    }
  }

  onModuleInit(): void {
    this.registry.register(SESSION_ADMIN_STRATEGY, this);
  }

  async authenticate(request: unknown): Promise<Identity> {
    const { headers, method, url } = request as { headers: Record<string, string | string[] | undefined>; method: string; url: string };
    if (!this.verifier) {
      const path = (url ?? '/').split('?')[0] ?? '/';
      throw new PlatformError('not_found', 'ROUTE_NOT_FOUND', 'Session admin routes are disabled (SESSION_ADMIN_AUDIENCE unset)', {
        publicDetail: `No route matches ${method} ${path.slice(0, 200)}.`,
      });
    }
    const credentials = bearerCredentials(headers);
    if (credentials.kind !== 'token') {
      RequestContext.setResponseHeader('www-authenticate', CHALLENGE);
      throw new PlatformError('unauthorized', 'MISSING_CREDENTIALS', `No usable bearer token (${credentials.kind})`, {
        publicDetail: 'This resource requires a bearer access token.',
      });
    }
    try {
      const verified = await this.verifier.verify(credentials.token);
      return { strategy: SESSION_ADMIN_STRATEGY, subject: verified.subject, scopes: verified.scopes, claims: verified.claims };
    } catch (error) {
      if (error instanceof IssuerUnavailableError) {
        throw new PlatformError('unavailable', 'AUTH_PROVIDER_UNAVAILABLE', 'Identity provider keys are unavailable', {
          publicDetail: 'The access token cannot be verified right now. Retry later.',
          retryAfterSeconds: 5,
          cause: error,
        });
      }
      const reason = error instanceof InvalidTokenError ? error.reason : 'unverifiable';
      this.logger.warn({ reason }, 'Session admin token refused');
      RequestContext.setResponseHeader('www-authenticate', `${CHALLENGE}, error="invalid_token"`);
      throw new PlatformError('unauthorized', 'INVALID_TOKEN', 'Bearer token refused', {
        publicDetail: 'The access token is invalid or expired.',
        context: { reason },
      });
    }
  }
}
