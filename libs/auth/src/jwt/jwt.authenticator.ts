import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { JWTPayload } from 'jose';

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
import { tokenCredentials } from './bearer.js';
import { DpopProofVerifier, DpopReplayCacheUnavailableError, InvalidDpopProofError, type DpopMode } from './dpop.js';
import { JwtAuthEnv } from './jwt-auth.env.js';
import { JWT_AUTH_OPTIONS, type JwtAuthModuleOptions } from './jwt-auth.module-definition.js';
import { InvalidTokenError, JwtVerifier } from './jwt-verifier.js';

/** jose codes that are a token's normal end of life, not an attack: not counted as failed attempts. */
const LIFECYCLE_FAILURES = new Set(['ERR_JWT_EXPIRED']);

/**
 * The 'jwt' strategy: `Authorization: Bearer <access token>` verified by JwtVerifier. On success
 * the identity is { strategy 'jwt', subject: sub, scopes: scope claim, claims } and the token is
 * kept in the request context (RELAY_TOKEN_SLOT) for upstreams declared `auth: 'relay'`.
 *
 * With JWT_DPOP (RFC 9449) it also accepts `Authorization: DPoP <token>` + a `DPoP` proof header,
 * and refuses a key-bound token (`cnf.jkt`) presented as a plain bearer token.
 *
 * Every refusal is the same generic 401 INVALID_TOKEN or INVALID_DPOP_PROOF (the reason is logged,
 * never sent), with an RFC 6750 / RFC 9449 WWW-Authenticate challenge. Failed attempts count against the IP's failure budget.
 */
@Injectable()
export class JwtAuthenticator implements Authenticator, OnModuleInit {
  private readonly logger = new Logger('JwtAuthenticator');
  private readonly realm: string;
  private readonly dpop: { readonly mode: DpopMode; readonly algorithms: readonly string[]; readonly publicOrigin: string };

