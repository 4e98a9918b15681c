/**
 * The fetch wrapper every generated client shares: openapi-fetch over the client's generated `paths`, plus
 * the client's auth (session cookie, bearer token with optional DPoP proof, or API key), the headers the
 * document fixes for every call (web-bff's `X-CSRF: 1`), an optional timeout, and `send()`, which turns an
 * answer into data or a typed ProblemError.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';

import { degradedSections, failureError, parseProblem, ProblemError, staleSections } from './problem.ts';

/** Same-origin session: the browser sends the session cookie (`credentials: 'include'`). */
export interface SessionAuth {
  readonly kind: 'session';
}

/** What a DPoP signer gets to build a proof (RFC 9449): `url` is the request URL without query or fragment. */
export interface DpopInput {
  readonly method: string;
  readonly url: string;
  readonly accessToken: string;
}

/**
 * OAuth access token. `token` is asked on every request (return a cached token; undefined sends none).
 * With `dpop`, the token is sent as `Authorization: DPoP <token>` with the proof `dpop` returns as `DPoP`.
 */
export interface BearerAuth {
  readonly kind: 'bearer';
  readonly token: () => string | undefined | Promise<string | undefined>;
  readonly dpop?: (input: DpopInput) => string | Promise<string>;
}

/** A static key (or a callback returning one) sent in `header` (default: the client's `apiKeyHeader`). */
export interface ApiKeyAuth {
  readonly kind: 'api-key';
  readonly header?: string;
  readonly key: string | (() => string | Promise<string>);
}

/** No credentials (public routes only). */
export interface NoAuth {
  readonly kind: 'none';
}

export type Auth = SessionAuth | BearerAuth | ApiKeyAuth | NoAuth;

export interface BffClientOptions<A extends Auth = Auth> {
  /** Origin (and base path) of the BFF; '' for same-origin calls from a page. */
  readonly baseUrl?: string;
  readonly auth: A;
  /** Abort a request that has no answer after this many milliseconds (a ProblemError of kind `timeout`). */
  readonly timeoutMs?: number;
  /** Headers sent on every request (the generated client passes the ones its document fixes). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Header of `api-key` auth without its own `header` (the generated client passes its document's). */
  readonly apiKeyHeader?: string;
  /** Defaults to the global fetch, looked up per call. */
  readonly fetch?: (request: Request) => Promise<Response>;
}

export type BffClient<Paths extends object> = Client<Paths, `${string}/${string}`>;

type StripOperation<Op, H extends PropertyKey> = Op extends { parameters: { header: infer Present } }
  ? Omit<Op, 'parameters'> & {
      parameters: Omit<Op['parameters'], 'header'> &
        ([keyof Omit<Present, H>] extends [never] ? { header?: never } : { header: Omit<Present, H> });
    }
  : Op extends { parameters: { header?: infer Optional } }
    ? Omit<Op, 'parameters'> & {
        parameters: Omit<Op['parameters'], 'header'> &
          ([keyof Omit<NonNullable<Optional>, H>] extends [never] ? { header?: never } : { header?: Omit<NonNullable<Optional>, H> });
      }
    : Op;

/** `Paths` without the header parameters `H` (the ones the client sends itself), so call sites do not pass them. */
export type WithoutHeaders<Paths, H extends PropertyKey> = [H] extends [never]
  ? Paths
  : { [Path in keyof Paths]: { [M in keyof Paths[Path]]: M extends 'parameters' ? Paths[Path][M] : StripOperation<Paths[Path][M], H> } };

