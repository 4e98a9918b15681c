import fc from 'fast-check';

import { PROBLEM_TYPES, problemSlug, type ProblemCode } from '@bff/core';

import {
  asText,
  operationsOf,
  redacted,
  resolve,
  ResponseChecker,
  schemesOf,
  typeOf,
  type AppUnderTest,
  type OpenApiDoc,
  type Operation,
  type ParameterDoc,
  type Schema,
} from './openapi-crawl.js';

/**
 * OpenAPI-driven fuzzing: requests generated with fast-check from each operation of an app's own
 * document — valid values (pattern, bounds, enum, uniqueItems respected) mixed with invalid ones
 * (wrong types, out of range, overlong, unknown parameters, odd unicode and percent-encodings in path
 * segments, malformed JSON, wrong content types, bodies and nestings just under and over the limits)
 * and with valid, missing, invalid, malformed and under-scoped credentials — sent over real sockets.
 *
 * The property: no 5xx, ever; the status, headers, content type and body are the ones the operation
 * documents; every error is an RFC 9457 problem whose `type` is one the docs describe, carrying the
 * request id of the X-Request-Id header. A failure names the seed and the counterexample path
 * (FUZZ_SEED / FUZZ_PATH replay it).
 */

/** The body limits the fuzzed apps run with (passed as env), so generated bodies straddle them exactly. */
export const FUZZ_LIMITS = { bodyBytes: 100 * 1024, jsonDepth: 32, jsonKeys: 1_000 } as const;
export const FUZZ_LIMITS_ENV: Readonly<Record<string, string>> = {
  BODY_LIMIT_BYTES: String(FUZZ_LIMITS.bodyBytes),
  JSON_MAX_DEPTH: String(FUZZ_LIMITS.jsonDepth),
  JSON_MAX_KEYS: String(FUZZ_LIMITS.jsonKeys),
};

const PROBLEM_TYPE_BASE = 'https://bff.example.com/problems/';
/** Longest a request may take before it counts as a hang (a failure like a 5xx). */
const REQUEST_TIMEOUT_MS = 15_000;
/** Credentials are signed in again this often in long runs (sandbox access tokens live 300 s). */
const CREDENTIAL_RENEWAL_MS = 120_000;

/** `malformed-<n>`: the n-th of MALFORMED_VARIANTS (a real credential bent out of shape, or no credential at all). */
type CredentialChoice = 'valid' | 'missing' | 'invalid' | 'limited' | `malformed-${number}`;

/** One generated request, as fast-check prints it in a counterexample. Credentials are named, not included. */
export interface FuzzRequest {
  readonly operation: string;
  readonly credentials: CredentialChoice;
  /** What the generator made invalid or unusual (empty: a request a real client would send). */
  readonly oddities: readonly string[];
  readonly method: string;
  /** Path and query exactly as sent (already percent-encoded, possibly oddly). */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** `latin1`: the body is sent as those bytes (invalid UTF-8 on purpose); else as UTF-8. */
  readonly bodyEncoding?: 'latin1';
}

export interface FuzzOptions {
  readonly numRuns: number;
  readonly seed: number;
  /** fast-check's counterexample path, to replay one failure directly. */
  readonly path?: string;
}

export interface FuzzReport {
  readonly requests: number;
  readonly durationMs: number;
  /** `METHOD template` → status → count. */
  readonly statuses: ReadonlyMap<string, ReadonlyMap<number, number>>;
  /** Requests a real client would send: no oddity, and valid credentials where the route is secured (none where not). */
  readonly plain: { readonly requests: number; readonly succeeded: number };
}

// ---------- value arbitraries from schemas ----------

interface Variant<T> {
  readonly oddity?: string;
  readonly value: T;
}
const plain = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Variant<T>> => arbitrary.map((value) => ({ value }));
const odd = <T>(oddity: string, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Variant<T>> => arbitrary.map((value) => ({ oddity, value }));

/** Strings with code points from the whole of Unicode (astral, combining, controls), well-formed so they can be encoded. */
const oddUnicode = (options: { minLength?: number; maxLength?: number } = {}): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ unit: 'binary', ...options }), fc.string({ unit: 'grapheme', ...options })).map((text) => text.toWellFormed());

/** Ids shaped like the seed's (`p-00001`, `o-000001`): numbers 1–1300 hit existing and missing ones alike. */
function seedLikeId(example: string): fc.Arbitrary<string> | undefined {
  const match = /^([A-Za-z]+-)(\d+)$/.exec(example);
  if (!match) return undefined;
  const [, prefix = '', digits = ''] = match;
  return fc.integer({ min: 1, max: 1_300 }).map((n) => `${prefix}${String(n).padStart(digits.length, '0')}`);
}