  constructor(
    private readonly verifier: JwtVerifier,
    private readonly failures: AuthFailureLimiter,
    private readonly registry: AuthenticatorRegistry,
    @Inject(JWT_AUTH_OPTIONS) private readonly options: JwtAuthModuleOptions,
    @Inject(CORE_MODULE_OPTIONS) core: CoreModuleOptions,
    private readonly dpopVerifier: DpopProofVerifier,
    env: JwtAuthEnv,
  ) {
    this.realm = (options.realm ?? core.app.name).replace(/["\\]/g, '');
    this.dpop = {
      mode: env.JWT_DPOP,
      algorithms: env.JWT_DPOP_ALGORITHMS,
      publicOrigin: env.JWT_DPOP_PUBLIC_ORIGIN.replace(/\/$/, ''),
    };
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
    const { headers } = request as { headers: Record<string, string | string[] | undefined> };
    const credentials = tokenCredentials(headers);
    if (credentials.kind === 'missing') {
      RequestContext.setResponseHeader('www-authenticate', this.challenges());
      throw new PlatformError('unauthorized', 'MISSING_CREDENTIALS', 'No bearer token', {
        publicDetail:
          this.dpop.mode === 'required'
            ? 'This resource requires a DPoP-bound access token.'
            : 'This resource requires a bearer access token.',
      });
    }
    if (credentials.kind === 'malformed') throw await this.refuse(request, 'malformed Authorization header');
    const { scheme, token } = credentials;
    if (scheme === 'dpop' && this.dpop.mode === 'off') throw await this.refuse(request, 'DPoP scheme while JWT_DPOP=off');
    if (scheme === 'bearer' && this.dpop.mode === 'required')
      throw await this.refuse(request, 'plain bearer token while JWT_DPOP=required');

    let verified;
    try {
      verified = await this.verifier.verify(token);
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
      throw await this.refuse(request, reason, !LIFECYCLE_FAILURES.has(reason), scheme);
    }
    if (this.dpop.mode !== 'off') await this.checkBinding(request, scheme, token, verified.claims);
    RequestContext.setSlot(RELAY_TOKEN_SLOT, token);
    return { strategy: JWT_STRATEGY, subject: verified.subject, scopes: verified.scopes, claims: verified.claims };
  }

  /**
   * RFC 9449 §7: a token bound to a key (`cnf.jkt`) is only accepted with the DPoP scheme and a
   * valid proof of that key; the DPoP scheme with an unbound token is refused too.
   */
  private async checkBinding(request: unknown, scheme: 'bearer' | 'dpop', token: string, claims: JWTPayload): Promise<void> {
    const cnf = claims.cnf as { jkt?: unknown } | undefined;
    const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
    if (scheme === 'bearer') {
      if (jkt !== undefined) throw await this.refuse(request, 'DPoP-bound token presented as a bearer token');
      return;
    }
    if (jkt === undefined) throw await this.refuse(request, 'DPoP scheme with a token not bound to a key', true, 'dpop');
    const { headers, method } = request as { headers: Record<string, string | string[] | undefined>; method: string };
    const proof = headers.dpop;
    // Exactly one DPoP header (RFC 9449 §4.3, check 1).
    if (typeof proof !== 'string' || proof.length === 0 || proof.includes(',')) {
      throw await this.refuseProof(request, typeof proof === 'string' && proof.length > 0 ? 'more than one DPoP proof' : 'no DPoP proof');
    }
    try {
      await this.dpopVerifier.verify({ proof, method, url: this.externalUrl(request), accessToken: token, jkt });
    } catch (error) {
      if (error instanceof DpopReplayCacheUnavailableError) {
        throw new PlatformError('unavailable', 'AUTH_BACKEND_UNAVAILABLE', 'DPoP replay cache unavailable', {
          publicDetail: 'The request cannot be authenticated right now. Retry later.',
          retryAfterSeconds: 5,
          cause: error,
        });
      }
      throw await this.refuseProof(request, error instanceof InvalidDpopProofError ? error.reason : 'unverifiable');
    }
  }

  /**
   * The URL the client addressed (the proof's `htu`): JWT_DPOP_PUBLIC_ORIGIN when set (behind a
   * proxy that rewrites Host or terminates TLS), else the request's scheme and host, which Fastify
   * takes from X-Forwarded-Proto/Host only when TRUST_PROXY trusts the sender. Path without query.
   */
  private externalUrl(request: unknown): string {
    const { protocol, host, url } = request as { protocol?: string; host?: string; url: string };
    const origin = this.dpop.publicOrigin || `${protocol ?? 'http'}://${host ?? ''}`;
    return `${origin}${(url ?? '/').split(/[?#]/)[0] ?? '/'}`;
  }

  /** The challenges of a 401 without credentials: Bearer and/or DPoP, as configured. */
  private challenges(): string {
    const bearer = `Bearer realm="${this.realm}"`;
    const dpop = `DPoP realm="${this.realm}", algs="${this.dpop.algorithms.join(' ')}"`;
    if (this.dpop.mode === 'off') return bearer;
    return this.dpop.mode === 'required' ? dpop : `${bearer}, ${dpop}`;
  }

  private async refuse(request: unknown, reason: string, counts = true, scheme?: 'bearer' | 'dpop'): Promise<PlatformError> {
    const invalid = new PlatformError('unauthorized', 'INVALID_TOKEN', 'Bearer token refused', {
      publicDetail: 'The access token is invalid or expired.',
      context: { reason },
    });
    const error = counts ? await this.failures.recordFailure(JWT_STRATEGY, request, invalid) : invalid;
    if (error === invalid) {
      const description = 'error="invalid_token", error_description="The access token is invalid or expired"';
      const useDpop = scheme === 'dpop' || (scheme === undefined && this.dpop.mode === 'required');
      RequestContext.setResponseHeader(
        'www-authenticate',
        useDpop
          ? `DPoP realm="${this.realm}", ${description}, algs="${this.dpop.algorithms.join(' ')}"`
          : `Bearer realm="${this.realm}", ${description}`,
      );
    }
    return error;
  }

  /** A missing or bad DPoP proof (RFC 9449 §7.1: error="invalid_dpop_proof"). */
  private async refuseProof(request: unknown, reason: string): Promise<PlatformError> {
    const invalid = new PlatformError('unauthorized', 'INVALID_DPOP_PROOF', 'DPoP proof refused', {
      publicDetail: 'The DPoP proof is missing, invalid, reused or does not match this request.',
      context: { reason },
    });
    const error = await this.failures.recordFailure(JWT_STRATEGY, request, invalid);
    if (error === invalid) {
      RequestContext.setResponseHeader(
        'www-authenticate',
        `DPoP realm="${this.realm}", error="invalid_dpop_proof", error_description="The DPoP proof is invalid", algs="${this.dpop.algorithms.join(' ')}"`,
      );
    }
    return error;
  }
}
