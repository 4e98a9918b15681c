import { Injectable, type OnModuleInit } from '@nestjs/common';

import { AuthenticatorRegistry, RequestContext, type Authenticator, type Identity } from '@bff/core';

import { RELAY_TOKEN_SLOT } from '../auth.constants.js';
import { assertCsrf } from './csrf.js';
import { SessionResolver } from './session-resolver.service.js';
import { SessionConfig } from './session.config.js';
import { SESSION_STRATEGY } from './session.constants.js';
import type { RequestHeaders } from './session.types.js';

/**
 * The 'session' strategy: the opaque session cookie of a signed-in browser. Every route using it
 * requires the CSRF header first (any method), then a live session; the identity is
 * { strategy 'session', subject: sub, scopes of the access token, ID-token claims }, and the
 * access token is put in the request context (RELAY_TOKEN_SLOT) for upstreams declared `auth: 'relay'`.
 */
@Injectable()
export class SessionAuthenticator implements Authenticator, OnModuleInit {
  constructor(
    private readonly resolver: SessionResolver,
    private readonly config: SessionConfig,
    private readonly registry: AuthenticatorRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register(SESSION_STRATEGY, this);
  }

  async authenticate(request: unknown): Promise<Identity> {
    const headers = (request as { headers: RequestHeaders }).headers;
    assertCsrf(headers, this.config.allowedOrigins);
    const { identity, accessToken } = await this.resolver.resolve(headers);
    RequestContext.setSlot(RELAY_TOKEN_SLOT, accessToken);
    return identity;
  }
}
