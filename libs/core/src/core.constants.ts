/** Header carrying the correlation id, inbound and outbound. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Where problem `type` URIs point unless PROBLEM_TYPE_BASE says otherwise. */
export const DEFAULT_PROBLEM_TYPE_BASE = 'https://bff.example.com/problems/';
/**
 * Base URI for the `type` member of problem documents: `PROBLEM_TYPE_BASE` (an absolute http(s) URL; operators
 * point it at the docs portal's `/problems/`), else the default. Read once at start-up because the type URIs
 * are part of the API contract and must not change while an instance runs. CoreEnv validates the
 * variable with the other configuration.
 */
export const PROBLEM_TYPE_BASE = safeProblemTypeBase(process.env.PROBLEM_TYPE_BASE);

/** An invalid value falls back here: the env validation (CoreEnv) then stops the boot with its message. */
function safeProblemTypeBase(raw: string | undefined): string {
  try {
    return problemTypeBase(raw);
  } catch {
    return DEFAULT_PROBLEM_TYPE_BASE;
  }
}

export function problemTypeBase(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_PROBLEM_TYPE_BASE;
  const url = URL.parse(raw.trim());
  if (!url || !/^https?:$/.test(url.protocol) || url.search || url.hash) {
    throw new Error(`PROBLEM_TYPE_BASE must be an absolute http(s) URL without query or fragment, got ${JSON.stringify(raw)}`);
  }
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}
/** Longest path parameter the router accepts (Fastify's `maxParamLength`); a longer one is a 414 problem. */
export const MAX_PATH_PARAM_LENGTH = 100;
