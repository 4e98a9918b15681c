import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import { expectProblem, startStack, type Stack } from './support/stack.js';
import { WEB_AUTH_OFFLINE_ENV } from './support/web-auth.js';

/** web-bff is rate limited like the other apps: anonymous callers by client address. */
describe('web-bff rate limit', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, {
      ...WEB_AUTH_OFFLINE_ENV,
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
  });
  afterAll(() => stack?.close());

  it('answers 429 problem+json with Retry-After once an anonymous client exceeds its limit', async () => {
    const page = (): Promise<Response> => fetch(`${stack.url}/api/v1/pages/product/p-00001`);
    for (let i = 0; i < 3; i++) expect((await page()).status).toBe(200);
    const limited = await page();
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    await expectProblem(limited, 429, 'rate-limited');
  });
});
