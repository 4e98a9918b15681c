import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CoreEnv } from '@bff/core';
import { ManagedRedis } from '../redis/managed-redis.js';

/**
 * The Redis connection of the session store, when REDIS_URL is set. Fails fast (1 s command
 * timeout, no offline queue): a Redis outage answers 503 at once and never turns into "not signed in".
 */
@Injectable()
export class SessionRedis implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: ManagedRedis;

  constructor(core: CoreEnv) {
    this.redis = new ManagedRedis({
      url: core.REDIS_URL,
      connectionName: 'bff-session',
      commandTimeoutMs: 1_000,
      maxRetriesPerRequest: 1,
      whileUnreachable: 'session requests answer 503 until it is back',
      logger: new Logger('SessionRedis'),
    });
  }

  get client(): Redis | undefined {
    return this.redis.client;
  }

  onModuleInit(): Promise<void> {
    return this.redis.connect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.redis.close();
  }

  warn(message: string, error: unknown): void {
    this.redis.warn(message, error);
  }
}