function authMiddleware(auth: Auth, headers: Readonly<Record<string, string>>, apiKeyHeader: string | undefined): Middleware {
  const keyHeader = auth.kind === 'api-key' ? (auth.header ?? apiKeyHeader) : undefined;
  if (auth.kind === 'api-key' && keyHeader === undefined)
    throw new TypeError('api-key auth needs a header name (auth.header or apiKeyHeader)');
  return {
    async onRequest({ request }) {
      for (const [name, value] of Object.entries(headers)) request.headers.set(name, value);
      if (!request.headers.has('accept')) request.headers.set('accept', 'application/json');
      if (auth.kind === 'bearer') {
        const token = await auth.token();
        if (token !== undefined) {
          if (auth.dpop) {
            const url = new URL(request.url);
            url.search = '';
            url.hash = '';
            request.headers.set('authorization', `DPoP ${token}`);
            request.headers.set('dpop', await auth.dpop({ method: request.method, url: url.href, accessToken: token }));
          } else {
            request.headers.set('authorization', `Bearer ${token}`);
          }
        }
      } else if (auth.kind === 'api-key' && keyHeader !== undefined) {
        request.headers.set(keyHeader, typeof auth.key === 'function' ? await auth.key() : auth.key);
      }
      return request;
    },
  };
}

/** A typed client for `Paths` (a generated client's `ClientPaths`). */
export function createBffClient<Paths extends object>(options: BffClientOptions): BffClient<Paths> {
  const fetchImpl = options.fetch ?? ((request: Request) => globalThis.fetch(request));
  const timeoutMs = options.timeoutMs;
  const client = createClient<Paths>({
    baseUrl: options.baseUrl ?? '',
    credentials: options.auth.kind === 'session' ? 'include' : 'same-origin',
    fetch:
      timeoutMs === undefined
        ? fetchImpl
        : (request: Request) =>
            fetchImpl(new Request(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]) })),
  });
  client.use(authMiddleware(options.auth, options.headers ?? {}, options.apiKeyHeader));
  return client;
}

/** The section names a response body lists in `meta.degraded` (a union when the document enumerates them). */
export type SectionOf<T> = T extends { readonly meta: { readonly degraded: ReadonlyArray<{ readonly section: infer S extends string }> } }
  ? S
  : string;

interface Answered {
  readonly response: Response;
  readonly status: number;
  readonly requestId?: string;
  readonly etag?: string;
}

export interface Ok<T> extends Answered {
  readonly notModified: false;
  readonly data: T;
  /** `X-Degraded-Sections`: optional sections missing from `data` because their upstream failed. */
  readonly degraded: SectionOf<T>[];
  /** `X-Stale-Sections`: sections served from their last good value. */
  readonly stale: SectionOf<T>[];
}

/** A 304 to a conditional GET (`If-None-Match`): the caller's copy is current. */
export interface NotModified extends Answered {
  readonly notModified: true;
}

interface CallResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function answered(response: Response): Answered {
  return {
    response,
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? undefined,
    etag: response.headers.get('etag') ?? undefined,
  };
}

async function settle<T>(call: Promise<CallResult<T>>, allowNotModified: boolean): Promise<Ok<T> | NotModified> {
  let result: CallResult<T>;
  try {
    result = await call;
  } catch (error) {
    throw failureError(error);
  }
  const { data, error, response } = result;
  if (response.status === 304 && allowNotModified) return { ...answered(response), notModified: true };
  if (!response.ok || error !== undefined) {
    throw new ProblemError(parseProblem(response.status, response.headers, error), 'http', { response });
  }
  return {
    ...answered(response),
    notModified: false,
    data: data as T,
    degraded: degradedSections(response.headers) as SectionOf<T>[],
    stale: staleSections(response.headers) as SectionOf<T>[],
  };
}

/**
 * Awaits a client call and returns its data, or throws a ProblemError: the problem (with request id) of an
 * error answer, or kind network / timeout / aborted when none arrived. A 304 is an error here; use
 * sendConditional() for calls that send `If-None-Match`.
 */
export async function send<T>(call: Promise<CallResult<T>>): Promise<Ok<T>> {
  return (await settle(call, false)) as Ok<T>;
}

/** Like send(), but a 304 (the caller's copy is current) is answered as `{ notModified: true }`. */
export function sendConditional<T>(call: Promise<CallResult<T>>): Promise<Ok<T> | NotModified> {
  return settle(call, true);
}