/** Valid strings for a string schema (enum, pattern, lengths). */
function validString(schema: Schema): fc.Arbitrary<string> {
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 200;
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const generated =
    typeof schema.pattern === 'string'
      ? fc.stringMatching(new RegExp(schema.pattern), { maxLength }).filter((text) => text.length >= minLength)
      : fc.string({ minLength, maxLength: Math.min(maxLength, 200) });
  if (typeof schema.example !== 'string') return generated;
  const seedLike = seedLikeId(schema.example);
  return fc.oneof(fc.constant(schema.example), ...(seedLike ? [seedLike, seedLike] : []), generated);
}

function validNumber(schema: Schema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1_000_000;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1_000_000;
  return typeOf(schema) === 'integer'
    ? fc.integer({ min, max })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));
}

/** Values the schema accepts. */
export function validValue(document: OpenApiDoc, raw: Schema | undefined): fc.Arbitrary<unknown> {
  const schema = resolve(document, raw);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  switch (typeOf(schema) ?? 'any') {
    case 'string':
      return validString(schema);
    case 'integer':
    case 'number':
      return validNumber(schema);
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const constraints = {
        minLength: typeof schema.minItems === 'number' ? schema.minItems : 0,
        maxLength: typeof schema.maxItems === 'number' ? schema.maxItems : 10,
      };
      // An array's example (e.g. ids `["p-00001", "p-00002"]`) lends its first item to the items, so seed-like ids are generated.
      const itemSchema = resolve(document, schema.items as Schema);
      const lent =
        Array.isArray(schema.example) && itemSchema.example === undefined
          ? { ...itemSchema, example: schema.example[0] as unknown }
          : itemSchema;
      const item = validValue(document, lent);
      return schema.uniqueItems
        ? fc.uniqueArray(item, { ...constraints, selector: (value) => JSON.stringify(value) })
        : fc.array(item, constraints);
    }
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, validValue(document, property)]));
      return fc.record(model, { requiredKeys: (schema.required ?? []) as string[] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Any JSON value whose JSON type is not `type` (wrong-type substitutions). */
function notOfType(type: string | undefined): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: fc.string({ maxLength: 20 }),
    number: fc.double({ noNaN: true, noDefaultInfinity: true }),
    integer: fc.integer(),
    boolean: fc.boolean(),
    null: fc.constant(null),
    array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
    object: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  };
  const excluded = type === 'number' ? ['number', 'integer'] : type === 'integer' ? ['integer'] : [type ?? ''];
  return fc.oneof(
    ...Object.entries(all)
      .filter(([name]) => !excluded.includes(name))
      .map(([, arbitrary]) => arbitrary),
  );
}

