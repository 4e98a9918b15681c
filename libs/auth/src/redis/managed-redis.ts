import type { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { createRedisClient, type RedisClient, type RedisTopology } from '@bff/core';

export interface ManagedRedisOptions {
  /** `redisTopologyOf(core)`; undefined means no Redis (the caller uses in-memory stores). */
  readonly topology: RedisTopology | undefined;
  readonly connectionName: string;
  readonly commandTimeoutMs: number;
  readonly maxRetriesPerRequest: number;
  /** Logged when Redis cannot be reached at boot: what callers should expect until it is back. */
  readonly whileUnreachable: string;
  readonly logger: Logger;
}

/**
 * One fail-fast Redis connection of libs/auth: commands are not buffered while disconnected
 * (enableOfflineQueue false) and time out after `commandTimeoutMs`, so an outage costs a request a
 * few ms instead of hanging it. Reconnects in the background; an unreachable Redis at boot is
 * logged, not fatal; warnings are throttled to one per 10 s so an outage does not flood the logs.
 * Connects when its module initialises and closes at shutdown; each connection of libs/auth is an
 * injectable subclass that only passes its options.
 */
export class ManagedRedis implements OnModuleInit, OnApplicationShutdown {
  /** A Redis (standalone, Sentinel) or a Cluster: every command of libs/auth keeps its keys in one slot. */
  readonly client: RedisClient | undefined;
  private lastWarnAt = 0;

  constructor(private readonly options: ManagedRedisOptions) {
    if (!options.topology) return;
    this.client = createRedisClient(options.topology, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: options.maxRetriesPerRequest,
      commandTimeoutMs: options.commandTimeoutMs,
      connectTimeoutMs: 2_000,
      retryDelayMs: (attempt) => Math.min(attempt * 200, 2_000),
      connectionName: options.connectionName,
    });
    this.client.on('error', (error: Error) => this.warn('Redis connection error', error));
  }

  onModuleInit(): Promise<void> {
    return this.connect();
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async connect(): Promise<void> {
    if (!this.client) return;
    try {
      await this.client.connect();
    } catch (error) {
      this.warn(`Redis is not reachable at boot; ${this.options.whileUnreachable}`, error);
    }
  }

  async close(): Promise<void> {
    if (!this.client) return;
    if (this.client.status === 'ready') await this.client.quit().catch(() => this.client?.disconnect());
    else this.client.disconnect();
  }

  /** Logs at most one warning per 10 s. */
  warn(message: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 10_000) return;
    this.lastWarnAt = now;
    this.options.logger.warn({ err: error instanceof Error ? { message: error.message, name: error.name } : String(error) }, message);
  }
}
