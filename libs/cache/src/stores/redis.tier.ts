import { randomUUID } from 'node:crypto';
import { once } from 'node:events';

import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';

import { Tracing } from '@bff/core';

import { WarnLimiter } from '../warn-limiter.js';

export interface RedisTierOptions {
  readonly url: string;
  /** Prefix of every key and channel. */
  readonly prefix: string;
  readonly commandTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly circuitOpenMs: number;
  readonly warnIntervalMs: number;
}

/** Returned instead of a value when Redis is not usable (disconnected, circuit open, failed or slow). */
export const UNAVAILABLE: unique symbol = Symbol('redis-unavailable');
export type Unavailable = typeof UNAVAILABLE;

/** Cross-instance message: drop these keys/tags from your memory tier. */
export interface InvalidationMessage {
  readonly origin: string;
  readonly keys?: readonly string[];
  readonly tags?: readonly string[];
}

interface Scripts {
  bffCacheSet(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  bffCacheInvalidateTags(numKeys: number, ...args: string[]): Promise<unknown>;
  bffCacheRelease(lock: string, token: string): Promise<unknown>;
}

/** SET the entry with its TTL, add it to each tag's set and extend the set's TTL to cover it. */
const SET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local ttl = tonumber(ARGV[2])
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

/** Deletes every entry listed in the tag sets, then the sets; returns the number of entries deleted. */
const INVALIDATE_TAGS_SCRIPT = `
local n = 0
for i = 1, #KEYS do
  local members = redis.call('SMEMBERS', KEYS[i])
  for _, key in ipairs(members) do n = n + redis.call('DEL', key) end
  redis.call('DEL', KEYS[i])
end
return n`;

/** Releases a lease only if we still hold it (compare-and-delete). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The shared tier. Every call is bounded (ioredis commandTimeout plus a local timer), nothing is
 * queued while disconnected (enableOfflineQueue: false), and a failure opens a circuit that skips
 * Redis for `circuitOpenMs` (a reconnect closes it). Callers get UNAVAILABLE and fall back to memory.
 */
export class RedisTier {
  readonly instanceId = randomUUID();
  private readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly logger = new Logger('Cache');
  private readonly warnings: WarnLimiter;
  private openUntil = 0;
  private closed = false;
  failures = 0;

  constructor(private readonly options: RedisTierOptions) {
    this.warnings = new WarnLimiter(this.logger, options.warnIntervalMs);
    this.client = new Redis(options.url, {
      connectionName: 'bff-cache',
      commandTimeout: options.commandTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Keep reconnecting for as long as the app runs: Redis coming back heals the cache by itself.
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
      scripts: {
        bffCacheSet: { lua: SET_SCRIPT },
        bffCacheInvalidateTags: { lua: INVALIDATE_TAGS_SCRIPT },
        bffCacheRelease: { lua: RELEASE_SCRIPT, numberOfKeys: 1 },
      },
    });
    this.client.on('error', (error: Error) => {
      this.warnings.warn('redis-error', `Redis cache connection error: ${error.message}; serving from memory until it recovers`);
    });
    this.client.on('ready', () => {
      this.openUntil = 0;
      this.warnings.reset('redis-error');
      this.warnings.reset('redis-failure');
      this.logger.log('Redis cache connection ready');
    });
  }

  key(name: string): string {
    return this.options.prefix + name;
  }

  /** Usable right now: connected and the circuit is closed. */
  usable(): boolean {
    return !this.closed && this.client.status === 'ready' && Date.now() >= this.openUntil;
  }

  async ready(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    const signal = AbortSignal.timeout(timeoutMs);
    await once(this.client, 'ready', { signal }).catch(() => undefined);
  }

  get(key: string): Promise<string | undefined | Unavailable> {
    return this.run('GET', async () => (await this.client.get(key)) ?? undefined);
  }

  set(key: string, raw: string, ttlMs: number, tagKeys: readonly string[]): Promise<true | Unavailable> {
    const ttl = Math.max(1, Math.ceil(ttlMs));
    return this.run('SET', async () => {
      await (this.client as unknown as Scripts).bffCacheSet(1 + tagKeys.length, key, ...tagKeys, raw, ttl);
      return true as const;
    });
  }

