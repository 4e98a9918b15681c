import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { isPlatformError } from '../errors/platform-error.js';
import { MetricsService } from './metrics.service.js';

/**
 * Refused authentications, counted where every strategy's verdict lands (the access guard):
 * `bff_auth_failures_total{strategy,reason}`; `reason` is the refusal's problem code
 * (TOKEN_EXPIRED, INSUFFICIENT_SCOPE...), a fixed set.
 */
@Injectable()
export class AccessMetrics {
  private readonly failures: Counter<'strategy' | 'reason'>;

  constructor(metrics: MetricsService) {
    this.failures = metrics.counter({
      name: 'bff_auth_failures_total',
      help: 'Requests refused by an authentication strategy, by strategy and problem code.',
      labelNames: ['strategy', 'reason'],
    });
  }

  failed(strategy: string, error: unknown): void {
    this.failures.inc({ strategy, reason: isPlatformError(error) ? error.code : 'INTERNAL' });
  }
}
