import { Inject, Injectable, Optional } from '@nestjs/common';

import { PlatformError } from '@bff/core';

import { AuthMetrics } from '../auth.metrics.js';
import { clientIp } from './client-ip.js';
import { RATE_LIMIT_STORE } from './rate-limit.constants.js';
import { RateLimitEnv } from './rate-limit.env.js';
import type { RateLimitStore } from './rate-limit.store.js';

/** The limiter label (and counter name) of failed-authentication blocks. */
const AUTH_FAILURES_LIMITER = 'auth-failures';

/**
 * Limits failed authentications per client IP and strategy, so guessing API keys (or spraying
 * forged tokens) ends in 429 long before it could succeed. While an IP is blocked, every request
 * it makes to that strategy's routes is refused with 429 before its credentials are even looked
 * at, so a correct guess during the block is not revealed either.
 */
@Injectable()
export class AuthFailureLimiter {
  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    private readonly env: RateLimitEnv,
    @Optional() private readonly metrics?: AuthMetrics,
  ) {}

  /** Throws 429 when this IP is blocked for `strategy`. */
  async assertNotBlocked(strategy: string, request: unknown): Promise<void> {
    const blockedMs = await this.store.blockedFor(this.keyOf(strategy, request));
    if (blockedMs > 0) {
      this.metrics?.rateLimited(AUTH_FAILURES_LIMITER);
      throw tooManyFailures(blockedMs);
    }
  }

  /**
   * Counts one failure. Returns the error to throw: the strategy's own (401) while under the limit,
   * a 429 once this failure exceeds it.
   */
  async recordFailure(strategy: string, request: unknown, failure: PlatformError): Promise<PlatformError> {
    const record = await this.store.increment(
      this.keyOf(strategy, request),
      this.env.AUTH_FAILURE_WINDOW_MS,
      this.env.AUTH_FAILURE_MAX,
      this.env.AUTH_FAILURE_BLOCK_MS,
      AUTH_FAILURES_LIMITER,
    );
    if (!record.isBlocked) return failure;
    this.metrics?.rateLimited(AUTH_FAILURES_LIMITER);
    return tooManyFailures(record.timeToBlockExpire * 1000);
  }

  private keyOf(strategy: string, request: unknown): string {
    return `auth-failures:${strategy}:ip:${clientIp(request)}`;
  }
}

function tooManyFailures(blockedMs: number): PlatformError {
  return new PlatformError('rate_limited', 'TOO_MANY_AUTH_FAILURES', 'Too many failed authentication attempts from this address', {
    publicDetail: 'Too many failed authentication attempts. Retry later.',
    retryAfterSeconds: Math.max(1, Math.ceil(blockedMs / 1000)),
  });
}
