import { Injectable, Optional } from '@nestjs/common';
import type { Counter } from 'prom-client';

import { MetricsService } from '@bff/core';

interface AuthFamilies {
  readonly rateLimited: Counter<'limiter'>;
  readonly sessionRefreshes: Counter<'outcome'>;
  readonly jwksFetches: Counter<'outcome'>;
  readonly tokenExchanges: Counter<'outcome'>;
}

/**
 * The auth series (docs/operations.md, "Metrics"; refused authentications per strategy are counted
 * by @bff/core's access guard): rate-limit refusals per limiter, and by outcome session refreshes,
 * JWKS fetches and token exchanges. Without a MetricsService it records nothing.
 */
@Injectable()
export class AuthMetrics {
  private readonly families: AuthFamilies | undefined;

  constructor(@Optional() metrics?: MetricsService) {
    this.families = metrics && {
      rateLimited: metrics.counter({
        name: 'bff_auth_rate_limited_total',
        help: 'Requests refused with 429 by a rate limiter (a throttler name, or auth-failures).',
        labelNames: ['limiter'],
      }),
      sessionRefreshes: metrics.counter({
        name: 'bff_auth_session_refreshes_total',
        help: 'Session access-token refreshes at the OpenID provider, by outcome (ok, refused: session ended, failed: provider unavailable).',
        labelNames: ['outcome'],
      }),
      jwksFetches: metrics.counter({
        name: 'bff_auth_jwks_fetches_total',
        help: 'Fetches of the OpenID provider key set (boot, expiry, unknown kid), by outcome (ok, failed).',
        labelNames: ['outcome'],
      }),
      tokenExchanges: metrics.counter({
        name: 'bff_auth_token_exchanges_total',
        help: 'Token exchanges (RFC 8693) at the OpenID provider, by outcome (ok, refused: subject token not exchangeable, failed: provider unavailable). Cached exchanged tokens are not counted.',
        labelNames: ['outcome'],
      }),
    };
  }

  rateLimited(limiter: string): void {
    this.families?.rateLimited.inc({ limiter });
  }

  sessionRefreshed(outcome: 'ok' | 'refused' | 'failed'): void {
    this.families?.sessionRefreshes.inc({ outcome });
  }

  keySetFetched(outcome: 'ok' | 'failed'): void {
    this.families?.jwksFetches.inc({ outcome });
  }

  tokenExchanged(outcome: 'ok' | 'refused' | 'failed'): void {
    this.families?.tokenExchanges.inc({ outcome });
  }
}
