import { Injectable, Logger } from '@nestjs/common';

import { CoreEnv, redisTopologyOf } from '@bff/core';

import { RateLimitEnv } from '../rate-limit/rate-limit.env.js';
import { ManagedRedis } from './managed-redis.js';

/**
 * The Redis connection of libs/auth (rate-limit counters, partner API keys), when Redis is configured (REDIS_MODE, docs/redis.md);
 * `client` is undefined otherwise (in-memory stores are used). Fails fast (`AUTH_REDIS_TIMEOUT_MS`,
 * no offline queue): during an outage rate limits fail open and Redis-held API keys answer 503,
 * instead of requests hanging.
 */
@Injectable()
export class AuthRedis extends ManagedRedis {
  readonly prefix: string;

  constructor(core: CoreEnv, env: RateLimitEnv) {
    super({
      topology: redisTopologyOf(core),
      connectionName: 'bff-auth',
      commandTimeoutMs: env.AUTH_REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      whileUnreachable: 'rate limits fail open and Redis-held API keys are refused until it is back',
      logger: new Logger('AuthRedis'),
    });
    this.prefix = env.AUTH_REDIS_PREFIX;
  }
}
