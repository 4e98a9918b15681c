import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  IsolatedCircuitError,
  TaskCancelledError,
  type CircuitBreakerPolicy,
} from 'cockatiel';

import { UpstreamError } from '../upstream.error.js';
import { isRetryEligible, rememberCall, type CallPlan, type ResiliencePolicies } from './resilience-policies.js';

export { isUpstreamFault } from './resilience-policies.js';

/** A snapshot for diagnostics and tests. */
export interface ResilienceSnapshot {
  readonly breaker: 'closed' | 'open' | 'half-open' | 'disabled';
  readonly inFlight: number;
  readonly queued: number;
  readonly retries: number;
  readonly rejections: { readonly circuitOpen: number; readonly bulkheadFull: number };
}

/**
 * Runs one upstream's calls through its policies (buildResiliencePolicies): retry (outermost) →
 * circuit breaker → bulkhead → the attempt itself; maps the policies' own rejections to coded
 * UpstreamErrors and counts them.
 */
export class UpstreamResilience {
  private openedAt = 0;
  private retries = 0;
  private circuitOpenRejections = 0;
  private bulkheadRejections = 0;

  constructor(private readonly policies: ResiliencePolicies) {
    policies.breaker?.onBreak(() => {
      this.openedAt = Date.now();
    });
    policies.retry?.onRetry(() => {
      this.retries++;
    });
  }

  /** Runs `attempt` under the pipeline. */
  execute<T>(call: CallPlan, attempt: () => Promise<T>): Promise<T> {
    const { retry } = this.policies;
    if (retry === undefined || !isRetryEligible(call)) return this.guarded(call, attempt);
    return retry.execute(() => this.guarded(call, attempt), call.signal);
  }

  snapshot(): ResilienceSnapshot {
    const { breaker, bulkhead, maxConcurrent, maxQueue } = this.policies;
    return {
      breaker: breakerState(breaker),
      inFlight: maxConcurrent - bulkhead.executionSlots,
      queued: maxQueue - bulkhead.queueSlots,
      retries: this.retries,
      rejections: { circuitOpen: this.circuitOpenRejections, bulkheadFull: this.bulkheadRejections },
    };
  }

  /**
   * Breaker → bulkhead → attempt, with one error mapping for both policies (the breaker sees the
   * bulkhead's rejections unmapped; neither kind counts as an upstream fault). A failure is
   * remembered with its call, for the retry policy.
   */
  private guarded<T>(call: CallPlan, attempt: () => Promise<T>): Promise<T> {
    const { breaker, bulkhead } = this.policies;
    const limited = (): Promise<T> => bulkhead.execute(attempt, call.signal);
    return (breaker ? breaker.execute(limited) : limited()).catch((error: unknown) => {
      const mapped = this.policyError(call, error);
      if (typeof mapped === 'object' && mapped !== null) rememberCall(mapped, call);
      throw mapped;
    });
  }

  /** Cockatiel's own rejections as coded UpstreamErrors; any other error as it is. */
  private policyError(call: CallPlan, error: unknown): unknown {
    const failure = { upstream: this.policies.upstream, method: call.method, path: call.path, cause: error };
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
      this.circuitOpenRejections++;
      const remainingMs = Math.max(0, this.openedAt + this.policies.halfOpenAfterMs - Date.now());
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

function breakerState(breaker: CircuitBreakerPolicy | undefined): ResilienceSnapshot['breaker'] {
  if (breaker === undefined) return 'disabled';
  switch (breaker.state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    case CircuitState.Open:
    case CircuitState.Isolated:
      return 'open';
  }
}
