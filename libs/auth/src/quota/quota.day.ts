/** Day-boundary arithmetic of the partner daily quota: a quota day is a UTC calendar day. */

const DAY_MS = 86_400_000;

/** The UTC day `now` falls in, as `YYYY-MM-DD` (names the day's counter). */
export function utcDay(now: number): string {
  return new Date(now).toISOString().slice(0, 10);
}

/** Epoch ms of the next UTC midnight after `now` (a request at exactly midnight belongs to the new day). */
export function nextUtcMidnight(now: number): number {
  return (Math.floor(now / DAY_MS) + 1) * DAY_MS;
}

/** Whole seconds from `now` until the quota resets, at least 1 (what Retry-After and `t=` carry). */
export function secondsUntilReset(now: number): number {
  return Math.max(1, Math.ceil((nextUtcMidnight(now) - now) / 1000));
}
