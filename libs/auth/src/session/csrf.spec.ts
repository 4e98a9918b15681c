import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';

import { Protected, Public } from '@bff/core';

import { httpContext } from '../__tests__/http-context.js';
import { CsrfGuard } from './csrf.guard.js';
import { assertCsrf } from './csrf.js';
import type { SessionConfig } from './session.config.js';

const allowed = new Set(['https://shop.example.com', 'https://bff.example.com']);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('assertCsrf', () => {
  it('needs exactly X-CSRF: 1', () => {
    expect(codeOf(() => assertCsrf({ 'x-csrf': '1' }, allowed))).toBeUndefined();
    expect(codeOf(() => assertCsrf({}, allowed))).toBe('CSRF_HEADER_REQUIRED');
    expect(codeOf(() => assertCsrf({ 'x-csrf': 'true' }, allowed))).toBe('CSRF_HEADER_REQUIRED');
    expect(codeOf(() => assertCsrf({ 'x-csrf': ['1', '1'] }, allowed))).toBe('CSRF_HEADER_REQUIRED');
  });

  it('refuses a stated Origin outside the allowlist, including "null"', () => {
    expect(codeOf(() => assertCsrf({ 'x-csrf': '1', origin: 'https://shop.example.com' }, allowed))).toBeUndefined();
    expect(codeOf(() => assertCsrf({ 'x-csrf': '1', origin: 'https://evil.example.net' }, allowed))).toBe('CSRF_ORIGIN_REFUSED');
    expect(codeOf(() => assertCsrf({ 'x-csrf': '1', origin: 'null' }, allowed))).toBe('CSRF_ORIGIN_REFUSED');
  });
});

describe('CsrfGuard', () => {
  class Routes {
    @Public('test')
    open(): void {}
    @Protected('session')
    mine(): void {}
    @Protected('api-key', ['cache:admin'])
    operator(): void {}
  }
  const guard = new CsrfGuard({ allowedOrigins: allowed } as unknown as SessionConfig, new Reflector());
  /** The execution context Nest's router builds for a request to the route (request, reply, class, method). */
  const context = (method: string, handler: keyof Routes, headers: Record<string, string> = {}): ExecutionContext => {
    return httpContext({ method, headers }, {}, Routes, Routes.prototype[handler]);
  };

  it('lets safe methods through (session routes are checked by the authenticator)', () => {
    expect(guard.canActivate(context('GET', 'open'))).toBe(true);
    expect(guard.canActivate(context('HEAD', 'mine'))).toBe(true);
  });

  it('checks state-changing requests on public and session routes', () => {
    expect(codeOf(() => guard.canActivate(context('POST', 'open')))).toBe('CSRF_HEADER_REQUIRED');
    expect(codeOf(() => guard.canActivate(context('DELETE', 'mine')))).toBe('CSRF_HEADER_REQUIRED');
    expect(guard.canActivate(context('POST', 'open', { 'x-csrf': '1' }))).toBe(true);
  });

  it('leaves routes of non-cookie strategies alone', () => {
    expect(guard.canActivate(context('POST', 'operator'))).toBe(true);
  });
});
