import { ApiExtension } from '@nestjs/swagger';
import type { OpenAPIObject } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';

import { PROBLEM_CONTENT_TYPE } from '../core.constants.js';
import { PROBLEM_DESCRIPTIONS } from './api-problems.decorator.js';

/** The parts of an OpenAPI 3.1 document the contract step reads and writes (plain JSON). */
export interface HeaderSpec {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: Record<string, unknown>;
}
interface ResponseObject {
  description: string;
  /** A header shared by many responses is a reference to components.headers (see shareHeaders). */
  headers?: Record<string, HeaderSpec | { $ref: string }>;
  content?: Record<string, { schema: Record<string, unknown> }>;
}
interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: Record<string, unknown>;
}
export interface OperationObject {
  security?: Record<string, string[]>[];
  parameters?: ParameterObject[];
  requestBody?: unknown;
  responses: Record<string, ResponseObject>;
  [extension: `x-${string}`]: unknown;
}
export interface OperationRef {
  readonly path: string;
  /** Upper case, e.g. 'POST'. */
  readonly method: string;
  readonly operation: OperationObject;
}

/**
 * A lib's additions to the OpenAPI document of every app that uses it (rate limits, CSRF, caching):
 * behaviour a global guard or hook adds to every route is documented once, here, not per controller.
 * Attached to the lib's env slice, which every app using the lib lists in its definition.
 */
export type DocumentContribution = (document: OpenAPIObject) => void;

/**
 * Marker extensions: the route's successful responses carry these headers (translated by
 * completeDocument, then removed). One key per header set, so several decorators can stack.
 */
const SUCCESS_HEADERS_EXTENSION = 'x-bff-success-headers-';

/**
 * Documents response headers that a lib's hook or the handler adds to the route's successful (2xx,
 * 304) responses, without replacing the route's own `@ApiOkResponse`.
 */
export const ApiSuccessHeaders = (headers: Record<string, HeaderSpec>): MethodDecorator =>
  ApiExtension(`${SUCCESS_HEADERS_EXTENSION}${Object.keys(headers).join('-').toLowerCase()}`, headers) as MethodDecorator;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function operationsOf(document: OpenAPIObject): OperationRef[] {
  const operations: OperationRef[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = (item as Record<string, OperationObject | undefined>)[method];
      if (operation) operations.push({ path, method: method.toUpperCase(), operation });
    }
  }
  return operations;
}

/** Adds a problem+json response for `status` unless the operation documents it already. */
export function addProblemResponse(operation: OperationObject, status: number, description?: string): ResponseObject {
  const key = String(status);
  operation.responses[key] ??= {
    description: description ?? PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  };
  return operation.responses[key];
}

export function addHeader(response: ResponseObject, name: string, header: HeaderSpec): void {
  response.headers ??= {};
  response.headers[name] ??= header;
}

export function addHeaderParameter(operation: OperationObject, parameter: ParameterObject): void {
  operation.parameters ??= [];
  if (!operation.parameters.some((p) => p.in === parameter.in && p.name.toLowerCase() === parameter.name.toLowerCase())) {
    operation.parameters.push(parameter);
  }
}

const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
/** What Node's HTTP parser and its timeouts answer for any request, on the socket (bootstrap/edges.ts). */
const EDGE_STATUSES = [400, 408, 431] as const;

export const isSuccess = (status: string): boolean => /^2\d\d$/.test(status);

const REQUEST_ID_HEADER: HeaderSpec = {
  description: 'Id of this request (echoes a valid inbound X-Request-Id, else generated); quoted by problem documents and logs.',
  required: true,
  schema: { type: 'string', minLength: 1 },
};
/** Problem answers are never stored (ProblemDetailsFilter). */
const PROBLEM_CACHE_CONTROL: HeaderSpec = { description: 'Problem answers are never stored.', required: true, schema: { type: 'string', enum: ['no-store'] } };
/** What core's security headers (bootstrap/security-headers.ts) put on every API answer. */
const SECURITY_HEADERS: Readonly<Record<string, HeaderSpec>> = {
  'Content-Security-Policy': { description: 'Nothing in an API answer may load or frame anything.', required: true, schema: { type: 'string' } },
  'Cross-Origin-Resource-Policy': { description: 'Readable by same-site pages only.', required: true, schema: { type: 'string', enum: ['same-site'] } },
  'Referrer-Policy': { description: 'No referrer leaves with links.', required: true, schema: { type: 'string', enum: ['no-referrer'] } },
  'Strict-Transport-Security': { description: 'HTTPS only, for this host and its subdomains.', required: true, schema: { type: 'string' } },
  'X-Content-Type-Options': { description: 'No MIME sniffing.', required: true, schema: { type: 'string', enum: ['nosniff'] } },
  'X-Frame-Options': { description: 'Never framed.', required: true, schema: { type: 'string', enum: ['DENY'] } },
};
/** What CORS adds to answers to a request whose Origin is in CORS_ORIGINS (none otherwise). */
const CORS_HEADERS: Readonly<Record<string, HeaderSpec>> = {
  'Access-Control-Allow-Origin': { description: 'The calling origin, when it is allowed (CORS_ORIGINS).', schema: { type: 'string' } },
  'Access-Control-Allow-Credentials': { description: 'Cookies may be sent cross-origin by allowed origins.', schema: { type: 'string', enum: ['true'] } },
  'Access-Control-Expose-Headers': { description: 'Response headers an allowed origin\'s script may read.', schema: { type: 'string' } },
  Vary: { description: 'Request headers the answer depends on (Origin when CORS is configured).', schema: { type: 'string' } },
};
const RETRY_AFTER_HEADER: HeaderSpec = {
  description: 'Seconds to wait before retrying.',
  schema: { type: 'string', pattern: '^[0-9]+$' },
};

