import { Inject, Injectable, Optional } from '@nestjs/common';

import { PlatformError, type Identity } from '@bff/core';

import { AuthMetrics } from '../auth.metrics.js';
import { PARTNER_QUOTA_STORE, QUOTA_POLICY } from './partner-quota.constants.js';
import { PartnerQuotaEnv } from './partner-quota.env.js';
import { nextUtcMidnight, secondsUntilReset } from './quota.day.js';
import type { PartnerQuotaStore } from './quota.store.js';

/** The reply as the quota writes headers to it (Fastify's reply). */
export interface QuotaReply {
  header(name: string, value: string): unknown;
  getHeader?(name: string): unknown;
}

/** Adds one item to a structured-field list header (after the request budget's item). */
function appendItem(res: QuotaReply, name: string, item: string): void {
  const existing = res.getHeader?.(name);
  res.header(name, typeof existing === 'string' && existing !== '' ? `${existing}, ${item}` : item);
}

/**
 * The partner daily quota: requests per partner per UTC day, on top of the request budget. The
 * limit is the key's `dailyQuota` (identity claim set by the api-key strategy), else
 * PARTNER_DAILY_QUOTA, else none. Each answer gets a `"daily"` item in RateLimit-Policy /
 * RateLimit; the request past the quota is a 429 `quota-exceeded` with Retry-After = seconds until
 * the next UTC midnight. Every request counts, refused ones included (the counter only grows).
 */
@Injectable()
export class PartnerQuota {
  constructor(
    @Inject(PARTNER_QUOTA_STORE) private readonly store: PartnerQuotaStore,
    @Optional() private readonly env?: PartnerQuotaEnv,
    @Optional() private readonly metrics?: AuthMetrics,
  ) {}

  /** The daily quota of this caller, undefined when none applies (not a partner, or no quota configured). */
  limitOf(identity: Identity | undefined): number | undefined {
    if (!identity?.partnerId) return undefined;
    const own = identity.claims.dailyQuota;
    return typeof own === 'number' ? own : this.env?.PARTNER_DAILY_QUOTA;
  }

  /** Counts the request against the caller's quota, writes the headers, throws the 429 past it. */
  async enforce(identity: Identity | undefined, res: QuotaReply, now: number = Date.now()): Promise<void> {
    const limit = this.limitOf(identity);
    if (limit === undefined || !identity?.partnerId) return;
    const hits = await this.store.hit(identity.partnerId, now);
    const reset = secondsUntilReset(now);
    appendItem(res, 'RateLimit-Policy', `"${QUOTA_POLICY}";q=${limit};w=86400`);
    appendItem(res, 'RateLimit', `"${QUOTA_POLICY}";r=${Math.max(0, limit - hits)};t=${reset}`);
    if (hits <= limit) return;
    this.metrics?.rateLimited(QUOTA_POLICY);
    const resetsAt = new Date(nextUtcMidnight(now)).toISOString();
    throw new PlatformError('rate_limited', 'QUOTA_EXCEEDED', `Daily quota exceeded by partner ${identity.partnerId}`, {
      publicDetail: `Daily quota of ${limit} requests used up; it resets at ${resetsAt} (next UTC midnight).`,
      retryAfterSeconds: reset,
    });
  }
}
