import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  bulkhead,
  BulkheadRejectedError,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  IsolatedCircuitError,
  retry,
  TaskCancelledError,
  type CircuitBreakerPolicy,
  type BulkheadPolicy as CockatielBulkhead,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';

import { UpstreamError } from '../upstream.error.js';
import type { UpstreamDefinition, UpstreamMethod } from '../upstream.types.js';
import { RESILIENCE_DEFAULTS } from './resilience.constants.js';

/** Methods RFC 9110 defines as idempotent: safe to send again after a failure. */
const IDEMPOTENT = new Set<UpstreamMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Failures that say something about the upstream's health (they count toward opening the breaker). */
export function isUpstreamFault(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  switch (error.failure) {
    case 'timeout':
    case 'connection_refused':
    case 'connection_reset':
    case 'malformed_body':
    case 'body_too_large':
      return true;
    case 'http_status':
      return (error.upstreamStatus ?? 0) >= 500;
    default:
      // Caller aborts, spent deadlines, our own bulkhead/breaker rejections: not the upstream's fault.
      return false;
  }
}

/** Failures worth another attempt: transient ones. A 4xx, an oversize body or a bad body won't change. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return false;
  switch (error.failure) {
    case 'timeout':
    case 'connection_refused':
    case 'connection_reset':
      return true;
    case 'http_status':
      return error.upstreamStatus === 502 || error.upstreamStatus === 503 || error.upstreamStatus === 504 || error.upstreamStatus === 429;
    default:
      return false;
  }
}

/** What one logical call tells the pipeline. */
export interface CallPlan {
  readonly method: UpstreamMethod;
  readonly path: string;
  readonly idempotencyKey?: string;
  /** Absolute performance.now() time after which no attempt may start (request deadline), if any. */
  readonly deadline?: number;
  /** Caller cancellation (section budget). */
  readonly signal?: AbortSignal;
}

/** A snapshot for diagnostics and tests. */
export interface ResilienceSnapshot {
  readonly breaker: 'closed' | 'open' | 'half-open' | 'disabled';
  readonly inFlight: number;
  readonly queued: number;
  readonly retries: number;
  readonly rejections: { readonly circuitOpen: number; readonly bulkheadFull: number };
}

/**
 * The call each failure belongs to. The retry policy is built once per upstream (cockatiel's
 * policies are reusable), so its predicate and backoff, which only see the error, find the call's
 * deadline and signal here.
 */
const CALL_OF_FAILURE = new WeakMap<object, CallPlan>();

/**
 * The resilience pipeline of one upstream, built on cockatiel: retry (outermost; idempotent calls
 * only, exponential backoff with full jitter, never past the deadline) → circuit breaker (one per
 * upstream, consecutive failures, half-open probing) → bulkhead (concurrency limit + bounded queue,
 * overflow fails fast) → the attempt itself. The three policies are built once, with the upstream.
 */
export class UpstreamResilience {
  private readonly logger: Logger;
  private readonly breaker: CircuitBreakerPolicy | undefined;
  private readonly bulkhead: CockatielBulkhead;
  private readonly retry: RetryPolicy | undefined;
  private readonly maxAttempts: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly halfOpenAfterMs: number;
  private openedAt = 0;
  private retries = 0;
  private circuitOpenRejections = 0;
  private bulkheadRejections = 0;

