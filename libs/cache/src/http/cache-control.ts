import { hash } from 'node:crypto';

/** The Cache-Control directives a cache acts on (RFC 9111 §5.2.2, RFC 5861). */
export interface CacheControl {
  readonly noStore: boolean;
  readonly noCache: boolean;
  readonly private: boolean;
  readonly public: boolean;
  readonly mustRevalidate: boolean;
  /** Seconds. */
  readonly maxAge?: number;
  readonly sMaxAge?: number;
  readonly staleIfError?: number;
  readonly staleWhileRevalidate?: number;
}

type HeaderValue = string | readonly string[] | number | undefined;

const headerText = (value: HeaderValue): string => (Array.isArray(value) ? value.join(',') : value === undefined ? '' : String(value));

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Math.min(Number(value), 2 ** 31);
}

/**
 * Parses Cache-Control. Conservative where the grammar allows it: `private="field"` and
 * `no-cache="field"` are treated as plain `private` / `no-cache`; a malformed max-age is ignored.
 */
export function parseCacheControl(value: HeaderValue): CacheControl {
  const directives = new Map<string, string | undefined>();
  for (const part of headerText(value).split(',')) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf('=');
    const name = (eq === -1 ? trimmed : trimmed.slice(0, eq)).trim().toLowerCase();
    let arg = eq === -1 ? undefined : trimmed.slice(eq + 1).trim();
    if (arg?.startsWith('"') && arg.endsWith('"') && arg.length >= 2) arg = arg.slice(1, -1);
    if (!directives.has(name)) directives.set(name, arg);
  }
  return {
    noStore: directives.has('no-store'),
    noCache: directives.has('no-cache'),
    private: directives.has('private'),
    public: directives.has('public'),
    mustRevalidate: directives.has('must-revalidate') || directives.has('proxy-revalidate'),
    maxAge: seconds(directives.get('max-age')),
    sMaxAge: seconds(directives.get('s-maxage')),
    staleIfError: seconds(directives.get('stale-if-error')),
    staleWhileRevalidate: seconds(directives.get('stale-while-revalidate')),
  };
}

/** Lowercased field names of a Vary header; `*` is kept as is. */
export function parseVary(value: HeaderValue): string[] {
  return [
    ...new Set(
      headerText(value)
        .split(',')
        .map((v) => v.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** Strong ETag of a representation: a hash of its exact bytes. */
export function strongEtag(body: string): string {
  return `"${hash('sha256', body, 'base64url').slice(0, 32)}"`;
}

/** `If-None-Match` evaluation: weak comparison, as RFC 9110 §13.1.2 prescribes for this header. */
export function ifNoneMatchHits(header: HeaderValue, etag: string): boolean {
  const text = headerText(header).trim();
  if (!text) return false;
  if (text === '*') return true;
  const opaque = (tag: string): string => (tag.startsWith('W/') ? tag.slice(2) : tag);
  const target = opaque(etag);
  return text.split(',').some((candidate) => opaque(candidate.trim()) === target);
}

/** Canonical spelling of a header name for Vary (`accept-language` → `Accept-Language`). */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part ? part[0].toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

/** Merges Vary field names into an existing Vary value, case-insensitively, without duplicates. */
export function mergeVary(existing: HeaderValue, add: readonly string[]): string {
  // The common case on every cached response (no Vary yet): a list computed once per set of names.
  if (existing === undefined || existing === '') return varyList(add);
  return mergeInto(existing, add);
}

const varyLists = new Map<string, string>();

function varyList(add: readonly string[]): string {
  const id = add.join('\n');
  let list = varyLists.get(id);
  if (list === undefined) {
    list = mergeInto(undefined, add);
    if (varyLists.size < 256) varyLists.set(id, list);
  }
  return list;
}

function mergeInto(existing: HeaderValue, add: readonly string[]): string {
  const names = headerText(existing)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.includes('*')) return '*';
  const seen = new Set(names.map((n) => n.toLowerCase()));
  for (const name of add) {
    if (seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    names.push(canonicalHeaderName(name));
  }
  return names.join(', ');
}
