import type { ThrottlerStorage } from '@nestjs/throttler';
import { LRUCache } from 'lru-cache';

import { Tracing, type RedisClient as Redis } from '@bff/core';

/** What @nestjs/throttler's storage answers; times are in whole seconds, like its in-memory store. */
export interface RateLimitRecord {
  readonly totalHits: number;
  readonly timeToExpire: number;
  readonly isBlocked: boolean;
  readonly timeToBlockExpire: number;
}

/**
 * A @nestjs/throttler storage that can also tell whether a key is blocked without counting a hit
 * (the failed-authentication limiter refuses a blocked IP before looking at its credentials).
 *
 * Semantics (both implementations): a fixed window of `ttl` ms starts with a key's first hit;
 * the hit that exceeds `limit` blocks the key for `blockDuration` ms (0: until the window ends),
 * after which counting starts afresh. Hits while blocked are not counted.
 */
export interface RateLimitStore extends ThrottlerStorage {
  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord>;
  /** Milliseconds the key stays blocked; 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
}

const seconds = (ms: number): number => Math.max(0, Math.ceil(ms / 1000));

interface Entry {
  hits: number;
  windowEndsAt: number;
  blockedUntil: number;
}

/** Per-instance counters, bounded (least recently used keys are dropped beyond `max`). */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    max = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache<string, Entry>({ max });
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<RateLimitRecord> {
    return Promise.resolve(this.count(key, ttl, limit, blockDuration));
  }

  private count(key: string, ttl: number, limit: number, blockDuration: number): RateLimitRecord {
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry && entry.blockedUntil > now) {
      return {
        totalHits: entry.hits,
        timeToExpire: seconds(entry.windowEndsAt - now),
        isBlocked: true,
        timeToBlockExpire: seconds(entry.blockedUntil - now),
      };
    }
    // An entry that is kept is updated in place (get() already made it the most recently used).
    if (!entry || entry.windowEndsAt <= now) this.entries.set(key, (entry = { hits: 0, windowEndsAt: now + ttl, blockedUntil: 0 }));
    entry.hits += 1;
    let isBlocked = false;
    if (entry.hits > limit) {
      isBlocked = true;
      entry.blockedUntil = blockDuration > 0 ? now + blockDuration : entry.windowEndsAt;
      // A new window starts when the block ends.
      entry.windowEndsAt = entry.blockedUntil;
    }
    return {
      totalHits: entry.hits,
      timeToExpire: seconds(entry.windowEndsAt - now),
      isBlocked,
      timeToBlockExpire: isBlocked ? seconds(entry.blockedUntil - now) : 0,
    };
  }

  blockedFor(key: string): Promise<number> {
    const entry = this.entries.get(key);
    return Promise.resolve(entry ? Math.max(0, entry.blockedUntil - this.now()) : 0);
  }
}

/**
 * KEYS[1] hit counter, KEYS[2] block marker; ARGV ttl ms, limit, block ms.
 * Returns { hits, ms left in the window, blocked 0/1, ms left blocked }. Atomic: Redis runs the
 * script alone, so instances sharing the counter never lose or double-count a hit.
 */
const INCREMENT_SCRIPT = `
local blockedMs = redis.call('PTTL', KEYS[2])
if blockedMs > 0 then
  local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
  return { hits, blockedMs, 1, blockedMs }
end
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local hits = redis.call('INCR', KEYS[1])
local windowMs = redis.call('PTTL', KEYS[1])
if windowMs < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  windowMs = ttl
end
if hits > limit then
  if block <= 0 then block = windowMs end
  redis.call('SET', KEYS[2], '1', 'PX', block)
  redis.call('DEL', KEYS[1])
  return { hits, block, 1, block }
end
return { hits, windowMs, 0, 0 }
`;

interface WithIncrementScript {
  bffRateLimitIncrement(
    hitsKey: string,
    blockKey: string,
    ttl: number,
    limit: number,
    block: number,
  ): Promise<[number, number, number, number]>;
}

/**
 * Counters shared by every instance through Redis (one Lua script per hit). Keys:
 * `<prefix>rl:{<key>}:hits` (counter, expires with the window) and `<prefix>rl:{<key>}:block`
 * (present while blocked). The braces keep both on one Redis Cluster slot.
 */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    if (!('bffRateLimitIncrement' in redis)) redis.defineCommand('bffRateLimitIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<RateLimitRecord> {
    const [hits, windowMs, blocked, blockedMs] = await Tracing.redis('rate-limit', 'EVALSHA', () =>
      (this.redis as unknown as WithIncrementScript).bffRateLimitIncrement(
        this.keyOf(key, 'hits'),
        this.keyOf(key, 'block'),
        ttl,
        limit,
        blockDuration,
      ),
    );
    return {
      totalHits: hits,
      timeToExpire: seconds(windowMs),
      isBlocked: blocked === 1,
      timeToBlockExpire: blocked === 1 ? seconds(blockedMs) : 0,
    };
  }

  async blockedFor(key: string): Promise<number> {
    return Math.max(0, await Tracing.redis('rate-limit', 'PTTL', () => this.redis.pttl(this.keyOf(key, 'block'))));
  }

  private keyOf(key: string, kind: 'hits' | 'block'): string {
    return `${this.prefix}rl:{${key}}:${kind}`;
  }
}

/**
 * Fail open: when the store fails (Redis down or slow), the request is let through and a warning
 * is logged (at most every 10 s by `warn`), because refusing every request would turn a Redis
 * outage into a full outage.
 */
export class FailOpenRateLimitStore implements RateLimitStore {
  constructor(
    private readonly inner: RateLimitStore,
    private readonly warn: (message: string, error: unknown) => void,
  ) {}

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<RateLimitRecord> {
    try {
      return await this.inner.increment(key, ttl, limit, blockDuration, throttlerName);
    } catch (error) {
      this.warn('Rate-limit store unavailable; letting the request through (fail open)', error);
      return { totalHits: 0, timeToExpire: seconds(ttl), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  async blockedFor(key: string): Promise<number> {
    try {
      return await this.inner.blockedFor(key);
    } catch (error) {
      this.warn('Rate-limit store unavailable; letting the request through (fail open)', error);
      return 0;
    }
  }
}
