import type { RemoteApiDefinition, RemoteApiMethod } from './remote-api.types.js';

/** A remote API name, as the `{api}` segment spells it. */
export const REMOTE_API_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** An allowlisted prefix: plain segments (letters, digits, - _ . ~), no dot segments. */
const PREFIX = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

/**
 * Percent-encodings refused anywhere in a forwarded path: those that decode to a separator (/ \),
 * a dot (so `%2e%2e` cannot become `..` further on), `%` itself (double encoding), NUL and other
 * control characters.
 */
const ENCODED_TRICK = /%(?:2f|5c|2e|25|[01][0-9a-f]|7f)/i;
const MALFORMED_ENCODING = /%(?![0-9a-f]{2})/i;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0020\u007f\\#]/;

export type RemotePath =
  | { readonly ok: true; readonly upstream: string; readonly path: string }
  | { readonly ok: false; readonly reason: 'invalid' | 'not_allowed' };

export function isValidPrefix(prefix: string): boolean {
  return PREFIX.test(prefix) && !prefix.split('/').some((segment) => segment === '.' || segment === '..');
}

/**
 * Resolves the part of a request URL after `/api/remote/{api}` (raw, still percent-encoded, with its
 * query) to what is sent upstream. Invalid: not a clean absolute path (empty or dot segments, `//`,
 * backslashes, control characters, encoded separators, dots, `%` or controls, malformed encodings).
 * Not allowed: an unknown API, a method it does not allow, or a path outside its prefixes.
 */
export function resolveRemotePath(apis: ReadonlyMap<string, RemoteApiDefinition>, api: string, method: string, rest: string): RemotePath {
  const definition = apis.get(api);
  if (!definition) return { ok: false, reason: 'not_allowed' };
  const queryAt = rest.indexOf('?');
  const path = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? '' : rest.slice(queryAt);
  if (!isCleanPath(path) || FORBIDDEN_CHARS.test(query) || MALFORMED_ENCODING.test(query)) return { ok: false, reason: 'invalid' };
  const methods: readonly string[] = definition.methods ?? (['GET'] satisfies RemoteApiMethod[]);
  const head = method === 'HEAD' ? 'GET' : method;
  if (!methods.includes(head)) return { ok: false, reason: 'not_allowed' };
  if (!definition.paths.some((prefix) => path === prefix || path.startsWith(`${prefix}/`))) return { ok: false, reason: 'not_allowed' };
  return { ok: true, upstream: definition.upstream, path: path + query };
}

function isCleanPath(path: string): boolean {
  if (!path.startsWith('/') || path.length > 2048) return false;
  if (FORBIDDEN_CHARS.test(path) || ENCODED_TRICK.test(path) || MALFORMED_ENCODING.test(path)) return false;
  const segments = path.slice(1).split('/');
  return segments.every((segment, i) => (segment !== '' || i === segments.length - 1) && segment !== '.' && segment !== '..');
}
