import { Inject, Injectable, Optional } from '@nestjs/common';

import { PlatformError, type TraceSpan } from '@bff/core';

import { UpstreamMetrics } from '../upstream.metrics.js';
import { SECTION_FALLBACK } from './aggregation.constants.js';
import type { AggregationResult, DegradedSection, SectionContext, SectionFallbackStore, SectionOptions } from './aggregation.types.js';
import { failureReason, SectionTimeoutError } from './failure-reason.js';
import { endFailedSection, startSectionSpan } from './section-tracing.js';

type Prior<A> = { readonly [K in keyof A]: Promise<A[K]> };
type Runner<A, T> = (ctx: SectionContext, prior: Prior<A>) => Promise<T>;

interface SectionSpec {
  readonly name: string;
  readonly required: boolean;
  readonly run: Runner<Record<string, unknown>, unknown>;
  readonly options: SectionOptions;
}

/** Marks a section that failed only because a section it awaited failed. */
class DependencyFailedError extends Error {
  constructor(readonly dependency: string) {
    super(`dependency '${dependency}' failed`);
  }
}

/**
 * A declarative fan-out. Sections start at once and run concurrently; a section that needs an
 * earlier one's result awaits it from `prior` (so chains are expressed by `await`, everything
 * else overlaps). Required failures reject the whole plan with their coded error; optional
 * failures become `null` plus a `degraded` entry, or the last good value when a fallback store has
 * one (stale-if-error). The result lists both; the caller reports them (`meta`, and the headers
 * from sectionHeaders).
 */
export class AggregationPlan<A extends Record<string, unknown> = Record<never, never>> {
  constructor(
    private readonly sections: readonly SectionSpec[],
    private readonly fallback: SectionFallbackStore | undefined,
    private readonly metrics?: UpstreamMetrics,
  ) {}

  required<K extends string, T>(name: K, run: Runner<A, T>, options: SectionOptions = {}): AggregationPlan<A & Record<K, T>> {
    return this.add(name, true, run, options);
  }

  optional<K extends string, T>(name: K, run: Runner<A, T>, options: SectionOptions = {}): AggregationPlan<A & Record<K, T | null>> {
    return this.add(name, false, run, options);
  }

  private add<K extends string, T>(
    name: K,
    required: boolean,
    run: Runner<A, T>,
    options: SectionOptions,
  ): AggregationPlan<A & Record<K, T>> {
    if (this.sections.some((s) => s.name === name)) throw new Error(`Section '${name}' is declared twice`);
    const spec: SectionSpec = { name, required, run: run as SectionSpec['run'], options };
    return new AggregationPlan<A & Record<K, T>>([...this.sections, spec], this.fallback, this.metrics);
  }

  async run(): Promise<AggregationResult<A>> {
    const degraded: DegradedSection[] = [];
    const stale: DegradedSection[] = [];
    const controllers: AbortController[] = [];
    const prior: Record<string, Promise<unknown>> = {};
    const settled: Promise<unknown>[] = [];
    const errors = new Map<string, unknown>();
    let requiredFailure: { error: unknown } | undefined;

    for (const spec of this.sections) {
      const controller = new AbortController();
      controllers.push(controller);
      // What later sections see: a dependency that fails (or degrades to null) rejects for them.
      const span = startSectionSpan(spec.name, spec.required);
      const raw = this.execute(spec, controller, prior, span);
      const visible = raw.then(
        (value) => value,
        (error: unknown) => {
          throw error instanceof DependencyFailedError ? error : new DependencyFailedError(spec.name);
        },
      );
      visible.catch(() => undefined);
      prior[spec.name] = visible;

      settled.push(
        raw.then(
          (value) => {
            span?.setAttribute('bff.section.outcome', 'ok').end();
            if (spec.options.fallbackKey && this.fallback) this.fallback.remember(spec.options.fallbackKey, value);
            return value;
          },
          async (error: unknown) => {
            errors.set(spec.name, error);
            if (spec.options.fallbackKey && this.fallback) {
              const last = await this.fallback.recall(spec.options.fallbackKey).catch(() => undefined);
              if (last) {
                if (span) endFailedSection(span, error, reasonOf(error), true);
                stale.push({ section: spec.name, reason: reasonOf(error) });
                return last.value;
              }
            }
            if (span) endFailedSection(span, error, reasonOf(error), false);
            if (spec.required) {
              requiredFailure ??= { error };
              for (const sectionController of controllers) sectionController.abort();
              throw error;
            }
            degraded.push({ section: spec.name, reason: reasonOf(error) });
            return null;
          },
        ),
      );
    }

    const outcomes = await Promise.allSettled(settled);
    this.metrics?.sectionsSettled(this.sections, degraded, stale, errors);
    if (requiredFailure) throw toRequiredError(requiredFailure.error, errors);
    const data: Record<string, unknown> = {};
    this.sections.forEach((spec, index) => {
      data[spec.name] = (outcomes[index] as PromiseFulfilledResult<unknown>).value;
    });
    return { data: data as A, degraded, stale };
  }

