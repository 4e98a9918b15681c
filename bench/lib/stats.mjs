// Small statistics helpers.

export function median(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Percentile (0..100) of a sorted numeric array, nearest-rank. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** (max - min) / median, in percent: how much the rounds disagree. */
export function spreadPct(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (v.length < 2) return 0;
  const m = median(v);
  return m > 0 ? (100 * (Math.max(...v) - Math.min(...v))) / m : 0;
}

export function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}

/**
 * A distribution-free confidence interval of the median: the order statistics [x(k), x(n+1-k)] with the
 * largest k whose coverage, 1 − 2·P(B ≤ k − 1) for B ~ Binomial(n, ½), is still at least `confidence`.
 * It assumes nothing about the shape of the values (the per-round ratios of a noisy machine are not
 * normal) and only that the rounds are independent. Undefined when there are too few values for the
 * asked confidence (fewer than 5 at 90 %).
 * @returns {{ low: number, high: number, coverage: number, n: number } | undefined}
 */
export function medianInterval(values, confidence = 0.9) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  let best;
  let below = 0; // P(B ≤ k − 1), accumulated as k grows
  let term = 0.5 ** n; // P(B = k − 1)
  for (let k = 1; k <= n >> 1; k++) {
    below += term;
    term = (term * (n - (k - 1))) / k;
    const coverage = 1 - 2 * below;
    if (coverage < confidence) break;
    best = { low: v[k - 1], high: v[n - k], coverage, n };
  }
  return best;
}
