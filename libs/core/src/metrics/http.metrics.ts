import { Injectable } from '@nestjs/common';
import type { Histogram } from 'prom-client';

import { BoundChildren, MetricsService } from './metrics.service.js';

/** Seconds: a BFF answers in milliseconds from cache and in up to its deadline (5 s by default) otherwise. */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The route label of a request no route matched (404s, router refusals): never the raw URL. */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Methods kept as they are; anything else a client sends is counted as OTHER (a bounded label). */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const STATUS_CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'];

type Observer = Histogram.Internal<'method' | 'route' | 'status_class'>;

/**
 * Inbound requests: `http_server_request_duration_seconds{method,route,status_class}` (its _count is
 * the request rate, status_class="5xx" the errors). `route` is the route pattern (`/products/:id`),
 * never the URL.
 */
@Injectable()
export class HttpMetrics {
  private readonly duration: Histogram<'method' | 'route' | 'status_class'>;
  private readonly children: BoundChildren<Observer>;

  constructor(metrics: MetricsService) {
    this.duration = metrics.histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of inbound HTTP requests, by method, route pattern and status class.',
      labelNames: ['method', 'route', 'status_class'],
      buckets: HTTP_DURATION_BUCKETS,
    });
    this.children = new BoundChildren((method, route, statusClass) => this.duration.labels(method, route, statusClass));
  }

  /** One finished request; `route` undefined when no route matched. */
  observe(method: string, route: string | undefined, status: number, durationMs: number): void {
    const statusClass = STATUS_CLASSES[Math.floor(status / 100) - 1] ?? '5xx';
    this.children.get(KNOWN_METHODS.has(method) ? method : 'OTHER', route ?? UNMATCHED_ROUTE, statusClass).observe(durationMs / 1000);
  }
}
