/**
 * Tiny helpers to write the OpenAPI 3.1 documents of the services as plain objects.
 * Types for the BFF are generated from these documents (openapi-typescript), so every object
 * schema lists its `required` properties and forbids additional ones.
 */
import { DEFAULT_BASE_PORT, DEFAULT_HOST, SERVICE_PORT_OFFSETS, type ServiceName } from '../types.ts';
import { PROBLEM_TYPE_BASE } from './problem.ts';

export type JsonSchema = { readonly [keyword: string]: unknown };

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers: ReadonlyArray<{ readonly url: string; readonly description: string }>;
  readonly tags: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  readonly paths: Readonly<Record<string, JsonSchema>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly parameters: Readonly<Record<string, JsonSchema>>;
    readonly headers: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, JsonSchema>>;
  };
}

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

export const string = (extra: JsonSchema = {}): JsonSchema => ({ type: 'string', ...extra });
export const integer = (extra: JsonSchema = {}): JsonSchema => ({ type: 'integer', ...extra });
export const number = (extra: JsonSchema = {}): JsonSchema => ({ type: 'number', ...extra });
export const boolean = (extra: JsonSchema = {}): JsonSchema => ({ type: 'boolean', ...extra });
export const dateTime = (extra: JsonSchema = {}): JsonSchema => string({ format: 'date-time', ...extra });
export const arrayOf = (items: JsonSchema, extra: JsonSchema = {}): JsonSchema => ({ type: 'array', items, ...extra });

/** `type: [T, "null"]` (OpenAPI 3.1 / JSON Schema 2020-12 nullability). */
export function nullable(schema: JsonSchema): JsonSchema {
  return { ...schema, type: [schema['type'], 'null'] };
}

/** A closed object schema; every property is required unless listed in `optional`. */
export function object(properties: Record<string, JsonSchema>, optional: readonly string[] = [], extra: JsonSchema = {}): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    properties,
    ...extra,
  };
}

export const itemsOf = (schemaName: string, extra: JsonSchema = {}): JsonSchema => object({ items: arrayOf(ref(schemaName)) }, [], extra);

export function pathParam(name: string, description: string, example: string): JsonSchema {
  return { name, in: 'path', required: true, description, schema: string({ examples: [example] }) };
}

export function queryParam(name: string, schema: JsonSchema, description: string, required = false): JsonSchema {
  return { name, in: 'query', required, description, schema };
}

export const IF_NONE_MATCH: JsonSchema = { $ref: '#/components/parameters/IfNoneMatch' };
export const ACCEPT_LANGUAGE: JsonSchema = { $ref: '#/components/parameters/AcceptLanguage' };

/** Sent with every answer whose texts vary by the negotiated language. */
const LANGUAGE_HEADERS: JsonSchema = {
  'Content-Language': { $ref: '#/components/headers/ContentLanguage' },
  Vary: { $ref: '#/components/headers/Vary' },
};

/** Sent with every cacheable 200 and with every 304. */
const CACHE_HEADERS: JsonSchema = {
  ETag: { $ref: '#/components/headers/ETag' },
  'Cache-Control': { $ref: '#/components/headers/CacheControl' },
};

export function jsonResponse(
  description: string,
  schema: JsonSchema,
  options: { cacheable?: boolean; localized?: boolean; headers?: JsonSchema } = {},
): JsonSchema {
  const headers = {
    ...(options.cacheable === true ? CACHE_HEADERS : {}),
    ...(options.localized === true ? LANGUAGE_HEADERS : {}),
    ...(options.headers ?? {}),
  };
  return {
    description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: { 'application/json': { schema } },
  };
}

export const NOT_MODIFIED: JsonSchema = { $ref: '#/components/responses/NotModified' };
export const BAD_REQUEST: JsonSchema = { $ref: '#/components/responses/BadRequest' };
export const NOT_FOUND: JsonSchema = { $ref: '#/components/responses/NotFound' };

export const UNAUTHORIZED: JsonSchema = { $ref: '#/components/responses/Unauthorized' };
export const FORBIDDEN: JsonSchema = { $ref: '#/components/responses/Forbidden' };

/** An operation of a service holding customer data: the bearer token needs `scope` (see sandbox/src/http/authz.ts). */
export function bearer(scope: string): { security: JsonSchema[] } {
  return { security: [{ bearer: [scope] }] };
}

export function problemResponse(description: string): JsonSchema {
  return { description, content: { 'application/problem+json': { schema: ref('Problem') } } };
}

export function jsonBody(schema: JsonSchema, description: string): JsonSchema {
  return { required: true, description, content: { 'application/json': { schema } } };
}

const PROBLEM_SCHEMA = object(
  {
    type: string({ format: 'uri', description: 'Problem type URI.', examples: [`${PROBLEM_TYPE_BASE}not-found`] }),
    title: string({ description: 'Short summary of the problem type (the HTTP reason phrase).' }),
    status: integer({ minimum: 100, maximum: 599, description: 'HTTP status code.' }),
    detail: string({ description: 'Explanation specific to this occurrence.' }),
    instance: string({ description: 'The request path (without query string).', examples: ['/products/p-99999'] }),
  },
  [],
  { description: 'RFC 9457 problem details.' },
);

