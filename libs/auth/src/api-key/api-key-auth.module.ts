import { Logger, Module, type DynamicModule } from '@nestjs/common';

import { AuthRedis } from '../redis/auth-redis.js';
import { requireEnv } from '../require-env.js';
import { ApiKeyAuthEnv } from './api-key-auth.env.js';
import { ApiKeyAuthConfigurableModule, type API_KEY_AUTH_OPTIONS_TYPE } from './api-key-auth.module-definition.js';
import { ApiKeyAuthenticator, PARTNER_KEY_STORE } from './api-key.authenticator.js';
import { StaticPartnerKeyStore, type PartnerKeyRecord, type PartnerKeyStore } from './partner-keys.js';
import { RedisPartnerKeyStore } from './redis-partner-keys.js';

/** Keys from PARTNER_API_KEYS first, then Redis (when configured). */
class LayeredPartnerKeyStore implements PartnerKeyStore {
  constructor(private readonly layers: readonly PartnerKeyStore[]) {}

  async find(id: string): Promise<PartnerKeyRecord | undefined> {
    for (const layer of this.layers) {
      const record = await layer.find(id);
      if (record) return record;
    }
    return undefined;
  }
}

/**
 * Partner API-key authentication (strategy 'api-key'), configured by `apiKeyAuthEnv`; needs
 * RateLimitModule (failed-attempt limits, Redis connection). Routes opt in with
 * `@Protected('api-key', ['scope'])`.
 */
@Module({})
export class ApiKeyAuthModule extends ApiKeyAuthConfigurableModule {
  static forRoot(options: typeof API_KEY_AUTH_OPTIONS_TYPE = {}): DynamicModule {
    const base = super.forRoot(options);
    return {
      ...base,
      providers: [
        ...(base.providers ?? []),
        {
          provide: PARTNER_KEY_STORE,
          useFactory: (redis: AuthRedis, maybeEnv?: ApiKeyAuthEnv): PartnerKeyStore => {
            const env = requireEnv(maybeEnv, 'ApiKeyAuthModule', 'apiKeyAuthEnv');
            const logger = new Logger('ApiKeyAuth');
            const layers: PartnerKeyStore[] = [new StaticPartnerKeyStore(env.PARTNER_API_KEYS.records)];
            if (redis.client) {
              layers.push(
                new RedisPartnerKeyStore(redis.client, redis.prefix, env.PARTNER_KEY_CACHE_MS, (id) =>
                  logger.error(`Partner key ${id} in Redis is malformed and is refused; re-register it with scripts/partner-keys.mjs`),
                ),
              );
            }
            logger.log(`Partner keys: ${env.PARTNER_API_KEYS.records.length} from PARTNER_API_KEYS${redis.client ? ', plus Redis' : ''}`);
            return new LayeredPartnerKeyStore(layers);
          },
          inject: [AuthRedis, { token: ApiKeyAuthEnv, optional: true }],
        },
        ApiKeyAuthenticator,
      ],
    };
  }
}
