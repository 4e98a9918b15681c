import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';

import { addProblemResponse, completeDocument, operationsOf, type OperationObject } from './document-contract.js';

function documentWith(paths: Record<string, Record<string, Partial<OperationObject>>>): OpenAPIObject {
  return {
    openapi: '3.1.0',
    info: { title: 't', version: '1' },
    paths: paths,
    components: {
      securitySchemes: {
        jwt: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'sid' },
      },
    },
  };
}

const operation = (document: OpenAPIObject, path: string, method: string): OperationObject => {
  const found = operationsOf(document).find((ref) => ref.path === path && ref.method === method);
  if (!found) throw new Error(`${method} ${path} missing`);
  return found.operation;
};

describe('completeDocument', () => {
  it('adds X-Request-Id to every response, 400/408/431/500 everywhere and 413/415 to methods with a body', () => {
    const document = completeDocument(
      documentWith({ '/a': { get: { responses: { '200': { description: 'ok' } } }, post: { responses: { '200': { description: 'ok' } } } } }),
      [],
    );
    const get = operation(document, '/a', 'GET');
    // 400, 408 and 431: what Node's parser answers on the socket for any request.
    expect(Object.keys(get.responses).sort()).toEqual(['200', '400', '408', '431', '500']);
    // Documented once under components.headers, referenced by every response.
    expect(get.responses['200']?.headers?.['X-Request-Id']).toEqual({ $ref: '#/components/headers/X-Request-Id' });
    expect(get.responses['500']?.headers?.['X-Request-Id']).toEqual({ $ref: '#/components/headers/X-Request-Id' });
    expect((document.components as { headers?: Record<string, unknown> }).headers?.['X-Request-Id']).toMatchObject({ required: true });
    expect(Object.keys(operation(document, '/a', 'POST').responses).sort()).toEqual(['200', '400', '408', '413', '415', '431', '500']);
  });

  it('adds 414 to operations with a path parameter (the router refuses an overlong one before the route runs)', () => {
    const document = completeDocument(
      documentWith({
        '/items/{id}': {
          get: { parameters: [{ name: 'id', in: 'path', required: true }], responses: { '200': { description: 'ok' } } },
        },
        '/items': { get: { parameters: [{ name: 'limit', in: 'query' }], responses: { '200': { description: 'ok' } } } },
      }),
      [],
    );
    expect(operation(document, '/items/{id}', 'GET').responses['414']?.content?.['application/problem+json']).toBeDefined();
    expect(operation(document, '/items', 'GET').responses['414']).toBeUndefined();
  });

  it('derives 401 (WWW-Authenticate for header credentials) and 403 (scopes) from the security requirement', () => {
    const document = completeDocument(
      documentWith({
        '/bearer': { get: { security: [{ jwt: ['catalog:read'] }], responses: { '200': { description: 'ok' } } } },
        '/cookie': { get: { security: [{ session: [] }], responses: { '200': { description: 'ok' } } } },
      }),
      [],
    );
    const bearer = operation(document, '/bearer', 'GET');
    expect(bearer.responses['401']?.headers?.['WWW-Authenticate']).toBeDefined();
    expect(bearer.responses['403']?.content?.['application/problem+json']).toBeDefined();
    const cookie = operation(document, '/cookie', 'GET');
    expect(cookie.responses['401']?.headers?.['WWW-Authenticate']).toBeUndefined();
    expect(cookie.responses['403']).toBeUndefined();
  });

  it('runs the libs’ contributions, then puts Retry-After on their 429 (required) and on 503', () => {
    const document = completeDocument(documentWith({ '/a': { get: { responses: { '200': { description: 'ok' } } } } }), [
      (doc) => {
        for (const { operation: op } of operationsOf(doc)) {
          addProblemResponse(op, 429);
          addProblemResponse(op, 503);
        }
      },
    ]);
    const get = operation(document, '/a', 'GET');
    expect(get.responses['429']?.headers?.['Retry-After']).toMatchObject({ required: true });
    expect(get.responses['503']?.headers?.['Retry-After']).toMatchObject({ required: false });
    expect(get.responses['429']?.headers?.['X-Request-Id']).toBeDefined();
  });

  it('turns success-header markers into headers of the 2xx and 304 answers and removes the marker', () => {
    const document = completeDocument(
      documentWith({
        '/a': {
          get: {
            'x-bff-success-headers-etag': { ETag: { description: 'validator', schema: { type: 'string' } } },
            responses: { '200': { description: 'ok' }, '304': { description: 'not modified' }, '404': { description: 'missing' } },
          },
        },
      }),
      [],
    );
    const get = operation(document, '/a', 'GET');
    expect(get['x-bff-success-headers-etag']).toBeUndefined();
    expect(get.responses['200']?.headers?.ETag).toBeDefined();
    expect(get.responses['304']?.headers?.ETag).toBeDefined();
    expect(get.responses['404']?.headers?.ETag).toBeUndefined();
  });
});
