/**
 * Backward compatibility of an OpenAPI 3.1 document against a published baseline (docs/versioning.md),
 * shared by scripts/openapi-compat.mjs (`npm run openapi:compat`) and test/openapi-compat.spec.ts.
 * Works on plain JSON, `$ref`s to components resolved on both sides.
 *
 * Breaking (each finding is one line naming the operation and where):
 * - an operation removed (unless the baseline marked it deprecated and its Sunset date has passed);
 * - a parameter removed, a new required parameter, an optional parameter made required, or its schema
 *   narrowed (see requests below); a request body made required or a request content type removed;
 * - a response status, response content type or required response header removed (or made optional);
 * - a response schema that loses a property, makes a required property optional, changes or widens a
 *   type (a new `null` included), loses an enum value, or changes a format;
 * - a request schema that gains a required property, loses a property, narrows a type, loses an enum
 *   value, adds or changes a format or a pattern, or tightens a length, size or range bound.
 * Additions are fine: new operations, optional parameters, statuses, response properties, enum values
 * in requests.
 */

export type Json = Record<string, unknown>;
export interface OpenApiDocument {
  readonly paths?: Record<string, Record<string, unknown>>;
  readonly components?: { readonly schemas?: Record<string, Json>; readonly headers?: Record<string, Json> };
}

/** Which way data flows: what the server sends may not widen, what it accepts may not narrow. */
type Direction = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;
const BOUNDS_UPPER = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems', 'maxProperties'] as const;
const BOUNDS_LOWER = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'minProperties'] as const;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Follows local `#/components/<kind>/<name>` references (chains included). */
function deref(document: OpenApiDocument, value: unknown): Json {
  let current: unknown = value;
  for (let hops = 0; isObject(current) && typeof current.$ref === 'string'; hops++) {
    const match = /^#\/components\/([^/]+)\/(.+)$/.exec(current.$ref);
    if (!match || hops > 32) throw new Error(`unresolvable $ref ${current.$ref}`);
    const [, kind = '', name = ''] = match;
    const target = (document.components as Record<string, Record<string, unknown> | undefined> | undefined)?.[kind]?.[name];
    if (target === undefined) throw new Error(`$ref ${current.$ref} points at nothing`);
    current = target;
  }
  return isObject(current) ? current : {};
}

/** The schema with allOf members merged in (properties, required), so composition and inheritance compare like plain objects. */
function flatten(document: OpenApiDocument, raw: unknown): Json {
  const schema = deref(document, raw);
  if (!Array.isArray(schema.allOf)) return schema;
  const merged: Json = {
    ...schema,
    properties: { ...(schema.properties as Json | undefined) },
    required: [...((schema.required as string[] | undefined) ?? [])],
  };
  delete merged.allOf;
  for (const member of schema.allOf) {
    const part = flatten(document, member);
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties') Object.assign(merged.properties as Json, value);
      else if (key === 'required') (merged.required as string[]).push(...(value as string[]));
      else merged[key] ??= value;
    }
  }
  if (!Object.keys(merged.properties as Json).length) delete merged.properties;
  if (!(merged.required as string[]).length) delete merged.required;
  return merged;
}

/** The JSON types a schema admits (`undefined`: any), with OpenAPI 3.0's `nullable` and a `const` folded in. */
function typesOf(schema: Json): Set<string> | undefined {
  let types: string[] | undefined;
  if (Array.isArray(schema.type)) types = schema.type as string[];
  else if (typeof schema.type === 'string') types = [schema.type];
  else if (schema.properties) types = ['object'];
  else if (schema.items) types = ['array'];
  if (!types) return undefined;
  const set = new Set(types);
  if (schema.nullable === true) set.add('null');
  return set;
}

/** Whether a type set admits every value of type `type` (a number admits every integer). */
const admits = (types: Set<string> | undefined, type: string): boolean =>
  types === undefined || types.has(type) || (type === 'integer' && types.has('number'));

const describeTypes = (types: Set<string> | undefined): string => (types ? [...types].sort().join('|') : 'any');

class Comparison {
  readonly findings: string[] = [];
  /** Pairs of component schemas being compared (recursive schemas terminate). */
  private readonly visiting = new Set<string>();

  // Plain fields: Node runs this file with type stripping only (no parameter properties).
  private readonly baseline: OpenApiDocument;
  private readonly current: OpenApiDocument;

  constructor(baseline: OpenApiDocument, current: OpenApiDocument) {
    this.baseline = baseline;
    this.current = current;
  }

  private report(where: string, what: string): void {
    this.findings.push(`${where}: ${what}`);
  }

  schema(where: string, direction: Direction, before: unknown, after: unknown): void {
    const key =
      isObject(before) && isObject(after) && typeof before.$ref === 'string' && typeof after.$ref === 'string'
        ? `${direction} ${before.$ref} ${after.$ref}`
        : undefined;
    if (key) {
      if (this.visiting.has(key)) return;
      this.visiting.add(key);
    }
    try {
      this.compareSchemas(where, direction, flatten(this.baseline, before), flatten(this.current, after));
    } finally {
      if (key) this.visiting.delete(key);
    }
  }

