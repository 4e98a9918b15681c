import { randomUUID } from 'node:crypto';
import { once } from 'node:events';

import { Logger } from '@nestjs/common';

import { createRedisClient, isRedisCluster, Tracing, type RedisClient, type RedisTopology } from '@bff/core';

import { WarnLimiter } from '../warn-limiter.js';

export interface RedisTierOptions {
  /** `redisTopologyOf(core)`: standalone, Sentinel or Cluster. */
  readonly topology: RedisTopology;
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
  bffCacheTag(tagKey: string, entryKey: string, ttl: number): Promise<unknown>;
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

/**
 * Cluster: adds the entry to one tag's set and extends the set's TTL to cover it. One key per call,
 * because the tag sets and the entry live on different slots.
 */
const TAG_SCRIPT = `
redis.call('SADD', KEYS[1], ARGV[1])
local ttl = tonumber(ARGV[2])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
return 1`;

/** Releases a lease only if we still hold it (compare-and-delete). */
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * The shared tier. Every call is bounded (ioredis commandTimeout plus a local timer), nothing is
 * queued while disconnected (enableOfflineQueue: false), and a failure opens a circuit that skips
 * Redis for `circuitOpenMs` (a reconnect closes it). Callers get UNAVAILABLE and fall back to memory.
 *
 * On a Redis Cluster, entries, tag sets and leases hash to different slots, so what the scripts do
 * atomically on one Redis is done key by key there: SET then one TAG_SCRIPT per tag; invalidation
 * reads each tag set, deletes its entries one by one and removes exactly those members (an entry
 * tagged meanwhile stays listed for the next invalidation). Pub/sub is cluster-wide (PUBLISH is
 * forwarded to every node).
 */
export class RedisTier {
  readonly instanceId = randomUUID();
  private readonly client: RedisClient;
  private readonly clustered: boolean;
  private subscriber: RedisClient | undefined;
  private readonly logger = new Logger('Cache');
  private readonly warnings: WarnLimiter;
  private openUntil = 0;
  private closed = false;
  failures = 0;

  constructor(private readonly options: RedisTierOptions) {
    this.warnings = new WarnLimiter(this.logger, options.warnIntervalMs);
    this.client = createRedisClient(options.topology, {
      connectionName: 'bff-cache',
      commandTimeoutMs: options.commandTimeoutMs,
      connectTimeoutMs: options.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Keep reconnecting for as long as the app runs: Redis coming back heals the cache by itself.
      retryDelayMs: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
      scripts: {
        bffCacheSet: { lua: SET_SCRIPT },
        bffCacheInvalidateTags: { lua: INVALIDATE_TAGS_SCRIPT },
        bffCacheRelease: { lua: RELEASE_SCRIPT, numberOfKeys: 1 },
        bffCacheTag: { lua: TAG_SCRIPT, numberOfKeys: 1 },
      },
    });
    this.clustered = isRedisCluster(this.client);
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
    const scripts = this.client as unknown as Scripts;
    return this.run('SET', async () => {
      if (this.clustered) {
        await this.client.set(key, raw, 'PX', ttl);
        await Promise.all(tagKeys.map((tagKey) => scripts.bffCacheTag(tagKey, key, ttl)));
      } else {
        await scripts.bffCacheSet(1 + tagKeys.length, key, ...tagKeys, raw, ttl);
      }
      return true as const;
    });
  }

  del(keys: readonly string[]): Promise<number | Unavailable> {
    if (keys.length === 0) return Promise.resolve(0);
    if (!this.clustered) return this.run('DEL', () => this.client.del(...keys));
    // One DEL per key: a multi-key DEL across slots is refused (CROSSSLOT).
    return this.run('DEL', async () => sum(await Promise.all(keys.map((key) => this.client.del(key)))));
  }

  invalidateTags(tagKeys: readonly string[]): Promise<number | Unavailable> {
    if (tagKeys.length === 0) return Promise.resolve(0);
    if (!this.clustered) {
      return this.run('INVALIDATE', async () =>
        Number(await (this.client as unknown as Scripts).bffCacheInvalidateTags(tagKeys.length, ...tagKeys)),
      );
    }
    return this.run('INVALIDATE', async () => sum(await Promise.all(tagKeys.map((tagKey) => this.invalidateTagOnCluster(tagKey)))));
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
      if (this.clustered) {
        // Entry and lease are on different slots (a Cluster pipeline must stay on one node): two commands.
        const [raw, exists] = await Promise.all([this.client.get(key), this.client.exists(lockKey)]);
        return { raw: raw ?? undefined, leaseHeld: exists === 1 };
      }
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
    // Queues until connected (offline queue on this connection only); ioredis re-subscribes after reconnects.
    const subscriber = createRedisClient(this.options.topology, {
      connectionName: 'bff-cache-sub',
      commandTimeoutMs: undefined,
      connectTimeoutMs: this.options.connectTimeoutMs,
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      retryDelayMs: (times) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
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

  private async invalidateTagOnCluster(tagKey: string): Promise<number> {
    const members = await this.client.smembers(tagKey);
    if (members.length === 0) return 0;
    const deleted = sum(await Promise.all(members.map((member) => this.client.del(member))));
    await this.client.srem(tagKey, ...members);
    return deleted;
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

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

async function quit(client: RedisClient): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