/** Values the schema refuses, each with what makes it wrong. Undefined when nothing is refused (a schema-less value). */
export function invalidValue(document: OpenApiDoc, raw: Schema | undefined): fc.Arbitrary<Variant<unknown>> | undefined {
  const schema = resolve(document, raw);
  const type = typeOf(schema);
  if (!type) return undefined;
  const options: fc.Arbitrary<Variant<unknown>>[] = [odd(`not a ${type}`, notOfType(type))];
  if (Array.isArray(schema.enum)) {
    const allowed = new Set(schema.enum as unknown[]);
    options.push(
      odd(
        'not in the enum',
        fc.string({ maxLength: 10 }).filter((text) => !allowed.has(text)),
      ),
    );
  }
  switch (type) {
    case 'integer':
    case 'number':
      if (type === 'integer') options.push(odd('not an integer', fc.double({ noNaN: true, noInteger: true, noDefaultInfinity: true })));
      if (typeof schema.minimum === 'number') options.push(odd('below the minimum', fc.integer({ max: schema.minimum - 1 })));
      if (typeof schema.maximum === 'number') options.push(odd('above the maximum', fc.integer({ min: schema.maximum + 1 })));
      break;
    case 'string': {
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 10_000;
      options.push(
        odd(
          'overlong',
          fc.integer({ min: maxLength + 1, max: maxLength + 300 }).map((length) => 'a'.repeat(length)),
        ),
      );
      if (typeof schema.pattern === 'string') {
        const pattern = new RegExp(schema.pattern);
        options.push(
          odd(
            'pattern violated',
            oddUnicode({ maxLength: 30 }).filter((text) => !pattern.test(text)),
          ),
        );
      }
      break;
    }
    case 'array': {
      const item = validValue(document, schema.items as Schema);
      if (typeof schema.minItems === 'number' && schema.minItems > 0)
        options.push(odd('too few items', fc.array(item, { maxLength: schema.minItems - 1 })));
      if (typeof schema.maxItems === 'number') {
        const tooMany = schema.maxItems + 1;
        options.push(
          odd(
            'too many items',
            fc
              .integer({ min: tooMany, max: tooMany + 20 })
              .map((length) => Array.from({ length }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`)),
          ),
        );
      }
      if (schema.uniqueItems) {
        options.push(
          odd(
            'duplicate items',
            fc.tuple(item, fc.array(item, { maxLength: 3 })).map(([first, rest]) => [first, ...rest, first]),
          ),
        );
      }
      const badItem = invalidValue(document, schema.items as Schema);
      if (badItem) {
        options.push(
          fc
            .tuple(fc.array(item, { maxLength: 3 }), badItem)
            .map(([good, bad]) => ({ oddity: `an item ${bad.oddity ?? 'invalid'}`, value: [...good, bad.value] })),
        );
      }
      break;
    }
    case 'object': {
      const valid = validValue(document, schema) as fc.Arbitrary<Record<string, unknown>>;
      const properties = Object.entries((schema.properties ?? {}) as Record<string, Schema>);
      for (const [name, property] of properties) {
        const bad = invalidValue(document, property);
        if (bad) {
          options.push(
            fc
              .tuple(valid, bad)
              .map(([object, wrong]) => ({ oddity: `${name}: ${wrong.oddity ?? 'invalid'}`, value: { ...object, [name]: wrong.value } })),
          );
        }
        if (((schema.required ?? []) as string[]).includes(name)) {
          options.push(
            valid.map((object) => {
              const { [name]: _omitted, ...rest } = object;
              return { oddity: `${name} missing`, value: rest };
            }),
          );
        }
      }
      const known = new Set(properties.map(([name]) => name));
      options.push(
        fc
          .tuple(
            valid,
            fc.string({ minLength: 1, maxLength: 12 }).filter((name) => !known.has(name)),
            fc.jsonValue({ maxDepth: 1 }),
          )
          .map(([object, name, value]) => ({ oddity: `unknown property ${JSON.stringify(name)}`, value: { ...object, [name]: value } })),
      );
      break;
    }
    default:
      break;
  }
  return fc.oneof(...options);
}

// ---------- request parts ----------

/** Percent-encodings a path segment should never crash on: malformed, overlong UTF-8, NUL, encoded slashes. */
const ODD_ENCODINGS = [
  '%',
  '%Z',
  '%ZZ',
  '%E0%A4%A',
  '%C0%AF',
  '%00',
  '%2F',
  '%5C',
  '%FF',
  '%u0041',
  '%%',
  '%25',
  '%F0%9F%98',
  '%0A',
  '%EF%BF%BF',
];

/** A path segment: encoded as a client would, or carrying raw odd percent-encodings. Never a dot segment or empty (that is another route). */
function pathSegment(document: OpenApiDoc, parameter: ParameterDoc): fc.Arbitrary<Variant<string>> {
  const schema = resolve(document, parameter.schema);
  const valid = validValue(document, schema).map((value) => asText(value));
  const invalid = invalidValue(document, schema) ?? fc.constant({ oddity: 'invalid', value: '' });
  const notDots = (segment: string): boolean => segment.length > 0 && !/^(\.|%2e){1,2}$/i.test(segment);
  return fc
    .oneof(
      { weight: 5, arbitrary: plain(valid.map(encodeURIComponent)) },
      {
        weight: 2,
        arbitrary: invalid.map(({ oddity, value }) => ({
          oddity: `path ${parameter.name} ${oddity}`,
          value: encodeURIComponent(asText(value)),
        })),
      },
      {
        weight: 1,
        arbitrary: odd(`path ${parameter.name} odd unicode`, oddUnicode({ minLength: 1, maxLength: 40 }).map(encodeURIComponent)),
      },
      {
        weight: 1,
        arbitrary: odd(
          `path ${parameter.name} long`,
          fc.integer({ min: 65, max: 400 }).map((length) => 'p'.repeat(length)),
        ),
      },
      {
        weight: 2,
        arbitrary: fc
          .tuple(valid.map(encodeURIComponent), fc.constantFrom(...ODD_ENCODINGS), fc.stringMatching(/^[A-Za-z0-9_-]{0,4}$/))
          .map(([head, encoding, tail]) => ({
            oddity: `path ${parameter.name} odd percent-encoding ${encoding}`,
            value: `${head}${encoding}${tail}`,
          })),
      },
    )
    .filter(({ value }) => notDots(value));
}

type QueryPair = readonly [name: string, value: string];

/** One declared query parameter: absent, valid, invalid, repeated. Values are percent-encoded here. */
function queryParameter(document: OpenApiDoc, parameter: ParameterDoc): fc.Arbitrary<Variant<QueryPair[]>> {
  const schema = resolve(document, parameter.schema);
  const name = encodeURIComponent(parameter.name);
  const encoded = (value: unknown): string => encodeURIComponent(asText(value));
  const valid = validValue(document, schema);
  const invalid = invalidValue(document, schema);
  return fc.oneof(
    { weight: 3, arbitrary: plain(fc.constant<QueryPair[]>([])) },
    { weight: 4, arbitrary: plain(valid.map((value): QueryPair[] => [[name, encoded(value)]])) },
    ...(invalid
      ? [
          {
            weight: 3,
            arbitrary: invalid.map(({ oddity, value }) => ({
              oddity: `query ${parameter.name} ${oddity}`,
              value: [[name, encoded(value)] as QueryPair],
            })),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: odd(
        `query ${parameter.name} repeated`,
        fc.tuple(valid, valid).map(([a, b]): QueryPair[] => [
          [name, encoded(a)],
          [name, encoded(b)],
        ]),
      ),
    },
    { weight: 1, arbitrary: odd(`query ${parameter.name} empty`, fc.constant([[name, '']] as QueryPair[])) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...ODD_ENCODINGS).map((encoding) => ({
        oddity: `query ${parameter.name} odd percent-encoding ${encoding}`,
        value: [[name, encoding]] as QueryPair[],
      })),
    },
  );
}

/** Parameters the operation does not declare. */
function unknownQuery(declared: ReadonlySet<string>): fc.Arbitrary<Variant<QueryPair[]>> {
  return fc.oneof(
    { weight: 6, arbitrary: plain(fc.constant<QueryPair[]>([])) },
    {
      weight: 1,
      arbitrary: fc
        .array(
          fc.tuple(
            fc.oneof(
              fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.[\]]{0,15}$/),
              fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__proto__[x]', 'a[b][c]', ''),
            ),
            oddUnicode({ maxLength: 20 }),
          ),
          {
            minLength: 1,
            maxLength: 3,
          },
        )
        .filter((pairs) => pairs.every(([name]) => !declared.has(name)))
        .map((pairs) => ({
          oddity: `unknown query parameters ${pairs.map(([name]) => name).join(', ')}`,
          value: pairs.map(([name, value]): QueryPair => [encodeURIComponent(name), encodeURIComponent(value)]),
        })),
    },
  );
}

/** Printable ASCII header values (fetch refuses the rest before sending). */
const headerText = (maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength }).map((text) => text.trim());

/** A declared header (e.g. X-CSRF): valid, missing or wrong. */
function headerParameter(document: OpenApiDoc, parameter: ParameterDoc): fc.Arbitrary<Variant<Record<string, string>>> {
  const name = parameter.name.toLowerCase();
  const valid = validValue(document, parameter.schema).map((value) => asText(value));
  return fc.oneof(
    { weight: 8, arbitrary: plain(valid.map((value) => ({ [name]: value }))) },
    { weight: 1, arbitrary: odd(`header ${parameter.name} missing`, fc.constant({})) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, headerText(40))
        .filter(([good, wrong]) => good !== wrong)
        .map(([, wrong]) => ({ oddity: `header ${parameter.name} wrong`, value: { [name]: wrong } })),
    },
  );
}

/** Headers every client may send: a request id of its own (valid or not), an Accept, an Origin, a conditional. */
function ambientHeaders(origin: string | undefined): fc.Arbitrary<Variant<Record<string, string>>> {
  const requestId = fc.oneof(
    { weight: 6, arbitrary: plain(fc.constant<Record<string, string>>({})) },
    { weight: 1, arbitrary: plain(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,40}$/).map((id) => ({ 'x-request-id': id }))) },
    {
      weight: 1,
      arbitrary: odd(
        'odd X-Request-Id',
        fc.oneof(headerText(60), fc.constant('x'.repeat(300))).map((id) => ({ 'x-request-id': id })),
      ),
    },
  );
  const accept = fc.oneof(
    { weight: 6, arbitrary: plain(fc.constant<Record<string, string>>({ accept: 'application/json' })) },
    { weight: 1, arbitrary: plain(fc.constant<Record<string, string>>({})) },
    {
      weight: 1,
      arbitrary: odd(
        'unusual Accept',
        fc
          .constantFrom('*/*', 'text/html', 'application/xml', 'application/problem+json', 'image/*;q=0.1')
          .map((value) => ({ accept: value })),
      ),
    },
  );
  const origins = fc.oneof(
    { weight: 8, arbitrary: plain(fc.constant<Record<string, string>>(origin ? { origin } : {})) },
    {
      weight: 1,
      arbitrary: odd(
        'foreign Origin',
        fc.constantFrom('https://evil.example', 'null').map((value) => ({ origin: value })),
      ),
    },
  );
  const conditional = fc.oneof(
    { weight: 8, arbitrary: plain(fc.constant<Record<string, string>>({})) },
    {
      weight: 1,
      arbitrary: odd(
        'If-None-Match',
        fc
          .oneof(fc.constant('*'), fc.stringMatching(/^(W\/)?"[0-9a-z-]{0,30}"$/), headerText(30))
          .map((value) => ({ 'if-none-match': value })),
      ),
    },
  );
  return fc.tuple(requestId, accept, origins, conditional).map((parts) => ({
    oddity: parts.flatMap((part) => (part.oddity ? [part.oddity] : [])).join('; ') || undefined,
    value: Object.assign({}, ...parts.map((part) => part.value)) as Record<string, string>,
  }));
}

interface BodyPart {
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly bodyEncoding?: 'latin1';
}

/** JSON of exactly `bytes` bytes: a valid id list padded with one long string. */
function jsonOfSize(bytes: number): string {
  const skeleton = JSON.stringify({ ids: ['p-00001'], padding: '' });
  return JSON.stringify({ ids: ['p-00001'], padding: 'x'.repeat(Math.max(0, bytes - skeleton.length)) });
}

/** `{"ids": [...]}` with a value nested `depth` levels deep in total. */
function nestedJson(depth: number): string {
  return `{"ids":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
}

/** An object with `keys` members in total (the body's own `ids` included). */
function manyKeys(keys: number): string {
  const members = Array.from({ length: keys - 1 }, (_, i) => `"k${i}":1`);
  return `{"ids":["p-00001"]${members.length ? ',' : ''}${members.join(',')}}`;
}

/** The request body of an operation: valid JSON mostly, else everything a body can get wrong. */
function bodyPart(document: OpenApiDoc, schema: Schema | undefined): fc.Arbitrary<Variant<BodyPart>> {
  const json = { 'content-type': 'application/json' };
  const valid = schema ? validValue(document, schema) : fc.constant({});
  const invalid = schema ? invalidValue(document, schema) : undefined;
  const limits = FUZZ_LIMITS;
  return fc.oneof(
    { weight: 10, arbitrary: plain(valid.map((value) => ({ headers: json, body: JSON.stringify(value) }))) },
    {
      weight: 1,
      arbitrary: plain(
        valid.map((value) => ({ headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) })),
      ),
    },
    ...(invalid
      ? [
          {
            weight: 6,
            arbitrary: invalid.map(({ oddity, value }) => ({
              oddity: `body ${oddity}`,
              value: { headers: json, body: JSON.stringify(value) },
            })),
          },
        ]
      : []),
    {
      weight: 1,
      arbitrary: odd(
        'body any JSON',
        fc.jsonValue({ maxDepth: 3 }).map((value) => ({ headers: json, body: JSON.stringify(value) })),
      ),
    },
    {
      weight: 2,
      arbitrary: odd(
        'malformed JSON',
        fc
          .oneof(
            oddUnicode({ maxLength: 40 }),
            valid.map((value) => JSON.stringify(value).slice(0, -1)),
            fc.constantFrom(
              '',
              '{',
              '{"ids": [',
              'null',
              '"ids"',
              '{"__proto__": {"x": 1}}',
              '{"constructor": {"prototype": {}}}',
              '\u0000',
            ),
          )
          .map((body) => ({ headers: json, body })),
      ),
    },
    {
      weight: 2,
      arbitrary: odd(
        'wrong content type',
        fc
          .tuple(
            fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'multipart/form-data; boundary=x',
              'application/xml',
              'application/jsonx',
              'text/json',
            ),
            valid,
          )
          .map(([type, value]) => ({ headers: { 'content-type': type }, body: JSON.stringify(value) })),
      ),
    },
    {
      weight: 2,
      arbitrary: odd(
        'JSON under an unusual content type',
        fc
          .tuple(
            fc.constantFrom(
              'Application/JSON',
              'application/json; charset=utf-16',
              'application/json;charset=iso-8859-1',
              'application/json; charset="utf-8"; x=y',
              'application/json, text/plain',
              'application/json;',
              'application/problem+json',
              'application/vnd.api+json',
            ),
            valid,
          )
          .map(([type, value]) => ({ headers: { 'content-type': type }, body: JSON.stringify(value) })),
      ),
    },
    {
      weight: 1,
      arbitrary: odd(
        'compressed content encoding',
        fc
          .tuple(fc.constantFrom('gzip', 'br', 'deflate', 'identity', 'x-unknown'), valid)
          .map(([encoding, value]) => ({ headers: { ...json, 'content-encoding': encoding }, body: JSON.stringify(value) })),
      ),
    },
    {
      weight: 1,
      arbitrary: odd(
        'invalid UTF-8 in the body',
        fc
          .tuple(fc.constantFrom('\xff\xfe', '\xc0\xaf', '\xed\xa0\x80', '\xf8\x88\x80\x80\x80', '\x80'), fc.boolean())
          .map(([bytes, inString]) => ({
            headers: json,
            body: inString ? `{"ids":["p-0000${bytes}1"]}` : `{"ids":["p-00001"]}${bytes}`,
            bodyEncoding: 'latin1' as const,
          })),
      ),
    },
    {
      weight: 1,
      arbitrary: odd(
        'body without content type',
        valid.map((value) => ({ headers: {}, body: JSON.stringify(value) })),
      ),
    },
    { weight: 1, arbitrary: odd('no body', fc.constant({ headers: json })) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: limits.bodyBytes - 2_048, max: limits.bodyBytes + 2_048 }).map((bytes) => ({
        oddity: `body of ${bytes} bytes (limit ${limits.bodyBytes})`,
        value: { headers: json, body: jsonOfSize(bytes) },
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.integer({ min: limits.jsonDepth - 2, max: limits.jsonDepth + 2 }), fc.integer({ min: limits.jsonDepth + 3, max: 5_000 }))
        .map((depth) => ({
          oddity: `JSON nested ${depth} deep (limit ${limits.jsonDepth})`,
          value: { headers: json, body: nestedJson(depth) },
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: limits.jsonKeys - 2, max: limits.jsonKeys + 2 })
        .map((keys) => ({ oddity: `JSON with ${keys} keys (limit ${limits.jsonKeys})`, value: { headers: json, body: manyKeys(keys) } })),
    },
  );
}

/** A body sent to an operation that declares none (e.g. a POST that takes no input). */
const unexpectedBody: fc.Arbitrary<Variant<BodyPart>> = fc.oneof(
  { weight: 6, arbitrary: plain(fc.constant<BodyPart>({ headers: {} })) },
  {
    weight: 1,
    arbitrary: odd(
      'unexpected JSON body',
      fc.jsonValue({ maxDepth: 2 }).map((value) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) })),
    ),
  },
  {
    weight: 1,
    arbitrary: odd(
      'unexpected text body',
      headerText(40).map((body) => ({ headers: { 'content-type': 'text/plain' }, body })),
    ),
  },
);

/**
 * Credentials bent out of shape, by the header that carries them: for each, variants built from the
 * valid value (`valid`) and the cookie name (`name`). Some still authenticate (a case-insensitive
 * scheme), most must be refused; either way the answer must be a documented one.
 */
const MALFORMED_VARIANTS: Readonly<Record<string, readonly ((valid: string, name: string) => string)[]>> = {
  authorization: [
    () => 'Bearer not.a.jwt',
    (valid) => valid.replace(/^Bearer /, 'bearer '),
    () => 'Basic dXNlcjpwYXNzd29yZA==',
    (valid) => `${valid} ${valid.replace(/^Bearer /, '')}`,
    (valid) => valid.replace(/^Bearer /, 'Bearer   '),
    () => 'Bearer',
    (valid) => `${valid}x`,
    (valid) => valid.replace(/^Bearer /, 'Token '),
    (valid) =>
      `Bearer ${valid
        .replace(/^Bearer /, '')
        .split('.')
        .slice(0, 2)
        .join('.')}`,
    (valid) => `Bearer ${'A'.repeat(6_000)}${valid.slice(-10)}`,
  ],
  cookie: [
    (_, name) => `${name}=%ZZ;;=`,
    (valid, name) => `${valid}; ${name}=${'x'.repeat(43)}`,
    (valid, name) => `${name}=${'x'.repeat(43)}; ${valid}`,
    (valid) => `${valid}; ${valid}`,
    (_, name) => `${name}=`,
    (valid, name) => `${name}="${valid.slice(name.length + 1)}"`,
    (valid) => `${valid}; filler=${'y'.repeat(6_000)}`,
    (valid) => valid.toUpperCase(),
    (_, name) => `${name}=${'\u00e9'.repeat(10)}`,
  ],
  'x-api-key': [
    () => 'bffpk_short',
    (valid) => `${valid}, ${valid}`,
    (valid) => valid.toUpperCase(),
    (valid) => `${valid}x`,
    (valid) => valid.slice(0, -1),
    (valid) => valid.replace(/_[^_]+$/, '_'),
    () => `bffpk_${'a'.repeat(12)}_${'b'.repeat(43)}`,
    () => 'a'.repeat(6_000),
    (valid) => `Bearer ${valid}`,
  ],
};
const malformedCredential: fc.Arbitrary<CredentialChoice> = fc
  .nat({ max: Math.max(...Object.values(MALFORMED_VARIANTS).map((variants) => variants.length)) - 1 })
  .map((n): CredentialChoice => `malformed-${n}`);

function credentialChoice(secured: boolean, limited: boolean): fc.Arbitrary<CredentialChoice> {
  if (!secured) {
    return fc.oneof(
      { weight: 8, arbitrary: fc.constant<CredentialChoice>('missing') },
      { weight: 1, arbitrary: fc.constant<CredentialChoice>('invalid') },
      { weight: 2, arbitrary: malformedCredential },
    );
  }
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant<CredentialChoice>('valid') },
    { weight: 1, arbitrary: fc.constant<CredentialChoice>('missing') },
    { weight: 1, arbitrary: fc.constant<CredentialChoice>('invalid') },
    { weight: 2, arbitrary: malformedCredential },
    ...(limited ? [{ weight: 1, arbitrary: fc.constant<CredentialChoice>('limited') }] : []),
  );
}

/** Every request of one operation. */
function operationRequests(app: AppUnderTest, document: OpenApiDoc, operation: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.doc.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const headerParameters = parameters.filter((parameter) => parameter.in === 'header');
  const schemes = schemesOf(operation.doc);
  const limited = schemes.some((scheme) => (app.credentials[scheme]?.limited ?? []).length > 0);
  const bodySchema = operation.doc.requestBody?.content?.['application/json']?.schema;
  const sendsBody = !['GET', 'HEAD', 'DELETE'].includes(operation.method);
  const none = fc.constant<Variant<BodyPart>>({ value: { headers: {} } });
  return fc
    .record({
      credentials: credentialChoice(schemes.length > 0, limited),
      path: fc.tuple(...pathParameters.map((parameter) => pathSegment(document, parameter))),
      query: fc.tuple(
        ...queryParameters.map((parameter) => queryParameter(document, parameter)),
        unknownQuery(new Set(queryParameters.map((parameter) => parameter.name))),
      ),
      headers: fc.tuple(...headerParameters.map((parameter) => headerParameter(document, parameter)), ambientHeaders(app.origin)),
      body: !sendsBody ? none : operation.doc.requestBody ? bodyPart(document, bodySchema) : unexpectedBody,
    })
    .map(({ credentials, path, query, headers, body }) => {
      let segment = 0;
      const target = operation.template.replace(/\{\w+\}/g, () => path[segment++]?.value ?? '');
      const pairs = query.flatMap((part) => part.value);
      const search = pairs.map(([name, value]) => `${name}=${value}`).join('&');
      const oddities = [...path, ...query, ...headers, body].flatMap((part) => (part.oddity ? [part.oddity] : []));
      return {
        operation: `${operation.method} ${operation.template}`,
        credentials,
        oddities,
        method: operation.method,
        target: search ? `${target}?${search}` : target,
        headers: Object.assign({}, ...headers.map((part) => part.value), body.value.headers) as Record<string, string>,
        ...(body.value.body === undefined ? {} : { body: body.value.body }),
        ...(body.value.bodyEncoding ? { bodyEncoding: body.value.bodyEncoding } : {}),
      };
    });
}

/**
 * Requests for every operation of the document. An operation is picked in proportion to its inputs
 * (parameters, body, credentials), so a health probe does not take as many runs as a protected route.
 */
export function requestsOf(app: AppUnderTest, document: OpenApiDoc): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(
    ...operationsOf(document).map((operation) => ({
      weight: 1 + (operation.doc.parameters?.length ?? 0) + (operation.doc.requestBody ? 2 : 0) + (operation.doc.security ? 1 : 0),
      arbitrary: operationRequests(app, document, operation),
    })),
  );
}

// ---------- the property ----------

/**
 * Problem `type` suffixes the platform documents: the slugs of PROBLEM_TYPES, each of which has its page in
 * the docs portal. An error whose type is not among them is not a documented problem.
 */
export function documentedProblemTypes(): Set<string> {
  return new Set((Object.keys(PROBLEM_TYPES) as ProblemCode[]).map(problemSlug));
}

/** The headers that carry the chosen credentials of the operation's security scheme (or of the app's first one). */
function credentialHeaders(app: AppUnderTest, operation: Operation | undefined, choice: CredentialChoice): Record<string, string> {
  const schemes = operation ? schemesOf(operation.doc) : [];
  const scheme = schemes[0] ?? Object.keys(app.credentials)[0];
  const credential = scheme ? app.credentials[scheme] : undefined;
  if (!credential || choice === 'missing') return {};
  switch (choice) {
    case 'valid':
      return credential.valid;
    case 'invalid':
      return credential.invalid;
    case 'limited': {
      const required = (operation?.doc.security ?? []).flatMap((requirement) => requirement[scheme ?? ''] ?? []);
      const lacking = (credential.limited ?? []).find((identity) => required.some((needed) => !identity.scopes.includes(needed)));
      return lacking?.headers ?? credential.invalid;
    }
    default: {
      // malformed-<n>: the same header, bent out of shape. A public operation may act on a credential it
      // is sent (POST /auth/logout ends the session the run signs in with), so it only gets wrong ones bent.
      const base = schemes.length ? credential.valid : credential.invalid;
      const [name = 'authorization', valid = ''] = Object.entries(base)[0] ?? [];
      const variants = MALFORMED_VARIANTS[name] ?? [];
      const variant = variants[Number(choice.slice('malformed-'.length)) % Math.max(1, variants.length)];
      return variant ? { [name]: variant(valid, valid.split('=')[0] ?? '') } : credential.invalid;
    }
  }
}

/** Every way an answer breaks the fuzzing property (empty: it holds). */
export function answerViolations(
  checker: ResponseChecker,
  operation: Operation,
  problemTypes: ReadonlySet<string>,
  status: number,
  headers: Headers,
  text: string,
): string[] {
  const found: string[] = [];
  if (status >= 500) found.push(`a ${status}: no request may cause a 5xx in a healthy sandbox`);
  found.push(...checker.check(operation.doc, { status, headers, text }));
  const requestId = headers.get('x-request-id');
  if (!requestId) found.push('no X-Request-Id header');
  if (status >= 400) {
    const contentType = headers.get('content-type') ?? '';
    if (!/^application\/problem\+json\b/.test(contentType))
      found.push(`an error as ${contentType || '(no content type)'}, not application/problem+json`);
    let problem: Record<string, unknown> | undefined;
    try {
      problem = JSON.parse(text) as Record<string, unknown>;
    } catch {
      found.push('the error body is not JSON');
    }
    if (problem) {
      if (problem.status !== status) found.push(`problem status ${String(problem.status)} differs from the HTTP status ${status}`);
      if (problem.requestId !== requestId)
        found.push(`problem requestId ${String(problem.requestId)} differs from X-Request-Id ${requestId ?? '(none)'}`);
      const type = typeof problem.type === 'string' ? problem.type : '';
      if (!type.startsWith(PROBLEM_TYPE_BASE) || !problemTypes.has(type.slice(PROBLEM_TYPE_BASE.length)))
        found.push(
          `problem type ${JSON.stringify(problem.type)} is not one the docs describe (PROBLEM_TYPES, the docs portal's problem pages)`,
        );
      if (/127\.0\.0\.1|localhost|\bat .*\.(ts|js):\d+/.test(text)) found.push('the problem leaks an address or a stack frame');
    }
  }
  return found;
}

/**
 * Runs the property against one running app: `numRuns` generated requests, sequentially. Throws
 * fast-check's report (seed, counterexample path, the shrunk request and what broke) on failure.
 */
export async function fuzzApp(app: AppUnderTest, document: OpenApiDoc, options: FuzzOptions): Promise<FuzzReport> {
  const checker = new ResponseChecker(document);
  const problemTypes = documentedProblemTypes();
  const operations = new Map(operationsOf(document).map((operation) => [`${operation.method} ${operation.template}`, operation]));
  const statuses = new Map<string, Map<number, number>>();
  let requests = 0;
  const plain = { requests: 0, succeeded: 0 };
  let renewedAt = Date.now();
  const startedAt = performance.now();

  const property = fc.asyncProperty(requestsOf(app, document), async (request) => {
    if (Date.now() - renewedAt > CREDENTIAL_RENEWAL_MS) {
      await app.renewCredentials();
      renewedAt = Date.now();
    }
    const operation = operations.get(request.operation);
    if (!operation) throw new Error(`unknown operation ${request.operation}`);
    const headers = { ...request.headers, ...credentialHeaders(app, operation, request.credentials) };
    let res: Response;
    try {
      res = await fetch(`${app.url}${request.target}`, {
        method: request.method,
        headers,
        body: request.bodyEncoding && request.body !== undefined ? Buffer.from(request.body, request.bodyEncoding) : request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new Error(
        `${app.name}: the request failed without an answer: ${String(error)}\n  headers sent: ${JSON.stringify(redacted(headers))}`,
        { cause: error },
      );
    }
    const text = await res.text();
    requests++;
    const counts = statuses.get(request.operation) ?? new Map<number, number>();
    counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
    statuses.set(request.operation, counts);
    if (isPlain(request, schemesOf(operation.doc).length > 0)) {
      plain.requests++;
      if (res.status < 400) plain.succeeded++;
    }
    const found = answerViolations(checker, operation, problemTypes, res.status, res.headers, text);
    if (found.length) {
      throw new Error(
        `${app.name} ${request.method} ${request.target.slice(0, 300)}\n` +
          `  headers sent: ${JSON.stringify(redacted(headers))}\n` +
          `  got: ${res.status} ${res.headers.get('content-type') ?? '(no content type)'} ${text.slice(0, 400)}\n` +
          found.map((violation) => `  - ${violation}`).join('\n'),
      );
    }
  });
  await fc.assert(property, {
    numRuns: options.numRuns,
    seed: options.seed,
    // One request per operation first (drawn from the same seed), so a short run reaches every route
    // whatever the weights; the weighted random requests follow.
    examples: coverageExamples(app, document, options.seed),
    ...(options.path ? { path: options.path } : {}),
    // The whole request in the report, not an abbreviation of it.
    verbose: 1,
  });
  return { requests, durationMs: performance.now() - startedAt, statuses, plain };
}

function isPlain(request: FuzzRequest, secured: boolean): boolean {
  return request.oddities.length === 0 && request.credentials === (secured ? 'valid' : 'missing');
}

/** One generated request of each operation of the document, deterministic for a seed. */
function coverageExamples(app: AppUnderTest, document: OpenApiDoc, seed: number): [FuzzRequest][] {
  return operationsOf(document).flatMap((operation) =>
    fc.sample(operationRequests(app, document, operation), { numRuns: 1, seed }).map((request): [FuzzRequest] => [request]),
  );
}

/** One line per operation: `METHOD template  200×812 400×301 …`. */
export function formatStatuses(report: FuzzReport): string {
  return [...report.statuses.entries()]
    .map(([operation, counts]) => {
      const shown = [...counts.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status}×${count}`);
      return `  ${operation.padEnd(40)} ${shown.join(' ')}`;
    })
    .join('\n');
}
