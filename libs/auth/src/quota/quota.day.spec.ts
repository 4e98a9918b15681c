import { describe, expect, it } from 'vitest';

import { nextUtcMidnight, secondsUntilReset, utcDay } from './quota.day.js';

const at = (iso: string) => Date.parse(iso);

describe('partner quota day boundaries (UTC)', () => {
  it('names the UTC day, whatever the local time zone', () => {
    expect(utcDay(at('2026-12-06T00:00:00.000Z'))).toBe('2026-12-06');
    expect(utcDay(at('2026-12-06T23:59:59.999Z'))).toBe('2026-12-06');
    expect(utcDay(at('2026-12-06T23:30:00-02:00'))).toBe('2026-12-07');
  });

  it('resets at the next UTC midnight; a request at exactly midnight belongs to the new day', () => {
    expect(nextUtcMidnight(at('2026-12-06T13:45:10.500Z'))).toBe(at('2026-12-07T00:00:00Z'));
    expect(nextUtcMidnight(at('2026-12-06T00:00:00Z'))).toBe(at('2026-12-07T00:00:00Z'));
    expect(nextUtcMidnight(at('2026-12-06T23:59:59.999Z'))).toBe(at('2026-12-07T00:00:00Z'));
    // Month, year and leap-day boundaries.
    expect(nextUtcMidnight(at('2026-12-31T12:00:00Z'))).toBe(at('2027-01-01T00:00:00Z'));
    expect(nextUtcMidnight(at('2028-02-28T23:00:00Z'))).toBe(at('2028-02-29T00:00:00Z'));
  });

  it('counts whole seconds to the reset, rounded up and never 0', () => {
    expect(secondsUntilReset(at('2026-12-06T00:00:00Z'))).toBe(86_400);
    expect(secondsUntilReset(at('2026-12-06T23:00:00Z'))).toBe(3_600);
    expect(secondsUntilReset(at('2026-12-06T23:59:58.200Z'))).toBe(2);
    expect(secondsUntilReset(at('2026-12-06T23:59:59.999Z'))).toBe(1);
  });
});
