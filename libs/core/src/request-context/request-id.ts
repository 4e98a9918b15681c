import { randomUUID } from 'node:crypto';

/**
 * An inbound id is accepted only when it is short and made of URL-safe characters, so it can go
 * into logs and headers unescaped. Anything else is replaced, never trusted.
 */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string' && WELL_FORMED.test(value);
}

export function newRequestId(): string {
  return randomUUID();
}

/** Picks the inbound `X-Request-Id` when it is well formed, otherwise generates one. */
export function resolveRequestId(inbound: string | string[] | undefined): string {
  const value = Array.isArray(inbound) ? inbound[0] : inbound;
  return isWellFormedRequestId(value) ? value : newRequestId();
}
