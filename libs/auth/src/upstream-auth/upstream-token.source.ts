import { Inject, Injectable, Logger, Optional } from '@nestjs/common';

import { IDENTITY_SLOT, PlatformError, RequestContext, type Identity } from '@bff/core';
import type { UpstreamDefinition, UpstreamTokenSource } from '@bff/upstream';

import { RELAY_TOKEN_SLOT } from '../auth.constants.js';
import { TokenExchange, TokenExchangeError } from '../token-exchange/token-exchange.js';
import { ClientCredentialsTokens } from './client-credentials.js';
import { UPSTREAM_AUTH_OPTIONS, type UpstreamAuthModuleOptions } from './upstream-auth.module-definition.js';

/**
 * libs/auth's UpstreamTokenSource (provided under UPSTREAM_TOKEN_SOURCE by UpstreamAuthModule):
 * - relay: the access token the caller's strategy verified for this request (RELAY_TOKEN_SLOT of
 *   the request context: the mobile bearer token, or the web session's access token); with
 *   `tokenExchange`, the token the provider exchanged it for (RFC 8693), never the caller's own;
 * - client credentials: the app's own token for the upstream's scope/audience, cached and
 *   refreshed single-flight; with `clientCredentials.account`, one per account of the caller.
 */
@Injectable()
export class AuthUpstreamTokenSource implements UpstreamTokenSource {
  private readonly logger = new Logger('UpstreamAuth');

  constructor(
    @Optional() @Inject(ClientCredentialsTokens) private readonly tokens?: ClientCredentialsTokens,
    @Optional() @Inject(UPSTREAM_AUTH_OPTIONS) private readonly options?: UpstreamAuthModuleOptions,
    @Optional() @Inject(TokenExchange) private readonly exchange?: TokenExchange | null,
  ) {}

  relayToken(upstream: UpstreamDefinition, signal: AbortSignal): string | undefined | Promise<string | undefined> {
    const token = RequestContext.getSlot<string>(RELAY_TOKEN_SLOT);
    if (token === undefined || this.options?.tokenExchange !== true) return token;
    return this.exchanged(upstream, token, signal);
  }

  private async exchanged(upstream: UpstreamDefinition, token: string, signal: AbortSignal): Promise<string> {
    if (!this.exchange) {
      throw new PlatformError('unavailable', 'TOKEN_EXCHANGE_UNAVAILABLE', 'token exchange is not configured', {
        publicDetail: 'This operation is not available right now.',
        context: { upstream: upstream.name, reason: 'JWT_TOKEN_EXCHANGE_CLIENT_ID is not set' },
      });
    }
    try {
      return await this.exchange.exchange(token, signal);
    } catch (error) {
      if (!(error instanceof TokenExchangeError)) throw error;
      this.logger.warn({ upstream: upstream.name, reason: error.reason, err: error.message }, 'token exchange failed');
      if (error.reason === 'refused') {
        throw new PlatformError('unauthorized', 'TOKEN_EXCHANGE_REFUSED', 'the identity provider refused to exchange the token', {
          publicDetail: 'The access token cannot be used for this operation any more. Sign in again.',
          context: { upstream: upstream.name, reason: error.message },
          cause: error,
        });
      }
      throw new PlatformError('unavailable', 'TOKEN_EXCHANGE_UNAVAILABLE', 'token exchange failed', {
        publicDetail: 'This operation is not available right now. Retry later.',
        retryAfterSeconds: 5,
        context: { upstream: upstream.name, reason: error.message },
        cause: error,
      });
    }
  }

  clientCredentialsToken(upstream: UpstreamDefinition, signal: AbortSignal): Promise<string> {
    if (!this.tokens) {
      return Promise.reject(
        new Error(
          `Upstream '${upstream.name}' uses auth 'client-credentials' but UpstreamAuthModule.forRoot({ clientCredentials: true }) is not configured`,
        ),
      );
    }
    const { scope, audience, account: perAccount } = upstream.clientCredentials ?? {};
    if (perAccount !== true) return this.tokens.token({ scope, audience }, signal);
    const account = RequestContext.getSlot<Identity>(IDENTITY_SLOT)?.claims.account;
    if (typeof account !== 'string' || account === '') {
      return Promise.reject(new Error(`Upstream '${upstream.name}' needs the caller's account, and the caller has none`));
    }
    return this.tokens.token({ scope, audience, account }, signal);
  }
}
