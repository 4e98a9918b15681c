import type { OpenAPIObject } from '@nestjs/swagger';

import { addHeader, addProblemResponse, operationsOf } from '@bff/core';

import { LOGIN_RATE_LIMIT_EXTENSION } from './rate-limit.constants.js';

/** Load-balancer probes, which RateLimitGuard never limits. */
const UNLIMITED_PATH = /^\/health\//;

const LOGIN_LIMIT_DESCRIPTION =
  'Rate limit exceeded; see Retry-After. Besides the general budget, this route has the sign-in budget of its own ' +
  '("login" in RateLimit-Policy): at most AUTH_LOGIN_RATE_LIMIT requests per client IP per AUTH_LOGIN_RATE_WINDOW_MS ' +
  '(default 20 per minute).';

/**
 * RateLimitGuard runs on every route but the probes: each may answer 429 (with Retry-After), and
 * every answer the guard reached carries the IETF RateLimit-Policy / RateLimit headers (not those
 * refused earlier, e.g. by authentication). `@LoginRateLimit()` routes say so in their 429.
 */
export function documentRateLimits(document: OpenAPIObject): void {
  for (const { path, operation } of operationsOf(document)) {
    if (UNLIMITED_PATH.test(path)) continue;
    if (operation[LOGIN_RATE_LIMIT_EXTENSION] === true) {
      delete operation[LOGIN_RATE_LIMIT_EXTENSION];
      addProblemResponse(operation, 429, LOGIN_LIMIT_DESCRIPTION);
    }
    addProblemResponse(operation, 429);
    for (const response of Object.values(operation.responses)) {
      addHeader(response, 'RateLimit-Policy', {
        description: 'The request budget: `"<name>";q=<requests>;w=<window seconds>`.',
        schema: { type: 'string', pattern: '^"[^"]+";q=\\d+;w=\\d+$' },
      });
      addHeader(response, 'RateLimit', {
        description: 'What is left of the budget: `"<name>";r=<remaining>;t=<seconds until reset>`.',
        schema: { type: 'string', pattern: '^"[^"]+";r=\\d+;t=\\d+$' },
      });
    }
  }
}
