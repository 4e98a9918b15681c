import type { SectionContext } from '@bff/upstream';

/** What every adapter method accepts: the aggregation section context (its abort signal and deadline). */
export type CallOptions = Partial<SectionContext>;

/** Options of a non-idempotent call (POST, PATCH). */
export interface WriteOptions extends CallOptions {
  /**
   * Marks the call as safe to retry and lets the upstream de-duplicate it; sent as `Idempotency-Key`.
   * Reuse the same key when the caller retries the same logical operation.
   */
  readonly idempotencyKey?: string;
}

/** Path segment encoding for ids taken from the caller. */
export const enc = encodeURIComponent;