  del(keys: readonly string[]): Promise<number | Unavailable> {
    if (keys.length === 0) return Promise.resolve(0);
    return this.run('DEL', () => this.client.del(...keys));
  }

  invalidateTags(tagKeys: readonly string[]): Promise<number | Unavailable> {
    if (tagKeys.length === 0) return Promise.resolve(0);
    return this.run('INVALIDATE', async () =>
      Number(await (this.client as unknown as Scripts).bffCacheInvalidateTags(tagKeys.length, ...tagKeys)),
    );
  }

  /** SET NX PX: true when acquired, false when someone else holds it. */
  acquire(lockKey: string, token: string, ttlMs: number): Promise<boolean | Unavailable> {
    return this.run('LOCK', async () => (await this.client.set(lockKey, token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK');
  }

  async release(lockKey: string, token: string): Promise<void> {
    // Not subject to the circuit: a lease left behind would only expire (bounded), but releasing early is better.
    if (this.closed || this.client.status !== 'ready') return;
    await Tracing.redis('cache', 'RELEASE', () => (this.client as unknown as Scripts).bffCacheRelease(lockKey, token)).catch(
      () => undefined,
    );
  }

  /** The entry and whether the lease is still held, in one round trip. */
  poll(key: string, lockKey: string): Promise<{ raw: string | undefined; leaseHeld: boolean } | Unavailable> {
    return this.run('POLL', async () => {
      const results = await this.client.pipeline().get(key).exists(lockKey).exec();
      if (!results) throw new Error('pipeline aborted');
      const [[getError, raw], [existsError, exists]] = results as [[Error | null, string | null], [Error | null, number]];
      if (getError) throw getError;
      if (existsError) throw existsError;
      return { raw: raw ?? undefined, leaseHeld: exists === 1 };
    });
  }

  publish(message: Omit<InvalidationMessage, 'origin'>): Promise<true | Unavailable> {
    return this.run('PUBLISH', async () => {
      await this.client.publish(this.key('invalidate'), JSON.stringify({ ...message, origin: this.instanceId }));
      return true as const;
    });
  }

  /** Listens to other instances' invalidations (own messages are ignored). */
  subscribe(handler: (message: InvalidationMessage) => void): void {
    const channel = this.key('invalidate');
    const subscriber = this.client.duplicate({
      connectionName: 'bff-cache-sub',
      commandTimeout: undefined,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      autoResubscribe: true,
    });
    subscriber.on('error', (error: Error) => {
      this.warnings.warn('redis-sub-error', `Redis cache invalidation channel error: ${error.message}`);
    });
    subscriber.on('message', (from: string, text: string) => {
      if (from !== channel) return;
      let message: InvalidationMessage;
      try {
        message = JSON.parse(text) as InvalidationMessage;
      } catch {
        return;
      }
      if (message.origin === this.instanceId) return;
      handler(message);
    });
    // Queued until connected (offline queue on this connection only), re-subscribed after reconnects.
    subscriber.subscribe(channel).catch((error: unknown) => {
      if (!this.closed) this.warnings.warn('redis-sub-error', `Redis cache could not subscribe to invalidations: ${String(error)}`);
    });
    this.subscriber = subscriber;
  }

  status(): 'ready' | 'unavailable' {
    return this.usable() ? 'ready' : 'unavailable';
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([quit(this.client), this.subscriber ? quit(this.subscriber) : Promise.resolve()]);
  }

  private async run<T>(op: string, fn: () => Promise<T>): Promise<T | Unavailable> {
    if (!this.usable()) return UNAVAILABLE;
    let timer: NodeJS.Timeout | undefined;
    try {
      const bound = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${this.options.commandTimeoutMs} ms`)),
          this.options.commandTimeoutMs + 5,
        );
      });
      return await Promise.race([Tracing.redis('cache', op, fn), bound]);
    } catch (error) {
      this.failures++;
      this.openUntil = Date.now() + this.options.circuitOpenMs;
      const reason = error instanceof Error ? error.message : String(error);
      this.warnings.warn('redis-failure', `Redis cache ${op} failed (${reason}); skipping Redis for ${this.options.circuitOpenMs} ms`);
      return UNAVAILABLE;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
