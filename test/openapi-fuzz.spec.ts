import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { operationsOf, ResponseChecker, type OpenApiDoc } from './support/openapi-crawl.js';
import { answerViolations, documentedProblemTypes, invalidValue, validValue } from './support/openapi-fuzz.js';

/** The fuzzer's own parts: what it generates from a schema, and what it counts as a broken answer. */

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const document: OpenApiDoc = {
  paths: {
    '/items/{id}': {
      get: {
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: ID_PATTERN, maxLength: 64 } }],
        responses: {
          '200': {
            content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } },
          },
          '400': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } },
          '500': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } },
        },
      },
    },
  },
  components: {
    schemas: {
      ProblemDto: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail', 'instance', 'requestId'],
        properties: {
          type: { type: 'string' },
          title: { type: 'string' },
          status: { type: 'number' },
          detail: { type: 'string' },
          instance: { type: 'string' },
          requestId: { type: 'string' },
        },
      },
      IdListDto: {
        type: 'object',
        required: ['ids'],
        properties: {
          ids: {
            type: 'array',
            items: { type: 'string', pattern: ID_PATTERN, maxLength: 64 },
            minItems: 1,
            maxItems: 50,
            uniqueItems: true,
          },
        },
      },
    },
  },
};
const [operation] = operationsOf(document);
const checker = new ResponseChecker(document);
const problemTypes = documentedProblemTypes();

function problem(status: number, type: string, requestId = 'r-1'): [number, Headers, string] {
  const body = { type: `https://bff.example.com/problems/${type}`, title: 't', status, detail: 'd', instance: '/items/x', requestId };
  return [status, new Headers({ 'content-type': 'application/problem+json; charset=utf-8', 'x-request-id': 'r-1' }), JSON.stringify(body)];
}

describe('answerViolations', () => {
  it('accepts a documented success and a documented problem', () => {
    expect(
      answerViolations(
        checker,
        operation,
        problemTypes,
        200,
        new Headers({ 'content-type': 'application/json', 'x-request-id': 'r-1' }),
        '{"id":"a"}',
      ),
    ).toEqual([]);
    expect(answerViolations(checker, operation, problemTypes, ...problem(400, 'validation-failed'))).toEqual([]);
  });

  it('refuses any 5xx, even a documented one', () => {
    expect(answerViolations(checker, operation, problemTypes, ...problem(500, 'internal'))).toEqual([
      'a 500: no request may cause a 5xx in a healthy sandbox',
    ]);
  });

  it('refuses an undocumented status, a problem type the docs do not describe, a mismatched request id and a plain JSON error', () => {
    expect(answerViolations(checker, operation, problemTypes, ...problem(404, 'not-found')).join('\n')).toMatch(
      /status 404 is not documented/,
    );
    expect(answerViolations(checker, operation, problemTypes, ...problem(400, 'made-up-problem')).join('\n')).toMatch(
      /problem type .*made-up-problem.* is not one the docs describe/,
    );
    expect(answerViolations(checker, operation, problemTypes, ...problem(400, 'validation-failed', 'other')).join('\n')).toMatch(
      /requestId other differs from X-Request-Id r-1/,
    );
    const plain = answerViolations(
      checker,
      operation,
      problemTypes,
      400,
      new Headers({ 'content-type': 'application/json', 'x-request-id': 'r-1' }),
      '{}',
    );
    expect(plain.join('\n')).toMatch(/not application\/problem\+json/);
  });

  it('refuses an answer without X-Request-Id', () => {
    const [status, headers, text] = problem(400, 'validation-failed');
    headers.delete('x-request-id');
    expect(answerViolations(checker, operation, problemTypes, status, headers, text)).toContain('no X-Request-Id header');
  });
});

describe('schema arbitraries', () => {
  const ids = document.components!.schemas!.IdListDto;

  it('generate values the schema accepts (pattern, bounds, unique items)', () => {
    const validate = (value: unknown): boolean => {
      const list = (value as { ids: string[] }).ids;
      return (
        list.length >= 1 && list.length <= 50 && new Set(list).size === list.length && list.every((id) => new RegExp(ID_PATTERN).test(id))
      );
    };
    fc.assert(
      fc.property(validValue(document, ids), (value) => validate(value)),
      { numRuns: 200 },
    );
  });

  it('generate values the schema refuses, each naming what is wrong', () => {
    const valid = (value: unknown): boolean => {
      const list = (value as { ids?: unknown } | null)?.ids;
      return (
        Array.isArray(list) &&
        list.length >= 1 &&
        list.length <= 50 &&
        new Set(list).size === list.length &&
        list.every((id) => typeof id === 'string' && id.length <= 64 && new RegExp(ID_PATTERN).test(id)) &&
        Object.keys(value as object).length === 1
      );
    };
    fc.assert(
      fc.property(invalidValue(document, ids)!, ({ oddity, value }) => typeof oddity === 'string' && !valid(value)),
      { numRuns: 300 },
    );
  });
});
