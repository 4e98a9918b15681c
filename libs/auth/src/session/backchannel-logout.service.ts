import { Inject, Injectable, Logger } from '@nestjs/common';

import { PlatformError } from '@bff/core';

import { InvalidTokenError } from '../jwt/jwt-verifier.js';
import { IssuerUnavailableError } from '../oidc/discovery.js';
import { LOGOUT_TOKEN_REPLAY_WINDOW_MS, LogoutTokenVerifier } from './logout-token.js';
import { SessionDirectory } from './session-directory.js';
import { errorMessage, storeCall } from './session-errors.js';
import { digest } from './session-record.js';
import { SESSION_STORE } from './session.constants.js';
import type { SessionStore } from './session.store.js';

/** The media type of a back-channel logout request (§2.5). */
export const LOGOUT_MEDIA_TYPE = 'application/x-www-form-urlencoded';

export interface BackchannelLogoutResult {
  /** Sessions ended on this request. */
  readonly ended: number;
}

function invalidLogoutToken(reason: string, cause?: unknown): PlatformError {
  return new PlatformError('bad_request', 'INVALID_LOGOUT_TOKEN', `Logout token refused: ${reason}`, {
    publicDetail: 'The logout_token is missing, invalid, expired or already used.',
    context: { reason },
    cause,
  });
}

/**
 * OpenID Connect Back-Channel Logout 1.0, the relying party's side: the provider POSTs a signed
 * logout token when a user's provider session ends; every BFF session of that provider session
 * (`sid`), or of that user (`sub` alone), ends, on every instance sharing the session store. A
 * logout token is accepted once: its `jti` is remembered (in the session store) for as long as
 * such a token can be accepted at all.
 */
@Injectable()
export class BackchannelLogout {
  private readonly logger = new Logger('BackchannelLogout');

  constructor(
    private readonly verifier: LogoutTokenVerifier,
    private readonly directory: SessionDirectory,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
  ) {}

  /** `form` is the request body; throws 415 (another media type), 400 INVALID_LOGOUT_TOKEN or 503. */
  async receive(contentType: string | undefined, form: unknown): Promise<BackchannelLogoutResult> {
    if ((contentType ?? '').split(';')[0]?.trim().toLowerCase() !== LOGOUT_MEDIA_TYPE) {
      throw new PlatformError('unsupported_media_type', 'UNSUPPORTED_MEDIA_TYPE', 'Back-channel logout needs a form body', {
        publicDetail: `Send the logout_token as ${LOGOUT_MEDIA_TYPE}.`,
      });
    }
    const token = (form as Record<string, unknown> | undefined)?.logout_token;
    if (typeof token !== 'string' || token === '') throw invalidLogoutToken('no logout_token parameter');

    let claims;
    try {
      claims = await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof IssuerUnavailableError) {
        throw new PlatformError('unavailable', 'AUTH_PROVIDER_UNAVAILABLE', `Logout token keys unavailable: ${error.message}`, {
          publicDetail: 'The logout token cannot be verified right now. Retry later.',
          retryAfterSeconds: 5,
          cause: error,
        });
      }
      throw invalidLogoutToken(error instanceof InvalidTokenError ? error.reason : errorMessage(error), error);
    }

    // Replay: the first delivery of a jti takes its marker; while ending sessions fails, the marker is
    // released so the provider's retry is accepted.
    const marker = `lt:${digest(`${claims.iss} ${claims.jti}`)}`;
    const owner = await storeCall(() => this.store.acquireLease(marker, LOGOUT_TOKEN_REPLAY_WINDOW_MS));
    if (!owner) throw invalidLogoutToken('jti already used');
    let ended: number;
    try {
      ended = claims.sid
        ? await this.directory.endProviderSession(claims.sid, claims.sub, { revoke: false })
        : await this.directory.endAllOf(claims.sub!, { revoke: false });
    } catch (error) {
      await this.store.releaseLease(marker, owner).catch(() => undefined);
      throw error;
    }
    this.logger.log({ sub: claims.sub, bySid: claims.sid !== undefined, ended }, 'Back-channel logout');
    return { ended };
  }
}
