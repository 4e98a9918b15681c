import { Injectable, Optional } from '@nestjs/common';
import type { Counter, Histogram } from 'prom-client';

import { BoundChildren, MetricsService, RequestContext } from '@bff/core';

import type { DegradedSection } from './aggregation/aggregation.types.js';
import type { ResiliencePolicies } from './resilience/resilience-policies.js';
import type { ResilienceSnapshot } from './resilience/resilience.js';
import { isUpstreamError } from './upstream.error.js';

/** How an upstream call ended, as the `outcome` label: a fixed set. */
export type UpstreamOutcome =
  'ok' | 'timeout' | '4xx' | '5xx' | 'refused' | 'reset' | 'invalid' | 'breaker-open' | 'overloaded' | 'cancelled';

/** Seconds, per logical call (its retries and backoff included). */
const UPSTREAM_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const BREAKER_STATE_VALUES: Readonly<Record<ResilienceSnapshot['breaker'], number | undefined>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
  disabled: undefined,
};

/** The route label of aggregation series when a plan runs outside a request (warm-ups, jobs). */
const NO_ROUTE = '(none)';

/** One upstream's instrumentation, made once with its client. */
export interface UpstreamCallMetrics {
  /** Runs `call`, observing its duration and outcome. */
  measure<T>(call: () => Promise<T>): Promise<T>;
}

export const UNMEASURED: UpstreamCallMetrics = { measure: (call) => call() };

interface UpstreamFamilies {
  readonly duration: Histogram<'upstream' | 'outcome'>;
  readonly retries: Counter<'upstream'>;
  readonly breakerOpens: Counter<'upstream'>;
  readonly sections: BoundChildren<Counter.Internal>;
}

/**
 * The upstream and aggregation series (docs/operations.md, "Metrics"): call duration per upstream
 * and outcome, retries, breaker opens, and, read at scrape time from each client's resilience
 * snapshot, breaker state and bulkhead occupancy; aggregation sections per route and outcome.
 * Without a MetricsService (a lib used outside CoreModule) it records nothing.
 */
@Injectable()
export class UpstreamMetrics {
  private readonly snapshots = new Map<string, () => ResilienceSnapshot>();
  private readonly families: UpstreamFamilies | undefined;

  constructor(@Optional() metrics?: MetricsService) {
    this.families = metrics && this.declare(metrics);
  }

  /** The instrumentation of one upstream client: its calls, its retry and breaker events, its snapshot. */
  forUpstream(upstream: string, policies: ResiliencePolicies, snapshot: () => ResilienceSnapshot): UpstreamCallMetrics {
    const families = this.families;
    if (!families) return UNMEASURED;
    this.snapshots.set(upstream, snapshot);
    const retries = families.retries.labels(upstream);
    const opens = families.breakerOpens.labels(upstream);
    policies.retry?.onRetry(() => retries.inc());
    policies.breaker?.onBreak(() => opens.inc());
    const outcomes = new BoundChildren((outcome) => families.duration.labels(upstream, outcome));
    return {
      measure: async (call) => {
        const startedAt = performance.now();
        try {
          const result = await call();
          outcomes.get('ok').observe((performance.now() - startedAt) / 1000);
          return result;
        } catch (error) {
          outcomes.get(outcomeOf(error)).observe((performance.now() - startedAt) / 1000);
          throw error;
        }
      },
    };
  }

  /** One plan's sections once it settled: ok unless degraded, served stale, or failed (a required section). */
  sectionsSettled(
    sections: readonly { readonly name: string }[],
    degraded: readonly DegradedSection[],
    stale: readonly DegradedSection[],
    failed: ReadonlyMap<string, unknown>,
  ): void {
    if (!this.families) return;
    const route = RequestContext.current()?.route ?? NO_ROUTE;
    for (const { name: section } of sections) {
      let outcome = 'ok';
      if (degraded.some((entry) => entry.section === section)) outcome = 'degraded';
      else if (stale.some((entry) => entry.section === section)) outcome = 'stale';
      else if (failed.has(section)) outcome = 'failed';
      this.families.sections.get(route, section, outcome).inc();
    }
  }

  private declare(metrics: MetricsService): UpstreamFamilies {
    const snapshots = this.snapshots;
    const gauge = (name: string, help: string, read: (snapshot: ResilienceSnapshot) => number | undefined): void => {
      metrics.gauge({
        name,
        help,
        labelNames: ['upstream'],
        collect() {
          for (const [upstream, snapshot] of snapshots) {
            const value = read(snapshot());
            if (value !== undefined) this.set({ upstream }, value);
          }
        },
      });
    };
    gauge(
      'bff_upstream_breaker_state',
      'Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open.',
      (snapshot) => BREAKER_STATE_VALUES[snapshot.breaker],
    );
    gauge('bff_upstream_bulkhead_in_flight', 'Upstream calls running in the bulkhead, per upstream.', (snapshot) => snapshot.inFlight);
    gauge('bff_upstream_bulkhead_queued', 'Upstream calls waiting in the bulkhead queue, per upstream.', (snapshot) => snapshot.queued);
    const sections = metrics.counter({
      name: 'bff_aggregation_sections_total',
      help: 'Aggregated sections by route pattern, section and outcome (ok, degraded, stale, failed).',
      labelNames: ['route', 'section', 'outcome'],
    });
    return {
      duration: metrics.histogram({
        name: 'bff_upstream_request_duration_seconds',
        help: 'Duration of upstream calls (retries and backoff included), by upstream and outcome.',
        labelNames: ['upstream', 'outcome'],
        buckets: UPSTREAM_DURATION_BUCKETS,
      }),
      retries: metrics.counter({
        name: 'bff_upstream_retries_total',
        help: 'Upstream attempts sent again after a failure, by upstream.',
        labelNames: ['upstream'],
      }),
      breakerOpens: metrics.counter({
        name: 'bff_upstream_breaker_opens_total',
        help: 'Times an upstream circuit breaker opened, by upstream.',
        labelNames: ['upstream'],
      }),
      sections: new BoundChildren((route, section, outcome) => sections.labels(route, section, outcome)),
    };
  }
}

/** The outcome label of a failed call. */
export function outcomeOf(error: unknown): UpstreamOutcome {
  if (!isUpstreamError(error)) return 'invalid';
  switch (error.failure) {
    case 'http_status':
      return (error.upstreamStatus ?? 500) >= 500 ? '5xx' : '4xx';
    case 'timeout':
    case 'deadline_exceeded':
      return 'timeout';
    case 'connection_refused':
      return 'refused';
    case 'connection_reset':
      return 'reset';
    case 'malformed_body':
    case 'body_too_large':
      return 'invalid';
    case 'circuit_open':
      return 'breaker-open';
    case 'bulkhead_full':
      return 'overloaded';
    case 'aborted':
      return 'cancelled';
  }
}
