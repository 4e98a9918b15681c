import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';

import { documentRateLimits } from '../rate-limit/rate-limit.openapi.js';
import { documentCsrf } from './csrf.openapi.js';

const ok = (): Record<string, { description: string }> => ({ '200': { description: 'ok' } });
const documentOf = (): OpenAPIObject => ({
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {
    '/public': { get: { responses: ok() }, post: { responses: ok() } },
    '/session': { get: { security: [{ session: [] }], responses: ok() } },
    '/bearer': { post: { security: [{ jwt: [] }], responses: ok() } },
    // Specification extensions (x-…) are allowed on an operation; the swagger typings do not list them.
    '/backchannel': { post: { ...{ 'x-server-to-server': true }, responses: ok() } },
    '/health/live': { get: { responses: ok() } },
  },
});

type Op = { parameters?: { name: string; required?: boolean }[]; responses: Record<string, { headers?: Record<string, unknown> }> };
const op = (document: OpenAPIObject, path: string, method: string): Op => (document.paths[path] as Record<string, Op>)[method];

describe('documentCsrf', () => {
  it('requires X-CSRF (403 without it) on session routes and on unsafe methods of public routes only, not server-to-server ones', () => {
    const document = documentOf();
    documentCsrf(document);
    for (const [path, method] of [
      ['/public', 'post'],
      ['/session', 'get'],
    ] as const) {
      expect(op(document, path, method).parameters).toEqual([expect.objectContaining({ name: 'X-CSRF', required: true })]);
      expect(op(document, path, method).responses['403']).toBeDefined();
    }
    expect(op(document, '/session', 'get').responses['401']?.headers?.['Set-Cookie']).toBeDefined();
    expect(op(document, '/public', 'post').responses['401']).toBeUndefined();
    for (const [path, method] of [
      ['/public', 'get'],
      ['/bearer', 'post'],
      ['/backchannel', 'post'],
    ] as const) {
      expect(op(document, path, method).parameters).toBeUndefined();
      expect(op(document, path, method).responses['403']).toBeUndefined();
    }
  });
});

describe('documentRateLimits', () => {
  it('adds 429 and the RateLimit headers to every route but the probes', () => {
    const document = documentOf();
    documentRateLimits(document);
    const limited = op(document, '/public', 'get');
    expect(limited.responses['429']).toBeDefined();
    expect(Object.keys(limited.responses['200']?.headers ?? {})).toEqual(['RateLimit-Policy', 'RateLimit']);
    const probe = op(document, '/health/live', 'get');
    expect(probe.responses['429']).toBeUndefined();
    expect(probe.responses['200']?.headers).toBeUndefined();
  });
});
