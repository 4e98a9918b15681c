/** One `Accept-Language` range with its weight (RFC 9110 §12.5.4). */
export interface LanguageRange {
  /** Lowercased language range: `de`, `de-ch` or `*`. */
  readonly range: string;
  /** Weight 0..1 (q=0 means "not acceptable"). */
  readonly q: number;
}

const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
const QVALUE = /^q=(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
const MAX_HEADER = 256;
const MAX_RANGES = 16;

/**
 * Parses an `Accept-Language` value into its ranges, best first (a stable sort by q, so equal weights keep the
 * client's order). A value that is not well formed anywhere (bad range, bad or repeated q, too long, too many
 * ranges) is ignored as a whole: undefined, and the caller falls back to its default.
 */
export function parseAcceptLanguage(header: string | readonly string[] | undefined): LanguageRange[] | undefined {
  const value = Array.isArray(header) ? header.join(',') : (header as string | undefined);
  if (value === undefined || value.length > MAX_HEADER) return undefined;
  const parts = value.split(',').map((part) => part.trim());
  if (parts.length > MAX_RANGES || parts.some((part) => part === '')) return undefined;
  const ranges: LanguageRange[] = [];
  for (const part of parts) {
    const [range, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!RANGE.test(range) || params.length > 1) return undefined;
    if (params.length === 1 && !QVALUE.test(params[0].replace(/\s+/g, ''))) return undefined;
    ranges.push({ range, q: params.length === 1 ? Number(params[0].replace(/\s+/g, '').slice(2)) : 1 });
  }
  return ranges.sort((a, b) => b.q - a.q);
}

/**
 * The supported language the client prefers (RFC 4647 lookup on primary subtags): `de-CH` matches `de`, `*` any
 * supported language not excluded with q=0. `supported` lists lowercase primary subtags, the default first; a
 * missing, malformed or unsatisfiable header gets the default.
 */
export function negotiateLanguage(header: string | readonly string[] | undefined, supported: readonly string[]): string {
  const fallback = supported[0];
  const ranges = parseAcceptLanguage(header);
  if (!ranges) return fallback;
  const excluded = new Set(ranges.filter((r) => r.q === 0 && r.range !== '*').map((r) => r.range));
  for (const { range, q } of ranges) {
    if (q === 0) break;
    if (range === '*') return supported.find((language) => !excluded.has(language)) ?? fallback;
    const primary = range.split('-')[0];
    if (supported.includes(primary) && !excluded.has(primary) && !excluded.has(range)) return primary;
  }
  return fallback;
}