const HEALTH_SCHEMA = object({ status: string({ enum: ['ok'] }) });

/** `GET /openapi.json` answers the service's own document: only its top-level shape is described. */
const OPENAPI_DOCUMENT_SCHEMA: JsonSchema = {
  type: 'object',
  description: "This service's OpenAPI 3.1 document.",
  required: ['openapi', 'info', 'paths', 'components'],
  properties: {
    openapi: string({ enum: ['3.1.0'] }),
    info: { type: 'object', additionalProperties: true },
    paths: { type: 'object', additionalProperties: true },
    components: { type: 'object', additionalProperties: true },
  },
  additionalProperties: true,
};

const WWW_AUTHENTICATE: JsonSchema = {
  description: 'RFC 6750 challenge: `Bearer realm="retail"`, with `error="invalid_token"` when a token was sent but refused.',
  required: true,
  schema: string({ examples: ['Bearer realm="retail", error="invalid_token", error_description="expired"'] }),
};

const SECURED_RESPONSES: Record<string, JsonSchema> = {
  Unauthorized: {
    description:
      'No bearer token (`unauthorized`), or one that is not a valid access token of the sandbox IdP for the retail API: bad signature, issuer, audience, type (`at+jwt`) or expired (`invalid-token`).',
    headers: { 'WWW-Authenticate': WWW_AUTHENTICATE },
    content: { 'application/problem+json': { schema: ref('Problem') } },
  },
  Forbidden: {
    description:
      "The token lacks the operation's scope (`insufficient-scope`, with a `WWW-Authenticate` challenge naming it), or asks for another customer's data (`forbidden`).",
    headers: {
      'WWW-Authenticate': {
        ...WWW_AUTHENTICATE,
        required: false,
        description: 'Sent with `insufficient-scope` only: `error="insufficient_scope", scope="..."`.',
      },
    },
    content: { 'application/problem+json': { schema: ref('Problem') } },
  },
};

const SECURITY_SCHEMES: Record<string, JsonSchema> = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      "JWT access token (`typ: at+jwt`, RS256) of the sandbox IdP for the resource `https://api.retail.example`. A user token sees its subject's data; a partner client-credentials token its `account` claim's.",
  },
};

export function buildDocument(options: {
  service: ServiceName;
  title: string;
  description: string;
  paths: Record<string, JsonSchema>;
  schemas: Record<string, JsonSchema>;
  /** The service verifies bearer tokens (declares the `bearer` scheme, 401 and 403 responses). */
  secured?: boolean;
}): OpenApiDocument {
  const port = DEFAULT_BASE_PORT + SERVICE_PORT_OFFSETS[options.service];
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: '1.0.0', description: options.description },
    servers: [{ url: `http://${DEFAULT_HOST}:${port}`, description: 'Local sandbox (default port)' }],
    tags: [
      { name: options.service, description: options.title },
      { name: 'ops', description: 'Operational endpoints' },
    ],
    paths: {
      ...options.paths,
      '/health': {
        get: {
          operationId: 'getHealth',
          tags: ['ops'],
          summary: 'Liveness probe',
          responses: { '200': jsonResponse('The service is up', ref('Health')) },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'getOpenApiDocument',
          tags: ['ops'],
          summary: 'This OpenAPI document',
          parameters: [IF_NONE_MATCH],
          responses: {
            '200': jsonResponse('The OpenAPI document', ref('OpenApiDocument'), { cacheable: true }),
            '304': NOT_MODIFIED,
          },
        },
      },
    },
    components: {
      schemas: { ...options.schemas, Problem: PROBLEM_SCHEMA, Health: HEALTH_SCHEMA, OpenApiDocument: OPENAPI_DOCUMENT_SCHEMA },
      parameters: {
        IfNoneMatch: {
          name: 'If-None-Match',
          in: 'header',
          required: false,
          description: 'ETag(s) of a cached representation; a match yields 304.',
          schema: string(),
        },
        AcceptLanguage: {
          name: 'Accept-Language',
          in: 'header',
          required: false,
          description:
            'Preferred languages with q-values (RFC 9110 §12.5.4), negotiated against en (default), de and fr; a regional range ' +
            'matches its language (de-CH → de); an unsupported or malformed value gets en.',
          schema: string({ examples: ['de-CH, fr;q=0.8'] }),
        },
      },
      headers: {
        ContentLanguage: {
          description: 'Language of the texts (en, de or fr).',
          required: true,
          schema: string({ enum: ['en', 'de', 'fr'] }),
        },
        Vary: { description: 'Request headers the answer depends on.', required: true, schema: string({ examples: ['Accept-Language'] }) },
        ETag: { description: 'Strong entity tag of the representation.', required: true, schema: string() },
        CacheControl: { description: 'Caching directives.', required: true, schema: string() },
      },
      responses: {
        NotModified: { description: 'Not modified (If-None-Match matched).', headers: CACHE_HEADERS },
        BadRequest: problemResponse('Invalid request (query, path or body)'),
        NotFound: problemResponse('Resource not found'),
        ...(options.secured === true ? SECURED_RESPONSES : {}),
      },
      ...(options.secured === true ? { securitySchemes: SECURITY_SCHEMES } : {}),
    },
  };
}
