/** A section that could not be served, as listed in `meta.degraded` and the degraded header. */
export interface DegradedSection {
  readonly section: string;
  readonly reason: string;
}

export interface SectionContext {
  /** Aborted when the section's budget or the request's deadline runs out; pass it to upstream calls. */
  readonly signal: AbortSignal;
  /** Absolute time (performance.now() based) at which the section's budget runs out, when it has one. */
  readonly deadline?: number;
}

export interface SectionOptions {
  /** Time budget of this section in ms; the call is abandoned when it runs out. */
  readonly budgetMs?: number;
  /**
   * Key under which the last good value is kept for stale-if-error (e.g. `product:p-00001`).
   * Only used when a SectionFallbackStore is provided (libs/cache provides one).
   */
  readonly fallbackKey?: string;
}

/**
 * Extension point for stale-if-error: keeps each section's last good value and gives it back when
 * the section fails. libs/cache implements it; without one, failures are not masked.
 */
export interface SectionFallbackStore {
  remember(key: string, value: unknown): void;
  recall(key: string): Promise<{ value: unknown; storedAt: number } | undefined>;
}

export interface AggregationResult<T> {
  readonly data: T;
  /** Optional sections that failed and are null in `data`. */
  readonly degraded: readonly DegradedSection[];
  /** Sections served from their last good value after a failure. */
  readonly stale: readonly DegradedSection[];
}
