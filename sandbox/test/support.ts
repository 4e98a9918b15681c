/** Shared helpers of the sandbox tests (not a spec file). */
import { startSandbox, type Sandbox, type ServiceName, type StartSandboxOptions } from '../src/index.ts';

export async function start<S extends ServiceName = ServiceName>(options: StartSandboxOptions<S> = {}): Promise<Sandbox<S>> {
  return startSandbox<S>({ basePort: 0, profile: 'bench', ...options });
}

export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch + JSON body (problem+json included). */
export async function getJson<T = unknown>(url: string, init: RequestInit = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export function sendJson<T = unknown>(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  return getJson<T>(url, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Milliseconds taken by `action`. */
export async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await action();
  return { ms: performance.now() - started, result };
}

export type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Minimal JSON Schema (the 2020-12 subset used by the sandbox OpenAPI documents) validator.
 * Returns a list of error messages (empty = valid).
 */
export function validate(doc: Schema, schema: Schema, value: unknown, path = '$'): string[] {
  if (typeof schema['$ref'] === 'string') return validate(doc, resolveRef(doc, schema['$ref']), value, path);
  const errors: string[] = [];
  if (schema['type'] !== undefined) {
    const types = [schema['type']].flat() as string[];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const ok = types.some((type) => (type === 'integer' ? typeof value === 'number' && Number.isInteger(value) : type === actual));
    if (!ok) return [`${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    const minimum = num(schema['minimum']);
    const maximum = num(schema['maximum']);
    if (minimum !== undefined && value < minimum) errors.push(`${path}: ${value} < minimum ${minimum}`);
    if (maximum !== undefined && value > maximum) errors.push(`${path}: ${value} > maximum ${maximum}`);
  }
  if (typeof value === 'string') {
    const format = schema['format'];
    if (format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) errors.push(`${path}: not a date-time`);
    if (format === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(value)) errors.push(`${path}: not a date`);
    if (format === 'uri' && !URL.canParse(value)) errors.push(`${path}: not a uri`);
    if (format === 'email' && !/^[^@\s]+@[^@\s]+$/.test(value)) errors.push(`${path}: not an email`);
    const minLength = num(schema['minLength']);
    if (minLength !== undefined && value.length < minLength) errors.push(`${path}: shorter than ${minLength}`);
  }
  if (Array.isArray(value)) {
    const minItems = num(schema['minItems']);
    const maxItems = num(schema['maxItems']);
    if (minItems !== undefined && value.length < minItems) errors.push(`${path}: fewer than ${minItems} items`);
    if (maxItems !== undefined && value.length > maxItems) errors.push(`${path}: more than ${maxItems} items`);
    const items = schema['items'];
    if (isSchema(items)) value.forEach((item, i) => errors.push(...validate(doc, items, item, `${path}[${i}]`)));
  }
  if (isSchema(value)) {
    const properties = isSchema(schema['properties']) ? schema['properties'] : {};
    const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
    for (const key of required) {
      if (!(key in value)) errors.push(`${path}: missing required '${key}'`);
    }
    const additional = schema['additionalProperties'];
    for (const [key, child] of Object.entries(value)) {
      const propertySchema = properties[key];
      if (isSchema(propertySchema)) errors.push(...validate(doc, propertySchema, child, `${path}.${key}`));
      else if (additional === false) errors.push(`${path}: unexpected property '${key}'`);
      else if (isSchema(additional)) errors.push(...validate(doc, additional, child, `${path}.${key}`));
    }
  }
  return errors;
}

export function resolveRef(doc: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = isSchema(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  }
  if (!isSchema(node)) throw new Error(`unresolvable $ref ${ref}`);
  return node;
}
