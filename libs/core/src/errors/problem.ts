import { PROBLEM_TYPE_BASE } from '../core.constants.js';
import { problemSlug, type ProblemCode } from './problem-types.js';

/** An RFC 9457 problem document as emitted by the platform. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  [extension: string]: unknown;
}

/** One field-level validation failure, as listed in `errors` of a VALIDATION_FAILED problem. */
export interface FieldViolation {
  /** Dotted path of the offending field, e.g. `items.0.quantity`. */
  field: string;
  /** Where the field was read from. */
  in?: 'body' | 'query' | 'path' | 'header';
  /** Constraint name → human-readable message. */
  constraints: Record<string, string>;
}

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + problemSlug(code);
}

/**
 * The `instance` of a problem about the request line itself (a URL the router refused, a request
 * Node could not parse): it names the occurrence by its request id, so the rejected URL is never echoed.
 */
export function requestInstance(requestId: string): string {
  return `urn:bff:request:${requestId}`;
}
