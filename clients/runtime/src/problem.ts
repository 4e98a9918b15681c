/**
 * RFC 9457 problems as typed errors. Every BFF answers an error as application/problem+json carrying the
 * request id; anything else (a proxy's HTML page, a network failure, a timeout) is turned into the same
 * shape, so a caller always has a title, a status and, when the server sent one, the request id to quote.
 */

/** One invalid field of a validation failure (the `errors` member of a 400 problem). */
export interface FieldViolation {
  readonly field: string;
  readonly in?: string;
  readonly constraints: Readonly<Record<string, string>>;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  /** The HTTP status; 0 when no answer arrived (network failure, timeout, abort). */
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** The problem body's `requestId`, else the `X-Request-Id` response header. */
  readonly requestId?: string;
  readonly errors?: readonly FieldViolation[];
  /** Seconds to wait before retrying, from `Retry-After` (429, 503). */
  readonly retryAfterSeconds?: number;
}

/** `http`: the server answered with an error; the others: no answer arrived. */
export type ProblemKind = 'http' | 'network' | 'timeout' | 'aborted';

export class ProblemError extends Error implements Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  readonly requestId?: string;
  readonly errors?: readonly FieldViolation[];
  readonly retryAfterSeconds?: number;

  constructor(
    readonly problem: Problem,
    readonly kind: ProblemKind = 'http',
    options?: { cause?: unknown; response?: Response },
  ) {
    super(problem.status === 0 ? problem.title : `${problem.status} ${problem.title}`, { cause: options?.cause });
    this.name = 'ProblemError';
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.requestId = problem.requestId;
    this.errors = problem.errors;
    this.retryAfterSeconds = problem.retryAfterSeconds;
    this.response = options?.response;
  }

  /** The response that carried the problem (absent when none arrived). */
  readonly response?: Response;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * `Retry-After` in seconds: delta-seconds as sent, an HTTP-date as the seconds from `now` (0 when past);
 * undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function fieldViolations(value: unknown): FieldViolation[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const violations = value.filter(
    (item): item is FieldViolation =>
      typeof item === 'object' && item !== null && typeof (item as Record<string, unknown>).field === 'string',
  );
  return violations.length > 0 ? violations : undefined;
}

/** The problem of a failed response: the body when it is a problem document, else one built from the status. */
export function parseProblem(status: number, headers: Headers, body: unknown): Problem {
  const headerId = str(headers.get('x-request-id'));
  const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const title = str(record.title);
    if (title !== undefined) {
      return {
        type: str(record.type) ?? 'about:blank',
        title,
        status: typeof record.status === 'number' ? record.status : status,
        detail: str(record.detail),
        instance: str(record.instance),
        requestId: str(record.requestId) ?? headerId,
        errors: fieldViolations(record.errors),
        retryAfterSeconds,
      };
    }
  }
  return { type: 'about:blank', title: status === 304 ? 'Not Modified' : `HTTP ${status}`, status, requestId: headerId, retryAfterSeconds };
}

/** The typed error for a request that got no answer: timeout, abort by the caller, or a network failure. */
export function failureError(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  const name = error instanceof Error || error instanceof DOMException ? error.name : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  if (name === 'TimeoutError')
    return new ProblemError({ type: 'about:blank', title: 'Timeout', status: 0, detail }, 'timeout', { cause: error });
  if (name === 'AbortError')
    return new ProblemError({ type: 'about:blank', title: 'Aborted', status: 0, detail }, 'aborted', { cause: error });
  return new ProblemError({ type: 'about:blank', title: 'Network error', status: 0, detail }, 'network', { cause: error });
}

function sectionList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((section) => section.trim())
    .filter((section) => section.length > 0);
}

/** The sections a BFF reports as degraded (`X-Degraded-Sections`, comma-separated). */
export function degradedSections(headers: Headers): string[] {
  return sectionList(headers.get('x-degraded-sections'));
}

/** The sections a BFF served from their last good value (`X-Stale-Sections`, comma-separated). */
export function staleSections(headers: Headers): string[] {
  return sectionList(headers.get('x-stale-sections'));
}
