import { describe, expect, it } from 'vitest';

import { UpstreamError, type UpstreamFailure } from './upstream.error.js';
import { outcomeOf } from './upstream.metrics.js';

const failed = (failure: UpstreamFailure, status?: number) =>
  new UpstreamError({ upstream: 'catalog', failure, method: 'GET', path: '/p', status });

describe('outcomeOf', () => {
  it('maps every failure to one of the fixed outcome labels', () => {
    expect(outcomeOf(failed('http_status', 503))).toBe('5xx');
    expect(outcomeOf(failed('http_status', 404))).toBe('4xx');
    expect(outcomeOf(failed('timeout'))).toBe('timeout');
    expect(outcomeOf(failed('deadline_exceeded'))).toBe('timeout');
    expect(outcomeOf(failed('connection_refused'))).toBe('refused');
    expect(outcomeOf(failed('connection_reset'))).toBe('reset');
    expect(outcomeOf(failed('malformed_body'))).toBe('invalid');
    expect(outcomeOf(failed('body_too_large'))).toBe('invalid');
    expect(outcomeOf(failed('circuit_open'))).toBe('breaker-open');
    expect(outcomeOf(failed('bulkhead_full'))).toBe('overloaded');
    expect(outcomeOf(failed('aborted'))).toBe('cancelled');
    expect(outcomeOf(new Error('a bug'))).toBe('invalid');
  });
});
