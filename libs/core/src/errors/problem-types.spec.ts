import { HttpException, type ArgumentsHost } from '@nestjs/common';
import { describe, expect, it } from 'vitest';

import { DEFAULT_PROBLEM_TYPE_BASE, problemTypeBase } from '../core.constants.js';
import { ERROR_KINDS } from './platform-error.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { isProblemCode, PROBLEM_TYPES, problemSlug, type ProblemCode } from './problem-types.js';
import { problemType } from './problem.js';

const codes = Object.keys(PROBLEM_TYPES) as ProblemCode[];

function answer(exception: unknown): { status?: number; body: Record<string, unknown> } {
  let status: number | undefined;
  let body = '{}';
  const reply = {
    sent: false,
    status: (code: number) => ((status = code), reply),
    header: () => reply,
    send: (text: string) => ((body = text), reply),
  };
  const request = { id: 'req-1', url: '/x', method: 'GET', headers: {}, routeOptions: {}, raw: { destroyed: false } };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return { status, body: JSON.parse(body) as Record<string, unknown> };
}

describe('PROBLEM_TYPES (the catalogue behind every problem type URI)', () => {
  it('gives each code a unique kebab-case slug, an error status, a title, a meaning and an action', () => {
    const slugs = codes.map(problemSlug);
    expect(new Set(slugs).size).toBe(codes.length);
    for (const code of codes) {
      const info = PROBLEM_TYPES[code];
      expect(problemSlug(code), code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(info.status, code).toBeGreaterThanOrEqual(400);
      expect(info.status, code).toBeLessThan(600);
      for (const text of [info.title, info.meaning, info.action]) expect(text.trim().length, code).toBeGreaterThan(2);
    }
  });

  it('lists a status every error kind maps to', () => {
    const statuses = new Set(codes.map((code) => PROBLEM_TYPES[code].status));
    for (const kind of Object.values(ERROR_KINDS)) expect(statuses.has(kind.status), kind.title).toBe(true);
  });

  it('builds the type URI from the base and the slug', () => {
    expect(problemType('UPSTREAM_TIMEOUT')).toBe(`${DEFAULT_PROBLEM_TYPE_BASE}upstream-timeout`);
    expect(isProblemCode('UPSTREAM_TIMEOUT')).toBe(true);
    expect(isProblemCode('TEST_MADE_UP')).toBe(false);
    expect(isProblemCode('toString')).toBe(false);
  });

  it('types framework HTTP errors by status phrase when listed, else as http-error, keeping the status', () => {
    expect(answer(new HttpException('gone', 410))).toMatchObject({ status: 410, body: { type: `${DEFAULT_PROBLEM_TYPE_BASE}gone` } });
    expect(answer(new HttpException('teapot', 418))).toMatchObject({
      status: 418,
      body: { type: `${DEFAULT_PROBLEM_TYPE_BASE}http-error`, status: 418, title: "I'm a Teapot" },
    });
    expect(answer(new HttpException('not here', 501))).toMatchObject({
      status: 501,
      body: { type: `${DEFAULT_PROBLEM_TYPE_BASE}not-implemented` },
    });
  });
});

describe('PROBLEM_TYPE_BASE', () => {
  it('defaults to the historical base and normalises a configured one to end in a slash', () => {
    expect(problemTypeBase(undefined)).toBe('https://bff.example.com/problems/');
    expect(problemTypeBase('  ')).toBe(DEFAULT_PROBLEM_TYPE_BASE);
    expect(problemTypeBase('https://docs.example.com/bff/problems')).toBe('https://docs.example.com/bff/problems/');
    expect(problemTypeBase('http://localhost:3010/problems/')).toBe('http://localhost:3010/problems/');
  });

  it('refuses what cannot be a base for type URIs', () => {
    for (const bad of ['/problems/', 'ftp://x/problems/', 'https://x/problems/?a=1', 'https://x/problems/#top', 'not a url']) {
      expect(() => problemTypeBase(bad), bad).toThrow(/PROBLEM_TYPE_BASE must be an absolute http\(s\) URL/);
    }
  });
});