/**
 * What core's global behaviour adds to every operation of every app, then each lib's contribution:
 * - every response carries X-Request-Id and the security headers (and the CORS headers for allowed origins),
 *   every problem answer Cache-Control: no-store;
 *   every operation may answer 500;
 * - an operation taking a body (declared, or POST/PUT/PATCH) may answer 400 (malformed JSON), 413 (too large) and 415 (other content type);
 * - every operation may answer what Node's HTTP parser answers on the socket before any route runs
 *   (bootstrap/edges.ts): 400 (malformed request), 408 (headers or body too slow), 431 (headers too large);
 * - an operation with a path parameter may answer 414 (the router refuses one over MAX_PATH_PARAM_LENGTH);
 * - a protected operation may answer 401 (with WWW-Authenticate for header credentials) and, when it
 *   requires scopes, 403;
 * - 429 and 503 answers carry Retry-After;
 * - success-header markers (ApiSuccessHeaders) become headers of the 2xx responses.
 */
export function completeDocument(document: OpenAPIObject, contributions: readonly DocumentContribution[]): OpenAPIObject {
  const schemes = (document.components?.securitySchemes ?? {}) as Record<string, { type?: string; in?: string }>;
  for (const { method, operation } of operationsOf(document)) {
    addProblemResponse(operation, 500);
    for (const status of EDGE_STATUSES) addProblemResponse(operation, status);
    // Fastify parses the body of these methods whether or not the route declares one.
    if (operation.requestBody || BODY_METHODS.has(method)) for (const status of [400, 413, 415]) addProblemResponse(operation, status);
    if (operation.parameters?.some((parameter) => parameter.in === 'path')) addProblemResponse(operation, 414);
    for (const requirement of operation.security ?? []) {
      for (const [scheme, scopes] of Object.entries(requirement)) {
        const unauthorized = addProblemResponse(operation, 401);
        const definition = schemes[scheme];
        if (definition?.type === 'http' || (definition?.type === 'apiKey' && definition.in === 'header')) {
          addHeader(unauthorized, 'WWW-Authenticate', {
            description: 'The authentication challenge (RFC 9110), when the credentials are missing or invalid.',
            schema: { type: 'string' },
          });
        }
        if (scopes.length) addProblemResponse(operation, 403);
      }
    }
    for (const key of Object.keys(operation).filter((name) => name.startsWith(SUCCESS_HEADERS_EXTENSION))) {
      const headers = operation[key as `x-${string}`] as Record<string, HeaderSpec>;
      delete operation[key as `x-${string}`];
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isSuccess(status) && status !== '304') continue;
        for (const [name, header] of Object.entries(headers)) addHeader(response, name, header);
      }
    }
  }
  for (const contribute of contributions) contribute(document);
  for (const { operation } of operationsOf(document)) {
    for (const [status, response] of Object.entries(operation.responses)) {
      addHeader(response, 'X-Request-Id', REQUEST_ID_HEADER);
      for (const [name, header] of Object.entries(SECURITY_HEADERS)) addHeader(response, name, header);
      for (const [name, header] of Object.entries(CORS_HEADERS)) addHeader(response, name, header);
      if (response.content?.[PROBLEM_CONTENT_TYPE]) addHeader(response, 'Cache-Control', PROBLEM_CACHE_CONTROL);
      if (status === '429' || status === '503') addHeader(response, 'Retry-After', { ...RETRY_AFTER_HEADER, required: status === '429' });
    }
  }
  shareHeaders(document);
  return document;
}

/**
 * A header documented the same way on every response that has it is described once, under
 * components.headers, and referenced: the document stays readable with a header on every response.
 */
function shareHeaders(document: OpenAPIObject): void {
  const specs = new Map<string, Set<string>>();
  for (const { operation } of operationsOf(document)) {
    for (const response of Object.values(operation.responses)) {
      for (const [name, header] of Object.entries(response.headers ?? {})) {
        if (!specs.has(name)) specs.set(name, new Set());
        specs.get(name)?.add(JSON.stringify(header));
      }
    }
  }
  const shared = [...specs].filter(([, variants]) => variants.size === 1).map(([name]) => name);
  if (!shared.length) return;
  const components = (document.components ??= {}) as { headers?: Record<string, unknown> };
  components.headers ??= {};
  for (const { operation } of operationsOf(document)) {
    for (const response of Object.values(operation.responses)) {
      for (const name of shared) {
        const header = response.headers?.[name];
        if (!header || !response.headers) continue;
        components.headers[name] = header;
        response.headers[name] = { $ref: `#/components/headers/${name}` };
      }
    }
  }
}
