import { describe, expect, it } from 'vitest';

// The soak test's verdict (plain ESM, no types): `npm run soak` fails on these trends.
// @ts-expect-error -- bench/lib is untyped JavaScript tooling
import { exceeds, leastSquares, rollingMedian, secondHalfTrend } from '../bench/lib/trend.mjs';

interface Trend {
  points: number;
  fromS: number;
  toS: number;
  slopePerS: number;
  start: number;
  end: number;
  growth: number;
  growthPct: number;
  per10MinPct: number;
}
type Point = { t: number; value: number };
const fit = leastSquares as (points: Point[]) => { slope: number; intercept: number } | undefined;
const trendOf = secondHalfTrend as (points: Point[]) => Trend | undefined;
const smooth = rollingMedian as (points: Point[], window: number) => Point[];
const judge = exceeds as (
  trend: Trend | undefined,
  limit: { relative: 'growthPct' | 'per10MinPct'; maxPct: number; floor: number },
) => boolean;

/** A sample every `everyS` seconds for `count` samples, value = f(t). */
const series = (count: number, everyS: number, f: (t: number) => number): Point[] =>
  Array.from({ length: count }, (_, i) => ({ t: i * everyS, value: f(i * everyS) }));

describe('soak trend: least squares over the second half', () => {
  it('fits a line exactly through points on a line, and refuses degenerate input', () => {
    expect(
      fit([
        { t: 0, value: 1 },
        { t: 2, value: 5 },
        { t: 4, value: 9 },
      ]),
    ).toEqual({ slope: 2, intercept: 1 });
    expect(fit([{ t: 1, value: 1 }])).toBeUndefined();
    expect(
      fit([
        { t: 3, value: 1 },
        { t: 3, value: 2 },
      ]),
    ).toBeUndefined();
  });

  it('ignores the warm-up in the first half: a memory that grows then plateaus has no trend', () => {
    // 100 MB growing to 140 MB over the first 5 minutes, then flat for 5 minutes (one sample every 10 s).
    const rss = series(60, 10, (t) => (t < 300 ? 100 + (40 * t) / 300 : 140));
    const trend = trendOf(rss)!;
    expect(trend.points).toBe(30);
    expect(trend.fromS).toBe(300);
    expect(trend.slopePerS).toBeCloseTo(0, 10);
    expect(judge(trend, { relative: 'per10MinPct', maxPct: 10, floor: 2 })).toBe(false);
  });

  it('rates a steady growth per 10 minutes relative to the mean: 1 MB/min on ~107 MB passes a 10 % limit, 3 MB/min fails', () => {
    // Second half: t = 300 … 590 s, mean t = 445 s.
    const slow = trendOf(series(60, 10, (t) => 100 + t / 60))!;
    expect(slow.slopePerS).toBeCloseTo(1 / 60, 10);
    expect(slow.per10MinPct).toBeCloseTo(1000 / (100 + 445 / 60), 6);
    expect(judge(slow, { relative: 'per10MinPct', maxPct: 10, floor: 2 })).toBe(false);
    const fast = trendOf(series(60, 10, (t) => 100 + (3 * t) / 60))!;
    expect(fast.per10MinPct).toBeCloseTo(3000 / (100 + (3 * 445) / 60), 6);
    expect(judge(fast, { relative: 'per10MinPct', maxPct: 10, floor: 2 })).toBe(true);
  });

  it('needs both the relative limit and the absolute floor: a short run drifting 1 MB is not a leak', () => {
    // 60 s run, samples every 2 s, 1 MB over the second half on 100 MB: 40 % per 10 minutes, but under the 2 MB floor.
    const drift = trendOf(series(30, 2, (t) => 100 + Math.max(0, t - 30) / 29))!;
    expect(drift.per10MinPct).toBeGreaterThan(10);
    expect(drift.growth).toBeLessThan(2);
    expect(judge(drift, { relative: 'per10MinPct', maxPct: 10, floor: 2 })).toBe(false);
  });

  it('judges probe latency by its growth over the half: 2 → 4 ms is +100 % but under a 5 ms floor; 10 → 30 ms fails', () => {
    const small = trendOf(series(30, 2, (t) => (t < 30 ? 2 : 2 + (2 * (t - 30)) / 28)))!;
    expect(small.growthPct).toBeCloseTo(100, 5);
    expect(judge(small, { relative: 'growthPct', maxPct: 50, floor: 5 })).toBe(false);
    const large = trendOf(series(30, 2, (t) => (t < 30 ? 10 : 10 + (20 * (t - 30)) / 28)))!;
    expect(large.growth).toBeCloseTo(20, 5);
    expect(judge(large, { relative: 'growthPct', maxPct: 50, floor: 5 })).toBe(true);
  });

  it('smooths probe spikes with a rolling median of 5: late one-interval spikes are not a trend, a sustained rise is', () => {
    // A flat 20 ms p99 with spikes from outside load near the end: least squares alone calls it +100 %.
    const spiky = series(30, 2, (t) => (t === 46 || t === 56 ? 175 : 20));
    expect(trendOf(spiky)!.growthPct).toBeGreaterThan(50);
    const smoothed = trendOf(smooth(spiky, 5))!;
    expect(smoothed.growth).toBeCloseTo(0, 10);
    expect(judge(smoothed, { relative: 'growthPct', maxPct: 50, floor: 5 })).toBe(false);
    // A real rise from 20 to 60 ms over the second half survives the smoothing.
    const rising = series(30, 2, (t) => (t < 30 ? 20 : 20 + (40 * (t - 30)) / 28));
    expect(judge(trendOf(smooth(rising, 5)), { relative: 'growthPct', maxPct: 50, floor: 5 })).toBe(true);
    expect(
      smooth(
        [
          { t: 0, value: 3 },
          { t: 1, value: 1 },
          { t: 2, value: NaN },
        ],
        5,
      ).map((p) => p.value),
    ).toEqual([3, 2, 2]);
  });

  it('treats a falling series and too few samples as no trend', () => {
    expect(judge(trendOf(series(20, 5, (t) => 200 - t)), { relative: 'per10MinPct', maxPct: 10, floor: 2 })).toBe(false);
    expect(trendOf(series(4, 5, (t) => t))).toBeUndefined(); // two points in the half
    expect(judge(undefined, { relative: 'growthPct', maxPct: 50, floor: 5 })).toBe(false);
  });
});
