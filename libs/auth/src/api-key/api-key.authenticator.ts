import { timingSafeEqual } from 'node:crypto';

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

import {
  AuthenticatorRegistry,
  CORE_MODULE_OPTIONS,
  PlatformError,
  RequestContext,
  type Authenticator,
  type CoreModuleOptions,
  type Identity,
} from '@bff/core';

import { API_KEY_HEADER, API_KEY_STRATEGY } from '../auth.constants.js';
import { AuthFailureLimiter } from '../rate-limit/auth-failure.limiter.js';
import { API_KEY_AUTH_OPTIONS, type ApiKeyAuthModuleOptions } from './api-key-auth.module-definition.js';
import { apiKeyId, hashApiKey } from './api-key.format.js';
import { PartnerKeyStoreUnavailableError, type PartnerKeyRecord, type PartnerKeyStore } from './partner-keys.js';

/** Token of the PartnerKeyStore the authenticator reads (env keys, then Redis when configured). */
export const PARTNER_KEY_STORE = Symbol('bff:partner-key-store');

/** Compared against when the key id is unknown, so both paths do the same work. */
const NO_SUCH_KEY = Buffer.alloc(32);

/**
 * The 'api-key' strategy: a partner key in `X-Api-Key`. The key's public id selects its registry
 * record; the SHA-256 of the presented key is compared with the stored one in constant time
 * (crypto.timingSafeEqual). Identity: { strategy 'api-key', subject and partnerId: the partner,
 * scopes of that key, claims { keyId, account?, dailyQuota? } }.
 *
 * Every refusal is the same generic 401 INVALID_API_KEY and counts against the IP's failure
 * budget: guessing ends in 429 (AuthFailureLimiter). A registry that cannot answer (Redis down) is
 * a 503: authentication fails closed.
 */
@Injectable()
export class ApiKeyAuthenticator implements Authenticator, OnModuleInit {
  private readonly challenge: string;

  constructor(
    @Inject(PARTNER_KEY_STORE) private readonly store: PartnerKeyStore,
    private readonly failures: AuthFailureLimiter,
    private readonly registry: AuthenticatorRegistry,
    @Inject(API_KEY_AUTH_OPTIONS) options: ApiKeyAuthModuleOptions,
    @Inject(CORE_MODULE_OPTIONS) core: CoreModuleOptions,
  ) {
    this.challenge = `ApiKey realm="${(options.realm ?? core.app.name).replace(/["\\]/g, '')}", header="X-Api-Key"`;
  }

  onModuleInit(): void {
    this.registry.register(API_KEY_STRATEGY, this);
  }

  async authenticate(request: unknown): Promise<Identity> {
    await this.failures.assertNotBlocked(API_KEY_STRATEGY, request);
    const presented = (request as { headers: Record<string, string | string[] | undefined> }).headers[API_KEY_HEADER];
    if (presented === undefined || presented === '') {
      RequestContext.setResponseHeader('www-authenticate', this.challenge);
      throw new PlatformError('unauthorized', 'MISSING_CREDENTIALS', 'No API key', {
        publicDetail: 'This resource requires an API key in the X-Api-Key header.',
      });
    }
    if (typeof presented !== 'string') throw await this.refuse(request, 'several X-Api-Key headers');
    const id = apiKeyId(presented);
    if (!id) throw await this.refuse(request, 'malformed key');

    let record: PartnerKeyRecord | undefined;
    try {
      record = await this.store.find(id);
    } catch (error) {
      if (!(error instanceof PartnerKeyStoreUnavailableError)) throw error;
      throw new PlatformError('unavailable', 'AUTH_BACKEND_UNAVAILABLE', 'Partner key store unavailable', {
        publicDetail: 'The API key cannot be verified right now. Retry later.',
        retryAfterSeconds: 5,
        cause: error,
      });
    }
    const matches = timingSafeEqual(Buffer.from(hashApiKey(presented), 'hex'), record ? Buffer.from(record.sha256, 'hex') : NO_SUCH_KEY);
    if (!record || !matches) throw await this.refuse(request, record ? 'wrong secret' : 'unknown key id', id);
    if (record.expiresAt !== undefined && record.expiresAt <= Date.now()) throw await this.refuse(request, 'expired key', id);

    return {
      strategy: API_KEY_STRATEGY,
      subject: record.partnerId,
      partnerId: record.partnerId,
      scopes: record.scopes,
      // dailyQuota: the key's own daily quota, read by RateLimitModule's PartnerQuota.
      claims: {
        keyId: record.id,
        ...(record.account ? { account: record.account } : {}),
        ...(record.dailyQuota ? { dailyQuota: record.dailyQuota } : {}),
      },
    };
  }

  private async refuse(request: unknown, reason: string, keyId?: string): Promise<PlatformError> {
    const invalid = new PlatformError('unauthorized', 'INVALID_API_KEY', 'API key refused', {
      publicDetail: 'The API key is invalid, expired or revoked.',
      context: { reason, keyId },
    });
    const error = await this.failures.recordFailure(API_KEY_STRATEGY, request, invalid);
    // The challenge goes with the 401 only; past the failure limit the answer is a plain 429.
    if (error === invalid) RequestContext.setResponseHeader('www-authenticate', this.challenge);
    return error;
  }
}
