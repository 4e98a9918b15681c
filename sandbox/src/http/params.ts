import { badRequest } from './problem.ts';

export type QueryValue = string | string[] | undefined;
export type Query = Record<string, QueryValue>;

/** First value of a (possibly repeated) query parameter. */
export function single(value: QueryValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Parses an optional integer parameter; throws a 400 problem when invalid or out of range. */
export function intParam(value: QueryValue, name: string, min: number, max: number, fallback: number): number {
  const raw = single(value);
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`'${name}' must be an integer between ${min} and ${max}`);
  const parsed = Number(raw);
  if (parsed < min || parsed > max) throw badRequest(`'${name}' must be an integer between ${min} and ${max}`);
  return parsed;
}

/** Parses an optional boolean parameter (`true` or `false`, default false); throws a 400 problem otherwise. */
export function booleanParam(value: QueryValue, name: string): boolean {
  const raw = single(value);
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw badRequest(`'${name}' must be true or false`);
}

/** Parses `ids=a,b,c` (also repeated `ids=`), de-duplicated, order preserved. */
export function idsParam(value: QueryValue, max: number): string[] {
  const raw = Array.isArray(value) ? value.join(',') : value;
  if (raw === undefined) throw badRequest("query parameter 'ids' is required (comma-separated)");
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
  if (ids.length === 0) throw badRequest("query parameter 'ids' must contain at least one id");
  if (ids.length > max) throw badRequest(`at most ${max} ids are allowed, got ${ids.length}`);
  return ids;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isQuantity(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
