/** Longest accepted `returnTo`. */
export const RETURN_TO_MAX_LENGTH = 1024;

const BASE = 'https://bff.invalid';
// Control characters (the URL parser silently drops TAB/CR/LF: "/\t/evil" becomes "//evil"), spaces, backslashes.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0020\u007f\\]/;

function isLocalPath(candidate: string): boolean {
  return candidate.startsWith('/') && !candidate.startsWith('//') && !FORBIDDEN.test(candidate);
}

/**
 * Canonical form of a post-login redirect target when it is a same-origin relative path, else
 * undefined. Refused: absolute and scheme-relative URLs (`https://x`, `//x`), backslash tricks
 * (`/\x`), control characters and whitespace, and anything that turns into one of those once
 * percent-decoded (`/%2F%2Fevil`, `/%5Cevil`, double encoding), so no later decoding step can
 * make it leave the origin.
 */
export function safeReturnTo(value: string): string | undefined {
  if (value.length === 0 || value.length > RETURN_TO_MAX_LENGTH) return undefined;
  let layer = value;
  for (let depth = 0; depth < 4; depth++) {
    if (!isLocalPath(layer)) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      return undefined;
    }
    if (decoded === layer) break;
    layer = decoded;
    if (depth === 3) return undefined;
  }
  const url = new URL(value, BASE);
  if (url.origin !== BASE) return undefined;
  const canonical = `${url.pathname}${url.search}${url.hash}`;
  return isLocalPath(canonical) ? canonical : undefined;
}

/**
 * safeReturnTo, plus absolute URLs on an allowlisted origin (SESSION_RETURN_ORIGINS, e.g. a dev
 * server such as http://localhost:5173): exactly that origin, no credentials, no whitespace or
 * control characters or backslashes, canonicalised by the URL parser. Anything else is undefined.
 */
export function resolveReturnTo(value: string, allowedOrigins: ReadonlySet<string>): string | undefined {
  const local = safeReturnTo(value);
  if (local !== undefined || allowedOrigins.size === 0) return local;
  if (value.length > RETURN_TO_MAX_LENGTH || FORBIDDEN.test(value) || !/^https?:\/\//i.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '' || !allowedOrigins.has(url.origin)) return undefined;
  const canonical = url.href;
  return canonical.length <= RETURN_TO_MAX_LENGTH ? canonical : undefined;
}
