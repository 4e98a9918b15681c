import { Inject, Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

import { CORE_MODULE_OPTIONS, type CoreModuleOptions } from '../core.module-definition.js';

/**
 * The app's Prometheus registry (docs/operations.md, "Metrics"). Every series carries the app's name
 * (`app` label). One registry per app, never prom-client's global one, so a test process can boot
 * several apps side by side.
 *
 * Libs declare their families through counter/gauge/histogram: a second declaration of a name (two
 * modules of one lib sharing a family) gets the family registered first, so declare each name with
 * one shape.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(@Inject(CORE_MODULE_OPTIONS) options: CoreModuleOptions) {
    this.registry.setDefaultLabels({ app: options.app.name });
    // Process and runtime: CPU, memory, heap spaces, handles, GC, event-loop lag and utilisation.
    collectDefaultMetrics({ register: this.registry });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return this.existing<Counter<L>>(config.name) ?? new Counter<L>({ ...config, registers: [this.registry] });
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return this.existing<Gauge<L>>(config.name) ?? new Gauge<L>({ ...config, registers: [this.registry] });
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return this.existing<Histogram<L>>(config.name) ?? new Histogram<L>({ ...config, registers: [this.registry] });
  }

  /**
   * A counter whose values a component already keeps (monotonic totals since boot), read at scrape
   * time: nothing runs on the component's hot path. `read` yields [label values, total] pairs.
   */
  countersFrom<L extends string>(
    config: Omit<CounterConfiguration<L>, 'registers' | 'collect'>,
    read: () => Iterable<readonly [Partial<Record<L, string>>, number]>,
  ): Counter<L> {
    return this.counter<L>({
      ...config,
      collect() {
        this.reset();
        for (const [labels, total] of read()) this.inc(labels, total);
      },
    });
  }

  /** The names of every registered family (the dashboard check compares its queries against them). */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((metric) => metric.name);
  }

  /** The exposition text a scrape gets. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  private existing<T extends Metric>(name: string): T | undefined {
    return this.registry.getSingleMetric(name) as T | undefined;
  }
}

/**
 * Label children by key, made once: `labels()` hashes its label values on every call, which the
 * hot paths (every request, every upstream call) should not pay. Keys must be bounded (route
 * patterns, upstream names, outcomes), as the label values themselves are.
 */
export class BoundChildren<C> {
  private readonly children = new Map<string, C>();

  constructor(private readonly bind: (...values: string[]) => C) {}

  get(...values: string[]): C {
    const key = values.length === 1 ? values[0] : values.join('\u0000');
    let child = this.children.get(key);
    if (child === undefined) {
      child = this.bind(...values);
      this.children.set(key, child);
    }
    return child;
  }
}
