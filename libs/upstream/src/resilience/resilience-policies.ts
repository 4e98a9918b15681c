import { Logger } from '@nestjs/common';
import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IRetryBackoffContext,
  type RetryPolicy,
} from 'cockatiel';

import { DEFAULT_TIMEOUT_MS } from '../upstream.constants.js';
import { UpstreamError } from '../upstream.error.js';
import type { RetryPolicy as RetryDeclaration, UpstreamDefinition, UpstreamMethod } from '../upstream.types.js';
import { RESILIENCE_DEFAULTS } from './resilience.constants.js';

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

/** The policies one upstream's calls run under, built once with the upstream (cockatiel's policies are reusable). */
export interface ResiliencePolicies {
  readonly upstream: string;
  /** Timeout of one attempt in ms; an attempt gets min(this, the remaining deadline). */
  readonly timeoutMs: number;
  /** Outermost, for retry-eligible calls only (isRetryEligible); undefined when the upstream allows one attempt. */
  readonly retry: RetryPolicy | undefined;
  /** Consecutive upstream faults open it; undefined when the declaration disables it. */
  readonly breaker: CircuitBreakerPolicy | undefined;
  readonly halfOpenAfterMs: number;
  /** Concurrency limit and bounded queue; overflow fails fast. */
  readonly bulkhead: BulkheadPolicy;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
}

/** Methods RFC 9110 defines as idempotent: safe to send again after a failure. */
const IDEMPOTENT = new Set<UpstreamMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);

/**
 * The call each failure belongs to. The retry policy is built once per upstream, so its predicate
 * and backoff, which only see the error, find the call's deadline and signal here.
 */
const CALL_OF_FAILURE = new WeakMap<object, CallPlan>();

/**
 * The retry, circuit breaker, bulkhead and timeout of one upstream, from its declaration and
 * RESILIENCE_DEFAULTS: retry (idempotent calls only, exponential backoff with full jitter, never
 * past the deadline), breaker (consecutive upstream faults, half-open probing, state changes
 * logged), bulkhead (concurrency limit + bounded queue) and the per-attempt timeout.
 */
export function buildResiliencePolicies(definition: UpstreamDefinition): ResiliencePolicies {
  const logger = new Logger(`Upstream:${definition.name}`);
  const breakerDeclaration = definition.breaker === false ? undefined : (definition.breaker ?? {});
  const halfOpenAfterMs = breakerDeclaration?.halfOpenAfterMs ?? RESILIENCE_DEFAULTS.halfOpenAfterMs;
  const maxConcurrent = definition.bulkhead?.maxConcurrent ?? RESILIENCE_DEFAULTS.maxConcurrent;
  const maxQueue = definition.bulkhead?.maxQueue ?? RESILIENCE_DEFAULTS.maxQueue;
  return {
    upstream: definition.name,
    timeoutMs: definition.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: retryPolicy(definition.retry === false ? { maxAttempts: 1 } : (definition.retry ?? {})),
    breaker:
      breakerDeclaration &&
      breakerPolicy(breakerDeclaration.consecutiveFailures ?? RESILIENCE_DEFAULTS.consecutiveFailures, halfOpenAfterMs, logger),
    halfOpenAfterMs,
    bulkhead: bulkhead(maxConcurrent, maxQueue),
    maxConcurrent,
    maxQueue,
  };
}

/** Whether a call may be sent again after a failure: an idempotent method, or an Idempotency-Key. */
export function isRetryEligible(call: CallPlan): boolean {
  return IDEMPOTENT.has(call.method) || call.idempotencyKey !== undefined;
}

/** Ties a failure to its call, for the retry policy's predicate and backoff. */
export function rememberCall(failure: object, call: CallPlan): void {
  CALL_OF_FAILURE.set(failure, call);
}

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
    // Caller aborts, spent deadlines, our own bulkhead/breaker rejections: not the upstream's fault.
    case 'aborted':
    case 'deadline_exceeded':
    case 'bulkhead_full':
    case 'circuit_open':
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
    // The same bytes would come back, or the caller, its deadline or our own policies ended the call.
    case 'malformed_body':
    case 'body_too_large':
    case 'aborted':
    case 'deadline_exceeded':
    case 'bulkhead_full':
    case 'circuit_open':
      return false;
  }
}

function breakerPolicy(consecutiveFailures: number, halfOpenAfterMs: number, logger: Logger): CircuitBreakerPolicy {
  const breaker = circuitBreaker(handleWhen(isUpstreamFault), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(consecutiveFailures),
  });
  breaker.onBreak(() => logger.warn(`circuit opened for ${halfOpenAfterMs} ms`));
  breaker.onHalfOpen(() => logger.log('circuit half-open: probing'));
  breaker.onReset(() => logger.log('circuit closed'));
  return breaker;
}

function retryPolicy(declaration: RetryDeclaration): RetryPolicy | undefined {
  const maxAttempts = Math.max(1, declaration.maxAttempts ?? RESILIENCE_DEFAULTS.maxAttempts);
  if (maxAttempts <= 1) return undefined;
  const initialDelayMs = declaration.initialDelayMs ?? RESILIENCE_DEFAULTS.initialDelayMs;
  const maxDelayMs = declaration.maxDelayMs ?? RESILIENCE_DEFAULTS.maxDelayMs;
  return retry(
    handleWhen((error) => {
      const call = callOf(error);
      return call !== undefined && isTransient(error) && hasBudgetForRetry(call, error);
    }),
    {
      maxAttempts: maxAttempts - 1,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, number>((context, previous) => {
        const error = 'error' in context.result ? context.result.error : undefined;
        const call = callOf(error);
        const cap = Math.min(maxDelayMs, initialDelayMs * 2 ** (context.attempt - 1));
        // Full jitter; but at least what the upstream asked for in Retry-After (hasBudgetForRetry
        // already refused the retry when that does not fit in the deadline).
        const jittered = Math.random() * cap;
        const floor = retryAfterMs(error) ?? 0;
        const budget = call === undefined ? undefined : budgetFor(call);
        const delay = Math.min(Math.max(jittered, floor), budget ?? Number.POSITIVE_INFINITY);
        return { delay, state: (previous ?? 0) + 1 };
      }),
    },
  );
}

function callOf(error: unknown): CallPlan | undefined {
  return error instanceof Error ? CALL_OF_FAILURE.get(error) : undefined;
}

function budgetFor(call: CallPlan): number | undefined {
  return call.deadline === undefined ? undefined : call.deadline - performance.now();
}

/** A retry is made only if the caller is still waiting and the wait plus a minimal attempt fit in the deadline. */
function hasBudgetForRetry(call: CallPlan, error: unknown): boolean {
  if (call.signal?.aborted) return false;
  const budget = budgetFor(call);
  if (budget === undefined) return true;
  const wait = retryAfterMs(error) ?? 0;
  return budget - wait >= RESILIENCE_DEFAULTS.minAttemptBudgetMs;
}

/** The upstream's Retry-After, in ms, when it sent one. */
function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof UpstreamError) || error.failure !== 'http_status') return undefined;
  return error.upstreamRetryAfterSeconds === undefined ? undefined : error.upstreamRetryAfterSeconds * 1000;
}
