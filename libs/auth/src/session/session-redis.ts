import { Injectable, Logger } from '@nestjs/common';

import { CoreEnv, redisTopologyOf } from '@bff/core';

import { ManagedRedis } from '../redis/managed-redis.js';

/**
 * The Redis connection of the session store, when Redis is configured (REDIS_MODE, docs/redis.md); `client` is undefined
 * otherwise. Fails fast (1 s command timeout, no offline queue): a Redis outage answers 503 at once
 * and never turns into "not signed in".
 */
@Injectable()
export class SessionRedis extends ManagedRedis {
  constructor(core: CoreEnv) {
    super({
      topology: redisTopologyOf(core),
      connectionName: 'bff-session',
      commandTimeoutMs: 1_000,
      maxRetriesPerRequest: 1,
      whileUnreachable: 'session requests answer 503 until it is back',
      logger: new Logger('SessionRedis'),
    });
  }
}
