/**
 * `Accept-Language` negotiation (RFC 9110 §12.5.4, RFC 4647 lookup on primary subtags) for the services whose
 * answers vary by language. A malformed header is ignored as a whole: the default language.
 */
const RANGE = /^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$/;
const QVALUE = /^q=(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
const MAX_HEADER = 256;

interface Range {
  range: string;
  q: number;
}

function parse(header: string | string[] | undefined): Range[] | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value === undefined || value.length > MAX_HEADER) return undefined;
  const ranges: Range[] = [];
  for (const raw of value.split(',')) {
    const [range = '', ...params] = raw.split(';').map((p) => p.trim().toLowerCase());
    if (!RANGE.test(range) || params.length > 1) return undefined;
    const q = params[0]?.replace(/\s+/g, '');
    if (q !== undefined && !QVALUE.test(q)) return undefined;
    ranges.push({ range, q: q === undefined ? 1 : Number(q.slice(2)) });
  }
  return ranges.sort((a, b) => b.q - a.q);
}

/** The supported language the header prefers; `supported[0]` (the default) when none is acceptable. */
export function negotiateLanguage<L extends string>(header: string | string[] | undefined, supported: readonly L[]): L {
  const fallback = supported[0];
  const ranges = parse(header);
  if (!ranges) return fallback;
  const excluded = new Set(ranges.filter((r) => r.q === 0).map((r) => r.range));
  for (const { range, q } of ranges) {
    if (q === 0) break;
    if (range === '*') return supported.find((language) => !excluded.has(language)) ?? fallback;
    const primary = range.split('-')[0];
    const match = supported.find((language) => language === primary);
    if (match !== undefined && !excluded.has(primary) && !excluded.has(range)) return match;
  }
  return fallback;
}
