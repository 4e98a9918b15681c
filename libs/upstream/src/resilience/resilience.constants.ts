/** Defaults of the resilience pipeline; every value is overridable per upstream declaration. */
export const RESILIENCE_DEFAULTS = {
  maxAttempts: 3,
  initialDelayMs: 50,
  maxDelayMs: 1_000,
  consecutiveFailures: 5,
  halfOpenAfterMs: 5_000,
  maxConcurrent: 128,
  maxQueue: 256,
  /** A retry is not started unless at least this much of the deadline is left after the backoff. */
  minAttemptBudgetMs: 25,
} as const;
