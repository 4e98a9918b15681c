import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

import { CoreEnv, createRedisClient, PlatformError, redisTopologyOf, type RedisClient } from '@bff/core';

import { IdempotencyEnv } from './idempotency.env.js';

/**
 * What an operation answered for an Idempotency-Key, remembered so that a repeat of the request on any
 * instance answers the same thing instead of doing it again. Values are small JSON documents (e.g. the
 * id of the order a checkout placed and the fingerprint of what it ordered).
 *
 * The app lists idempotencyEnv in its env schemas and provides the store. Held in Redis when Redis is configured (REDIS_MODE, docs/redis.md), shared by every instance;
 * in memory otherwise (one instance). Fails fast (1 s, no offline queue): when Redis cannot be
 * reached the operation answers 503 IDEMPOTENCY_STORE_UNAVAILABLE rather than risk doing it twice.
 */
@Injectable()
export class IdempotencyStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyStore.name);
  private readonly redis: RedisClient | undefined;
  private readonly memory = new Map<string, { value: string; expiresAt: number }>();
  /** Redis keys are `<prefix><namespace>:<key>`. */
  private readonly prefix: string;

  constructor(core: CoreEnv, env: IdempotencyEnv) {
    this.prefix = env.IDEMPOTENCY_REDIS_PREFIX;
    const topology = redisTopologyOf(core);
    if (!topology) return;
    this.redis = createRedisClient(topology, {
      connectionName: 'bff-idempotency',
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeoutMs: 1_000,
      connectTimeoutMs: 2_000,
      retryDelayMs: (attempt) => Math.min(attempt * 200, 2_000),
    });
    this.redis.on('error', (error: Error) => this.logger.debug({ err: { message: error.message } }, 'Redis connection error'));
  }

  async onModuleInit(): Promise<void> {
    await this.redis?.connect().catch((error: unknown) => {
      this.logger.warn({ err: String(error) }, 'Redis is not reachable at boot; idempotent operations answer 503 until it is back');
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis.disconnect();
  }

  /** The value remembered for `key` in `namespace` (e.g. the caller's subject); undefined when none or expired. */
  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    const id = `${namespace}:${key}`;
    if (!this.redis) {
      const entry = this.memory.get(id);
      if (entry === undefined || entry.expiresAt <= Date.now()) {
        this.memory.delete(id);
        return undefined;
      }
      return JSON.parse(entry.value) as T;
    }
    const raw = await this.guard(() => this.redis!.get(this.prefix + id));
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  /** Remembers `value` for `key` in `namespace` during `ttlMs` (replacing an earlier value). */
  async remember(namespace: string, key: string, value: unknown, ttlMs: number): Promise<void> {
    const id = `${namespace}:${key}`;
    const json = JSON.stringify(value);
    if (!this.redis) {
      this.sweep();
      this.memory.set(id, { value: json, expiresAt: Date.now() + ttlMs });
      return;
    }
    await this.guard(() => this.redis!.set(this.prefix + id, json, 'PX', ttlMs));
  }

  private async guard<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw new PlatformError('unavailable', 'IDEMPOTENCY_STORE_UNAVAILABLE', 'idempotency store (Redis) unavailable', {
        publicDetail: 'The request cannot be processed safely right now. Retry it with the same Idempotency-Key.',
        retryAfterSeconds: 2,
        cause: error,
      });
    }
  }

  /** Drops expired in-memory entries (bounded work: only when the map has grown). */
  private sweep(): void {
    if (this.memory.size < 10_000) return;
    const now = Date.now();
    for (const [id, entry] of this.memory) if (entry.expiresAt <= now) this.memory.delete(id);
  }
}
