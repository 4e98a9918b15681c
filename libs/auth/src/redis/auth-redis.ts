import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { CoreEnv } from '@bff/core';
import { RateLimitEnv } from '../rate-limit/rate-limit.env.js';
import { ManagedRedis } from './managed-redis.js';

/**
 * The Redis connection of libs/auth (rate-limit counters, partner API keys), when REDIS_URL is set.
 * Fails fast (`AUTH_REDIS_TIMEOUT_MS`, no offline queue): during an outage rate limits fail open and
 * Redis-held API keys answer 503, instead of requests hanging.
 */
@Injectable()
export class AuthRedis implements OnModuleInit, OnApplicationShutdown {
  private readonly redis: ManagedRedis;
  readonly prefix: string;

  constructor(core: CoreEnv, env: RateLimitEnv) {
    this.prefix = env.AUTH_REDIS_PREFIX;
    this.redis = new ManagedRedis({
      url: core.REDIS_URL,
      connectionName: 'bff-auth',
      commandTimeoutMs: env.AUTH_REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      whileUnreachable: 'rate limits fail open and Redis-held API keys are refused until it is back',
      logger: new Logger('AuthRedis'),
    });
  }

  /** Undefined when REDIS_URL is not set (in-memory stores are used). */
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
