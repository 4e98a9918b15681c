import { Matches } from 'class-validator';

import { envClass } from '@bff/core';

/** Variables read by the IdempotencyStore (see docs/cart-checkout.md). Redis itself is core's REDIS_* settings. */
export class IdempotencyEnv {
  /** Prefix of the store's Redis keys, so that several deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'IDEMPOTENCY_REDIS_PREFIX must be 1-64 letters, digits, or : _ . -' })
  IDEMPOTENCY_REDIS_PREFIX: string = 'bff:idempotency:';
}

export const idempotencyEnv = envClass(IdempotencyEnv, 'idempotency');
