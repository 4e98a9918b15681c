// Trend of a series sampled over time (the soak test): a least-squares line through its second
// half, and how much that line grows. The first half is left out: it holds the warm-up (heaps and
// pools growing to their working size), which is not a leak.

/**
 * Least-squares line through points `{ t, value }`: `{ slope, intercept }` with `value ≈ intercept + slope · t`.
 * Undefined with fewer than two points or when every point has the same t.
 */
export function leastSquares(points) {
  const finite = points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.value));
  const n = finite.length;
  if (n < 2) return undefined;
  const meanT = finite.reduce((s, p) => s + p.t, 0) / n;
  const meanV = finite.reduce((s, p) => s + p.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of finite) {
    sxx += (p.t - meanT) ** 2;
    sxy += (p.t - meanT) * (p.value - meanV);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanV - slope * meanT };
}

/**
 * Each point's value replaced by the median of the last `window` values (itself included; fewer at the
 * start). A spike lasting less than half the window disappears; a sustained change comes through,
 * `window / 2` samples late.
 */
export function rollingMedian(points, window) {
  return points.map((point, i) => {
    const values = points
      .slice(Math.max(0, i - window + 1), i + 1)
      .map((p) => p.value)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const mid = values.length >> 1;
    const value = values.length === 0 ? NaN : values.length % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    return { t: point.t, value };
  });
}

/**
 * The trend of `points` (`{ t: seconds, value }`, in time order) over their second half:
 * - `slopePerS`: the fitted slope;
 * - `start`, `end`: the fitted values at the first and last t of the half;
 * - `growth`: end − start (in the series' unit), `growthPct`: growth relative to start;
 * - `per10MinPct`: the slope over ten minutes, relative to the half's mean (a rate that does not
 *   depend on how long the run was).
 * Undefined when the half has fewer than three points.
 */
export function secondHalfTrend(points) {
  const half = points.slice(Math.floor(points.length / 2));
  if (half.length < 3) return undefined;
  const line = leastSquares(half);
  if (!line) return undefined;
  const first = half[0].t;
  const last = half[half.length - 1].t;
  const start = line.intercept + line.slope * first;
  const end = line.intercept + line.slope * last;
  const mean = half.reduce((s, p) => s + p.value, 0) / half.length;
  return {
    points: half.length,
    fromS: first,
    toS: last,
    slopePerS: line.slope,
    start,
    end,
    growth: end - start,
    growthPct: start > 0 ? (100 * (end - start)) / start : end > start ? Infinity : 0,
    per10MinPct: mean > 0 ? (100 * line.slope * 600) / mean : 0,
  };
}

/**
 * Judges a trend against a relative limit and an absolute floor: it fails only when both are
 * exceeded, so that noise on a small value (a 1 ms probe becoming 2 ms is +100 %) or a small
 * absolute drift on a short run is not called a leak. `relative` picks which relative figure to use.
 * @param {ReturnType<typeof secondHalfTrend>} trend
 * @param {{ relative: 'growthPct' | 'per10MinPct', maxPct: number, floor: number }} limit
 */
export function exceeds(trend, { relative, maxPct, floor }) {
  if (!trend) return false;
  return trend[relative] > maxPct && trend.growth > floor;
}
