/**
 * The typed web-bff client: openapi-fetch over the types generated from openapi/web-bff.json. Same-origin
 * calls with the session cookie and `X-CSRF: 1` on every request (the session guard refuses a
 * session-authenticated or state-changing request without it; see docs/auth.md, CSRF).
 */
import createClient, { type Middleware } from 'openapi-fetch';

import { ApiError, networkProblem, parseProblem } from './problem.ts';
import type { paths } from './schema.gen.ts';

/**
 * The documents declare `X-CSRF: 1` as a required header of the routes that need it; the middleware below
 * sends it on every request, so call sites do not repeat it.
 */
type WithoutCsrf<Op> = Op extends { parameters: { header: infer H } }
  ? Omit<Op, 'parameters'> & {
      parameters: Omit<Op['parameters'], 'header'> &
        ([keyof Omit<H, typeof CSRF_HEADER>] extends [never] ? { header?: never } : { header: Omit<H, typeof CSRF_HEADER> });
    }
  : Op;
type CsrfSent<P> = { [Path in keyof P]: { [M in keyof P[Path]]: M extends 'parameters' ? P[Path][M] : WithoutCsrf<P[Path][M]> } };

export type ApiPaths = CsrfSent<paths>;
export type { components } from './schema.gen.ts';

export const CSRF_HEADER = 'X-CSRF' as const;
export const CSRF_HEADER_VALUE = '1';

const csrf: Middleware = {
  onRequest({ request }) {
    request.headers.set(CSRF_HEADER, CSRF_HEADER_VALUE);
    if (!request.headers.has('accept')) request.headers.set('accept', 'application/json');
    return request;
  },
};

export function createApiClient(baseUrl = '', fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init)) {
  const client = createClient<ApiPaths>({ baseUrl, credentials: 'include', fetch: fetchImpl });
  client.use(csrf);
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;

export interface Ok<T> {
  readonly data: T;
  readonly response: Response;
}

/**
 * Awaits an openapi-fetch call and returns its data, or throws an ApiError carrying the problem (title,
 * status, request id) for a failed answer or a request that never got one.
 */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Ok<T>> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (error) {
    throw new ApiError(networkProblem(error));
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined || data === undefined) {
    throw new ApiError(parseProblem(response.status, response.headers, error));
  }
  return { data, response };
}
