import { LRUCache } from 'lru-cache';

import { Tracing, type RedisClient as Redis } from '@bff/core';

import { nextUtcMidnight, utcDay } from './quota.day.js';

/** Counts a partner's requests of the current UTC day. */
export interface PartnerQuotaStore {
  /** Counts one request of `partnerId` at `now`; answers the partner's count for that UTC day, this request included. */
  hit(partnerId: string, now: number): Promise<number>;
}

/** Per-instance counters (no Redis): one entry per partner and day, dropped after the day ends. */
export class MemoryPartnerQuotaStore implements PartnerQuotaStore {
  private readonly counts = new LRUCache<string, { hits: number }>({ max: 100_000 });

  hit(partnerId: string, now: number): Promise<number> {
    const key = `${partnerId}:${utcDay(now)}`;
    let entry = this.counts.get(key);
    if (!entry) this.counts.set(key, (entry = { hits: 0 }), { ttl: nextUtcMidnight(now) - now });
    entry.hits += 1;
    return Promise.resolve(entry.hits);
  }
}

/**
 * Counters shared by every instance: `<prefix>quota:{<partner>}:<YYYY-MM-DD>`, INCR and EXPIREAT
 * the next UTC midnight in one MULTI, so instances never lose a hit and the key disappears when its
 * day ends. The day in the key keeps days apart even if an instance's clock is slightly off.
 */
export class RedisPartnerQuotaStore implements PartnerQuotaStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(partnerId: string, now: number): Promise<number> {
    const key = `${this.prefix}quota:{${partnerId}}:${utcDay(now)}`;
    const results = await Tracing.redis('partner-quota', 'MULTI', () =>
      this.redis
        .multi()
        .incr(key)
        .expireat(key, Math.floor(nextUtcMidnight(now) / 1000))
        .exec(),
    );
    const [error, hits] = results?.[0] ?? [new Error('quota transaction aborted'), undefined];
    if (error) throw error;
    return Number(hits);
  }
}

/**
 * Fail open, like the rate limiter (FailOpenRateLimitStore): when Redis fails, the request is let
 * through (counted as 0) and a warning logged, so a Redis outage does not refuse every partner.
 */
export class FailOpenPartnerQuotaStore implements PartnerQuotaStore {
  constructor(
    private readonly inner: PartnerQuotaStore,
    private readonly warn: (message: string, error: unknown) => void,
  ) {}

  async hit(partnerId: string, now: number): Promise<number> {
    try {
      return await this.inner.hit(partnerId, now);
    } catch (error) {
      this.warn('Partner quota store unavailable; letting the request through (fail open)', error);
      return 0;
    }
  }
}