  /**
   * Runs one section on the next microtask (once every section of the plan is declared, so `prior`
   * is complete) and settles with its outcome, or with a SectionTimeoutError when its budget runs
   * out first (the section's signal is aborted then). One promise per section: this runs for every
   * section of every request.
   */
  private execute(
    spec: SectionSpec,
    controller: AbortController,
    prior: Record<string, Promise<unknown>>,
    span: TraceSpan | undefined,
  ): Promise<unknown> {
    const { budgetMs } = spec.options;
    const deadline = budgetMs === undefined ? undefined : performance.now() + budgetMs;
    return new Promise((resolve, reject) => {
      const timer =
        budgetMs === undefined
          ? undefined
          : setTimeout(() => {
              const error = new SectionTimeoutError(spec.name, budgetMs);
              controller.abort(error);
              reject(error);
            }, budgetMs);
      const settle =
        <T>(outcome: (value: T) => void) =>
        (value: T) => {
          clearTimeout(timer);
          outcome(value);
        };
      queueMicrotask(() => {
        let work: Promise<unknown>;
        try {
          // With a budget, the section's signal aborts at its deadline (the timer above): say so to the
          // upstream client, so an attempt bounded by that deadline reuses it instead of arming its own.
          const ctx: SectionContext = deadline === undefined ? { signal: controller.signal } : deadlineBound(controller.signal, deadline);
          work = span ? span.run(() => spec.run(ctx, prior)) : spec.run(ctx, prior);
        } catch (error) {
          settle(reject)(error);
          return;
        }
        Promise.resolve(work).then(settle(resolve), settle(reject));
      });
    });
  }
}

function deadlineBound(signal: AbortSignal, deadline: number): SectionContext {
  const ctx: SectionContext = { signal, deadline };
  return ctx;
}

function reasonOf(error: unknown): string {
  return error instanceof DependencyFailedError ? 'dependency_failed' : failureReason(error);
}

/**
 * The error a failed required section answers with: a dependency's failure is reported as that
 * dependency's own error, and a spent section budget as a 504.
 */
function toRequiredError(error: unknown, errors: ReadonlyMap<string, unknown>): unknown {
  let current = error;
  for (let hops = 0; current instanceof DependencyFailedError && hops < 16; hops++) current = errors.get(current.dependency) ?? current;
  if (current instanceof SectionTimeoutError) {
    return new PlatformError('timeout', 'SECTION_TIMEOUT', current.message, {
      publicDetail: 'A required part of the response did not arrive in time.',
      context: { section: current.section, budgetMs: current.budgetMs },
    });
  }
  return current;
}

/** Entry point of the aggregation toolkit, injectable anywhere the UpstreamModule is imported. */
@Injectable()
export class Aggregator {
  constructor(
    @Optional() @Inject(SECTION_FALLBACK) private readonly fallback?: SectionFallbackStore,
    @Optional() private readonly metrics?: UpstreamMetrics,
  ) {}

  plan(): AggregationPlan {
    return new AggregationPlan([], this.fallback, this.metrics);
  }
}