  private compareSchemas(where: string, direction: Direction, before: Json, after: Json): void {
    const typesBefore = typesOf(before);
    const typesAfter = typesOf(after);
    if (direction === 'response') {
      // Everything the server may send now, the client already had to handle.
      if (typesBefore && (!typesAfter || [...typesAfter].some((type) => !admits(typesBefore, type))))
        this.report(where, `type ${describeTypes(typesBefore)} became ${describeTypes(typesAfter)}`);
    } else if (typesAfter && (!typesBefore || [...typesBefore].some((type) => !admits(typesAfter, type)))) {
      this.report(where, `accepted type ${describeTypes(typesBefore)} narrowed to ${describeTypes(typesAfter)}`);
    }

    if (Array.isArray(before.enum)) {
      const now = Array.isArray(after.enum) ? (after.enum as unknown[]).map((v) => JSON.stringify(v)) : undefined;
      const lost = (before.enum as unknown[]).filter((v) => now && !now.includes(JSON.stringify(v)));
      if (lost.length) this.report(where, `enum lost ${lost.map((v) => JSON.stringify(v)).join(', ')}`);
      if (direction === 'response' && !now) this.report(where, 'enum removed (any value may now be sent)');
    } else if (direction === 'request' && Array.isArray(after.enum)) {
      this.report(where, `now restricted to the enum ${JSON.stringify(after.enum)}`);
    }
    if ('const' in before && JSON.stringify(before.const) !== JSON.stringify(after.const))
      this.report(where, `const ${JSON.stringify(before.const)} became ${JSON.stringify(after.const)}`);

    if (before.format !== after.format) {
      if (before.format !== undefined && after.format !== undefined)
        this.report(where, `format ${JSON.stringify(before.format)} became ${JSON.stringify(after.format)}`);
      else if (direction === 'response' && before.format !== undefined)
        this.report(where, `format ${JSON.stringify(before.format)} removed`);
      else if (direction === 'request' && after.format !== undefined) this.report(where, `format ${JSON.stringify(after.format)} added`);
    }

    if (direction === 'request') {
      if (after.pattern !== undefined && after.pattern !== before.pattern)
        this.report(where, `pattern ${JSON.stringify(before.pattern ?? null)} became ${JSON.stringify(after.pattern)}`);
      for (const bound of BOUNDS_UPPER) {
        const [was, now] = [before[bound], after[bound]];
        if (typeof now === 'number' && (typeof was !== 'number' || now < was))
          this.report(where, `${bound} tightened from ${typeof was === 'number' ? was : 'none'} to ${now}`);
      }
      for (const bound of BOUNDS_LOWER) {
        const [was, now] = [before[bound], after[bound]];
        if (typeof now === 'number' && (typeof was !== 'number' || now > was))
          this.report(where, `${bound} tightened from ${typeof was === 'number' ? was : 'none'} to ${now}`);
      }
    }

    const propsBefore = (before.properties ?? {}) as Json;
    const propsAfter = (after.properties ?? {}) as Json;
    const requiredBefore = new Set((before.required as string[] | undefined) ?? []);
    const requiredAfter = new Set((after.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries(propsBefore)) {
      const at = `${where}.${name}`;
      if (!(name in propsAfter)) {
        // Response: clients read it. Request: the validation refuses unknown properties (forbidNonWhitelisted).
        this.report(at, 'property removed');
        continue;
      }
      if (direction === 'response' && requiredBefore.has(name) && !requiredAfter.has(name))
        this.report(at, 'required property became optional');
      if (direction === 'request' && !requiredBefore.has(name) && requiredAfter.has(name))
        this.report(at, 'optional property became required');
      this.schema(at, direction, schema, propsAfter[name]);
    }
    if (direction === 'request') {
      for (const name of requiredAfter) if (!(name in propsBefore)) this.report(`${where}.${name}`, 'new required property');
    }
    if (before.items !== undefined && after.items !== undefined) this.schema(`${where}[]`, direction, before.items, after.items);
    if (isObject(before.additionalProperties) && isObject(after.additionalProperties))
      this.schema(`${where}{}`, direction, before.additionalProperties, after.additionalProperties);

    for (const combinator of ['oneOf', 'anyOf'] as const) {
      const variantsBefore = before[combinator];
      const variantsAfter = after[combinator];
      if (!Array.isArray(variantsBefore) || !Array.isArray(variantsAfter)) continue;
      if (direction === 'response' ? variantsAfter.length > variantsBefore.length : variantsAfter.length < variantsBefore.length)
        this.report(where, `${combinator} went from ${variantsBefore.length} to ${variantsAfter.length} variants`);
      for (let i = 0; i < Math.min(variantsBefore.length, variantsAfter.length); i++)
        this.schema(`${where}<${combinator}[${i}]>`, direction, variantsBefore[i], variantsAfter[i]);
    }
  }

  /** Path-level parameters (itemBefore/itemAfter) apply to every operation of the path. */
  operation(where: string, before: Json, after: Json, itemBefore: Json, itemAfter: Json): void {
    const params = (document: OpenApiDocument, operation: Json, item: Json): Map<string, Json> => {
      const list = [...((item.parameters as unknown[] | undefined) ?? []), ...((operation.parameters as unknown[] | undefined) ?? [])];
      return new Map(
        list
          .map((raw) => deref(document, raw))
          .map((p) => [`${String(p.in)} ${p.in === 'header' ? String(p.name).toLowerCase() : String(p.name)}`, p]),
      );
    };
    const paramsBefore = params(this.baseline, before, itemBefore);
    const paramsAfter = params(this.current, after, itemAfter);
    for (const [key, param] of paramsBefore) {
      const now = paramsAfter.get(key);
      if (!now) {
        this.report(`${where} parameter ${key}`, 'removed');
        continue;
      }
      if (param.required !== true && now.required === true) this.report(`${where} parameter ${key}`, 'optional parameter became required');
      this.schema(`${where} parameter ${key}`, 'request', param.schema, now.schema);
    }
    for (const [key, param] of paramsAfter)
      if (!paramsBefore.has(key) && param.required === true) this.report(`${where} parameter ${key}`, 'new required parameter');

    const bodyBefore = before.requestBody === undefined ? undefined : deref(this.baseline, before.requestBody);
    const bodyAfter = after.requestBody === undefined ? undefined : deref(this.current, after.requestBody);
    if (bodyAfter?.required === true && bodyBefore?.required !== true) this.report(`${where} request body`, 'became required');
    for (const [type, media] of Object.entries((bodyBefore?.content ?? {}) as Record<string, Json>)) {
      const now = (bodyAfter?.content as Record<string, Json> | undefined)?.[type];
      if (!now) this.report(`${where} request body ${type}`, 'content type no longer accepted');
      else this.schema(`${where} request body`, 'request', media.schema, now.schema);
    }

    const responsesAfter = (after.responses ?? {}) as Json;
    for (const [status, raw] of Object.entries((before.responses ?? {}) as Json)) {
      const at = `${where} ${status}`;
      if (!(status in responsesAfter)) {
        this.report(at, 'response status removed');
        continue;
      }
      const was = deref(this.baseline, raw);
      const now = deref(this.current, responsesAfter[status]);
      for (const [name, header] of Object.entries((was.headers ?? {}) as Json)) {
        const headerBefore = deref(this.baseline, header);
        const nowHeaders = (now.headers ?? {}) as Json;
        const match = Object.keys(nowHeaders).find((other) => other.toLowerCase() === name.toLowerCase());
        const headerAfter = match === undefined ? undefined : deref(this.current, nowHeaders[match]);
        if (headerBefore.required !== true) continue;
        if (!headerAfter) this.report(`${at} header ${name}`, 'required header removed');
        else if (headerAfter.required !== true) this.report(`${at} header ${name}`, 'required header became optional');
        else this.schema(`${at} header ${name}`, 'response', headerBefore.schema, headerAfter.schema);
      }
      for (const [type, media] of Object.entries((was.content ?? {}) as Record<string, Json>)) {
        const mediaAfter = (now.content as Record<string, Json> | undefined)?.[type];
        if (!mediaAfter) this.report(`${at} ${type}`, 'response content type removed');
        else this.schema(`${at} body`, 'response', media.schema, mediaAfter.schema);
      }
    }
  }
}

/** The Sunset date a deprecated operation documents on its responses (see @Deprecated), if any. */
function sunsetOf(document: OpenApiDocument, operation: Json): Date | undefined {
  if (operation.deprecated !== true) return undefined;
  for (const response of Object.values((operation.responses ?? {}) as Json)) {
    const headers = (deref(document, response).headers ?? {}) as Json;
    const sunset = headers.Sunset ?? headers.sunset;
    const value = sunset === undefined ? undefined : (deref(document, sunset).schema as Json | undefined)?.enum;
    if (Array.isArray(value) && typeof value[0] === 'string') {
      const date = new Date(value[0]);
      if (!Number.isNaN(date.getTime())) return date;
    }
  }
  return undefined;
}

/**
 * Every change of `current` that breaks a client written against `baseline` (empty when compatible).
 * `now` decides whether a deprecated operation's sunset has passed (its removal is then allowed).
 */
export function breakingChanges(baseline: OpenApiDocument, current: OpenApiDocument, now: Date = new Date()): string[] {
  const comparison = new Comparison(baseline, current);
  for (const [path, rawItem] of Object.entries(baseline.paths ?? {})) {
    const itemBefore = deref(baseline, rawItem);
    const itemAfter = current.paths?.[path] === undefined ? undefined : deref(current, current.paths[path]);
    for (const method of METHODS) {
      const before = itemBefore[method];
      if (!isObject(before)) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const after = itemAfter?.[method];
      if (!isObject(after)) {
        const sunset = sunsetOf(baseline, before);
        if (sunset && sunset <= now) continue;
        comparison.findings.push(
          `${where}: operation removed${sunset ? ` before its sunset (${sunset.toUTCString()})` : before.deprecated === true ? ' (deprecated, but no sunset documented)' : ''}`,
        );
        continue;
      }
      comparison.operation(where, before, after, itemBefore, itemAfter ?? {});
    }
  }
  return comparison.findings;
}
