import type { Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';

export interface ManagedRedisOptions {
  /** REDIS_URL; undefined means no Redis (the caller uses in-memory stores). */
  readonly url: string | undefined;
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
  readonly client: Redis | undefined;
  private lastWarnAt = 0;

  constructor(private readonly options: ManagedRedisOptions) {
    if (!options.url) return;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: options.maxRetriesPerRequest,
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
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
