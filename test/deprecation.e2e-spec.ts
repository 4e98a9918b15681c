import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { DEPRECATION, DEPRECATION_TEST_APP, DeprecationTestAppModule } from './support/deprecation-test-app.js';
import { ResponseChecker, type OpenApiDoc } from './support/openapi-crawl.js';
import { appEnv } from './support/stack.js';

/**
 * @Deprecated on a real socket (test-only app: partner-bff has no successor route yet): every answer of
 * a deprecated route, success or problem, carries Deprecation / Sunset / Link; the document marks the
 * operation and the field deprecated and documents the headers, and each answer conforms to it.
 */
describe('@Deprecated routes and fields', () => {
  let app: NestFastifyApplication;
  let url: string;
  let document: OpenApiDoc & { paths: Record<string, Record<string, Record<string, unknown>>> };
  let checker: ResponseChecker;

  beforeAll(async () => {
    app = await createPlatformApp(DeprecationTestAppModule, DEPRECATION_TEST_APP, {
      env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', DOCS_ENABLED: 'true' }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    document = (await (await fetch(`${url}/docs-json`)).json()) as typeof document;
    checker = new ResponseChecker(document);
  });
  afterAll(async () => {
    await app?.close();
  });

  const call = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${url}${path}`, init);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const conforms = (path: string, method: string, answer: Awaited<ReturnType<typeof call>>) =>
    expect(checker.check(document.paths[path][method] as never, answer)).toEqual([]);

  const EXPECTED = {
    deprecation: '@1796083200', // 2026-12-01T00:00:00Z
    sunset: 'Wed, 30 Jun 2027 00:00:00 GMT',
    link: '</v2/widgets>; rel="successor-version", <https://developer.example.com/changes/widgets-v2>; rel="deprecation"; type="text/html"',
  };

  it('sends Deprecation (RFC 9745), Sunset (RFC 8594) and Link on a success', async () => {
    const answer = await call('/v1/widgets/w-1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('deprecation')).toBe(EXPECTED.deprecation);
    expect(new Date(Number(EXPECTED.deprecation.slice(1)) * 1000).toISOString().slice(0, 10)).toBe(DEPRECATION.since);
    expect(answer.headers.get('sunset')).toBe(EXPECTED.sunset);
    expect(answer.headers.get('link')).toBe(EXPECTED.link);
    expect(JSON.parse(answer.text)).toEqual({ id: 'w-1', amount: 1250, price: '12.50' });
    conforms('/v1/widgets/{id}', 'get', answer);
  });

  it('sends them on problems too: a handler 404, a validation 400, a malformed-JSON 400 and a 415', async () => {
    const missing = await call('/v1/widgets/w-2');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(missing.headers.get('deprecation')).toBe(EXPECTED.deprecation);
    expect(missing.headers.get('sunset')).toBe(EXPECTED.sunset);
    conforms('/v1/widgets/{id}', 'get', missing);

    const postHeaders = { 'content-type': 'application/json' };
    const invalid = await call('/v1/widgets', { method: 'POST', headers: postHeaders, body: JSON.stringify({ name: 'NO', amount: -1 }) });
    const malformed = await call('/v1/widgets', { method: 'POST', headers: postHeaders, body: '{"name":' });
    const wrongType = await call('/v1/widgets', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    for (const [answer, status] of [
      [invalid, 400],
      [malformed, 400],
      [wrongType, 415],
    ] as const) {
      expect(answer.status).toBe(status);
      expect(answer.headers.get('deprecation')).toBe(EXPECTED.deprecation);
      expect(answer.headers.get('sunset')).toBe('Wed, 31 Mar 2027 00:00:00 GMT');
      expect(answer.headers.get('link')).toBe('<https://api.example.com/v2/widgets>; rel="successor-version"');
      conforms('/v1/widgets', 'post', answer);
    }
    const created = await call('/v1/widgets', { method: 'POST', headers: postHeaders, body: JSON.stringify({ name: 'gear', amount: 99 }) });
    expect(created.status).toBe(201);
    expect(created.headers.get('sunset')).toBe('Wed, 31 Mar 2027 00:00:00 GMT');
    conforms('/v1/widgets', 'post', created);
  });

  it('leaves other routes alone, the successor and unknown paths included', async () => {
    for (const path of ['/v2/widgets', '/v2/widgets/w-1', '/v2/widgets/w-2', '/v1/nothing-here']) {
      const answer = await call(path);
      for (const name of ['deprecation', 'sunset', 'link']) expect(answer.headers.get(name), `${path} ${name}`).toBeNull();
    }
  });

  it('marks the operations deprecated and documents the headers on each of their responses, and only there', () => {
    const get = document.paths['/v1/widgets/{id}'].get as {
      deprecated?: boolean;
      description?: string;
      responses: Record<string, { headers?: Record<string, { required?: boolean; schema?: { enum?: string[] } }> }>;
    };
    expect(get.deprecated).toBe(true);
    expect(get.description).toContain('removed after 2027-06-30');
    expect(get.description).toContain('Use /v2/widgets instead.');
    expect(Object.keys(get.responses)).toEqual(expect.arrayContaining(['200', '404', '500']));
    for (const [status, response] of Object.entries(get.responses)) {
      const headers = response.headers ?? {};
      expect(headers.Deprecation?.schema?.enum, status).toEqual([EXPECTED.deprecation]);
      expect(headers.Sunset?.schema?.enum, status).toEqual([EXPECTED.sunset]);
      expect(headers.Link?.schema?.enum, status).toEqual([EXPECTED.link]);
      // What Node's parser and the router answer before a route is matched carries no route headers.
      expect(headers.Deprecation?.required, status).toBe(!['400', '408', '414', '431'].includes(status));
    }
    const successor = document.paths['/v2/widgets/{id}'].get as { deprecated?: boolean; responses: Record<string, { headers?: object }> };
    expect(successor.deprecated).toBeUndefined();
    for (const response of Object.values(successor.responses)) expect(Object.keys(response.headers ?? {})).not.toContain('Sunset');
    expect(JSON.stringify(document)).not.toContain('x-bff-deprecation');
  });

  it('marks a deprecated DTO field in the schema, keeping its description and adding its sunset', () => {
    const schema = document.components!.schemas!.WidgetDto as {
      properties: Record<string, { deprecated?: boolean; description?: string }>;
    };
    expect(schema.properties.price).toMatchObject({ deprecated: true, type: 'string', example: '12.50' });
    expect(schema.properties.price.description).toBe(
      'Price as a decimal string. Deprecated since 2026-12-01; removed after 2027-06-30 (Sunset). Use amount (minor units).',
    );
    expect(schema.properties.amount.deprecated).toBeUndefined();
  });
});
