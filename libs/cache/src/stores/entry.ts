import { ENVELOPE_VERSION } from '../cache.constants.js';

/**
 * One cached value with its timing. Times are epoch milliseconds, so instances sharing Redis agree
 * on them (within clock skew).
 */
export interface CacheEntry<T = unknown> {
  readonly value: T;
  /** When the value was computed. */
  readonly storedAt: number;
  /** Until when it is served as fresh. */
  readonly freshUntil: number;
  /** Physical expiry: past it the entry is gone (end of the longest stale window). */
  readonly expiresAt: number;
  /** Invalidation tags. */
  readonly tags: readonly string[];
}

interface Envelope {
  v: number;
  s: number;
  f: number;
  e: number;
  t: string[];
  d: unknown;
}

/**
 * Serializes an entry as JSON inside a versioned envelope. Values must be JSON data (objects,
 * arrays, strings, finite numbers, booleans, null); anything else throws here, at write time.
 */
export function encodeEntry(entry: CacheEntry): string {
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    s: entry.storedAt,
    f: entry.freshUntil,
    e: entry.expiresAt,
    t: [...entry.tags],
    d: entry.value,
  };
  const text = JSON.stringify(envelope);
  if (typeof text !== 'string') throw new TypeError('cache entry is not serializable');
  return text;
}

const isTime = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

/**
 * Parses what encodeEntry wrote. Anything else (truncated or foreign JSON, another envelope
 * version, wrong field types, a non-string) is `undefined`: a corrupt entry is a miss, never an error.
 */
export function decodeEntry<T = unknown>(raw: unknown): CacheEntry<T> | undefined {
  if (typeof raw !== 'string' || raw.length === 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const env = parsed as Partial<Envelope>;
  if (env.v !== ENVELOPE_VERSION || !isTime(env.s) || !isTime(env.f) || !isTime(env.e) || !('d' in env)) return undefined;
  if (env.f < env.s || env.e < env.f) return undefined;
  if (!Array.isArray(env.t) || !env.t.every((t) => typeof t === 'string')) return undefined;
  return { value: env.d as T, storedAt: env.s, freshUntil: env.f, expiresAt: env.e, tags: env.t };
}
