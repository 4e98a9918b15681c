import { Inject, Injectable, Optional } from '@nestjs/common';

import { IDENTITY_SLOT, RequestContext, type Identity } from '@bff/core';
import type { UpstreamDefinition, UpstreamTokenSource } from '@bff/upstream';

import { RELAY_TOKEN_SLOT } from '../auth.constants.js';
import { ClientCredentialsTokens } from './client-credentials.js';

/**
 * libs/auth's UpstreamTokenSource (provided under UPSTREAM_TOKEN_SOURCE by UpstreamAuthModule):
 * - relay: the access token the caller's strategy verified for this request (RELAY_TOKEN_SLOT of
 *   the request context: the mobile bearer token, or the web session's access token);
 * - client credentials: the app's own token for the upstream's scope/audience, cached and
 *   refreshed single-flight; with `clientCredentials.account`, one per account of the caller.
 */
@Injectable()
export class AuthUpstreamTokenSource implements UpstreamTokenSource {
  constructor(@Optional() @Inject(ClientCredentialsTokens) private readonly tokens?: ClientCredentialsTokens) {}

  relayToken(): string | undefined {
    return RequestContext.getSlot<string>(RELAY_TOKEN_SLOT);
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
