/**
 * RFC 9457 problems as the SPA shows them. web-bff answers every error as application/problem+json with
 * a request id; anything else (a proxy's HTML page, a network failure) is turned into the same shape so
 * the error view always has a title and, when the server sent one, the request id to quote to support.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly requestId?: string;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}`);
    this.name = 'ApiError';
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/** The problem of a failed response: the body when it is a problem document, else one built from the status. */
export function parseProblem(status: number, headers: Headers, body: unknown): Problem {
  const headerId = str(headers.get('x-request-id'));
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const title = str(record.title);
    if (title !== undefined) {
      return {
        type: str(record.type) ?? 'about:blank',
        title,
        status: typeof record.status === 'number' ? record.status : status,
        detail: str(record.detail),
        requestId: str(record.requestId) ?? headerId,
      };
    }
  }
  return { type: 'about:blank', title: status === 0 ? 'Network error' : `HTTP ${status}`, status, requestId: headerId };
}

/** The problem for a fetch that never got an answer (offline, DNS, CORS refusal). */
export function networkProblem(error: unknown): Problem {
  return {
    type: 'about:blank',
    title: 'Network error',
    status: 0,
    detail: error instanceof Error ? error.message : String(error),
  };
}

/** The sections web-bff reports as degraded: the X-Degraded-Sections header (comma-separated). */
export function degradedSections(headers: Headers): string[] {
  return (headers.get('x-degraded-sections') ?? '')
    .split(',')
    .map((section) => section.trim())
    .filter((section) => section.length > 0);
}
