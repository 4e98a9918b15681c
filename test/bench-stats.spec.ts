import { describe, expect, it } from 'vitest';

// The benchmark's statistics (plain ESM, no types): the verdict lines of `npm run bench` rest on them.
// @ts-expect-error -- bench/lib is untyped JavaScript tooling
import { median, medianInterval } from '../bench/lib/stats.mjs';

type Interval = { low: number; high: number; coverage: number; n: number } | undefined;
const interval = medianInterval as (values: number[], confidence?: number) => Interval;

describe('bench statistics: medianInterval', () => {
  it('takes the 2nd and 7th of 8 rounds at 90 % (coverage 1 − 2·9/256)', () => {
    const rounds = [0.84, 0.8, 1.1, 0.81, 0.78, 0.73, 0.79, 0.77];
    expect(interval(rounds)).toEqual({ low: 0.77, high: 0.84, coverage: 1 - 18 / 256, n: 8 });
    expect((median as (v: number[]) => number)(rounds)).toBeCloseTo(0.795, 10);
  });

  it('widens to the extremes when only they reach the confidence, and gives up below 5 values at 90 %', () => {
    expect(interval([3, 1, 2, 5, 4])).toEqual({ low: 1, high: 5, coverage: 1 - 2 / 32, n: 5 });
    expect(interval([1, 2, 3, 4])).toBeUndefined();
    expect(interval([1, 2, 3, 4], 0.8)).toEqual({ low: 1, high: 4, coverage: 1 - 2 / 16, n: 4 });
  });

  it('narrows as rounds are added: 24 rounds at 90 % take the 8th and 17th', () => {
    const rounds = Array.from({ length: 24 }, (_, i) => i + 1);
    const result = interval(rounds);
    expect(result).toMatchObject({ low: 8, high: 17, n: 24 });
    expect(result!.coverage).toBeGreaterThanOrEqual(0.9);
    // one step narrower would fall below 90 %
    expect(1 - 2 * binomialCdf(24, 8)).toBeLessThan(0.9);
  });

  it('ignores values that are not finite numbers', () => {
    expect(interval([Number.NaN, 1, 2, 3, 4, 5, Number.POSITIVE_INFINITY])).toEqual({ low: 1, high: 5, coverage: 1 - 2 / 32, n: 5 });
  });
});

/** P(B ≤ k) for B ~ Binomial(n, ½), by direct summation (independent of the implementation under test). */
function binomialCdf(n: number, k: number): number {
  let total = 0;
  for (let i = 0; i <= k; i++) total += choose(n, i);
  return total / 2 ** n;
}

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}