  constructor(private readonly definition: UpstreamDefinition) {
    this.logger = new Logger(`Upstream:${definition.name}`);
    const r = definition.retry === false ? { maxAttempts: 1 } : (definition.retry ?? {});
    this.maxAttempts = Math.max(1, r.maxAttempts ?? RESILIENCE_DEFAULTS.maxAttempts);
    this.initialDelayMs = r.initialDelayMs ?? RESILIENCE_DEFAULTS.initialDelayMs;
    this.maxDelayMs = r.maxDelayMs ?? RESILIENCE_DEFAULTS.maxDelayMs;
    const b = definition.breaker === false ? undefined : (definition.breaker ?? {});
    this.halfOpenAfterMs = b?.halfOpenAfterMs ?? RESILIENCE_DEFAULTS.halfOpenAfterMs;
    if (b) {
      this.breaker = circuitBreaker(handleWhen(isUpstreamFault), {
        halfOpenAfter: this.halfOpenAfterMs,
        breaker: new ConsecutiveBreaker(b.consecutiveFailures ?? RESILIENCE_DEFAULTS.consecutiveFailures),
      });
      this.breaker.onBreak(() => {
        this.openedAt = Date.now();
        this.logger.warn(`circuit opened for ${this.halfOpenAfterMs} ms`);
      });
      this.breaker.onHalfOpen(() => this.logger.log('circuit half-open: probing'));
      this.breaker.onReset(() => this.logger.log('circuit closed'));
    }
    const bh = definition.bulkhead ?? {};
    this.bulkhead = bulkhead(bh.maxConcurrent ?? RESILIENCE_DEFAULTS.maxConcurrent, bh.maxQueue ?? RESILIENCE_DEFAULTS.maxQueue);
    if (this.maxAttempts > 1) {
      this.retry = retry(
        handleWhen((error) => {
          const call = error instanceof Error ? CALL_OF_FAILURE.get(error) : undefined;
          return call !== undefined && isTransient(error) && this.hasBudgetForRetry(call, error);
        }),
        {
          maxAttempts: this.maxAttempts - 1,
          backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, number>((context, previous) => {
            const error = 'error' in context.result ? context.result.error : undefined;
            const call = error instanceof Error ? CALL_OF_FAILURE.get(error) : undefined;
            const cap = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** (context.attempt - 1));
            // Full jitter; but at least what the upstream asked for in Retry-After (hasBudgetForRetry
            // already refused the retry when that does not fit in the deadline).
            const jittered = Math.random() * cap;
            const floor = retryAfterMs(error) ?? 0;
            const budget = call === undefined ? undefined : this.budgetFor(call);
            const delay = Math.min(Math.max(jittered, floor), budget ?? Number.POSITIVE_INFINITY);
            return { delay, state: (previous ?? 0) + 1 };
          }),
        },
      );
      this.retry.onRetry(() => {
        this.retries++;
      });
    }
  }

  /** Runs `attempt` under the pipeline. */
  execute<T>(call: CallPlan, attempt: () => Promise<T>): Promise<T> {
    const policy = this.retry;
    if (policy === undefined || !(IDEMPOTENT.has(call.method) || call.idempotencyKey !== undefined)) return this.guarded(call, attempt);
    return policy.execute(() => this.guarded(call, attempt), call.signal);
  }

  /**
   * Breaker → bulkhead → attempt, with one error mapping for both policies (the breaker sees the
   * bulkhead's rejections unmapped; neither kind counts as an upstream fault). A failure is
   * remembered with its call, for the retry policy.
   */
  private guarded<T>(call: CallPlan, attempt: () => Promise<T>): Promise<T> {
    const limited = (): Promise<T> => this.bulkhead.execute(attempt, call.signal);
    return (this.breaker ? this.breaker.execute(limited) : limited()).catch((error: unknown) => {
      const mapped = this.policyError(call, error);
      if (typeof mapped === 'object' && mapped !== null) CALL_OF_FAILURE.set(mapped, call);
      throw mapped;
    });
  }

  snapshot(): ResilienceSnapshot {
    const state = this.breaker?.state;
    return {
      breaker:
        state === undefined
          ? 'disabled'
          : state === CircuitState.Closed
            ? 'closed'
            : state === CircuitState.HalfOpen
              ? 'half-open'
              : 'open',
      inFlight: this.maxConcurrent() - this.bulkhead.executionSlots,
      queued: this.maxQueue() - this.bulkhead.queueSlots,
      retries: this.retries,
      rejections: { circuitOpen: this.circuitOpenRejections, bulkheadFull: this.bulkheadRejections },
    };
  }

  private maxConcurrent(): number {
    return this.definition.bulkhead?.maxConcurrent ?? RESILIENCE_DEFAULTS.maxConcurrent;
  }

  private maxQueue(): number {
    return this.definition.bulkhead?.maxQueue ?? RESILIENCE_DEFAULTS.maxQueue;
  }

  private budgetFor(call: CallPlan): number | undefined {
    return call.deadline === undefined ? undefined : call.deadline - performance.now();
  }

  /** A retry is made only if the caller is still waiting and the wait plus a minimal attempt fit in the deadline. */
  private hasBudgetForRetry(call: CallPlan, error: unknown): boolean {
    if (call.signal?.aborted) return false;
    const budget = this.budgetFor(call);
    if (budget === undefined) return true;
    const wait = retryAfterMs(error) ?? 0;
    return budget - wait >= RESILIENCE_DEFAULTS.minAttemptBudgetMs;
  }

  /** Cockatiel's own rejections as coded UpstreamErrors; any other error as it is. */
  private policyError(call: CallPlan, error: unknown): unknown {
    const failure = { upstream: this.definition.name, method: call.method, path: call.path, cause: error };
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
      this.circuitOpenRejections++;
      const remainingMs = Math.max(0, this.openedAt + this.halfOpenAfterMs - Date.now());
      return new UpstreamError({ ...failure, failure: 'circuit_open', retryAfterSeconds: Math.max(1, Math.ceil(remainingMs / 1000)) });
    }
    if (error instanceof BulkheadRejectedError) {
      this.bulkheadRejections++;
      return new UpstreamError({ ...failure, failure: 'bulkhead_full', retryAfterSeconds: 1 });
    }
    if (error instanceof TaskCancelledError) return new UpstreamError({ ...failure, failure: 'aborted' });
    return error;
  }
}

/** The upstream's Retry-After, in ms, when it sent one. */
function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof UpstreamError) || error.failure !== 'http_status') return undefined;
  return error.upstreamRetryAfterSeconds === undefined ? undefined : error.upstreamRetryAfterSeconds * 1000;
}
