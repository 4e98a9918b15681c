import type { OpenAPIObject } from '@nestjs/swagger';

import { addHeader, addProblemResponse, operationsOf } from '@bff/core';

/** Load-balancer probes, which RateLimitGuard never limits. */
const UNLIMITED_PATH = /^\/health\//;

/**
 * RateLimitGuard runs on every route but the probes: each may answer 429 (with Retry-After), and
 * every answer the guard reached carries the IETF RateLimit-Policy / RateLimit headers (not those
 * refused earlier, e.g. by authentication).
 */
export function documentRateLimits(document: OpenAPIObject): void {
  for (const { path, operation } of operationsOf(document)) {
    if (UNLIMITED_PATH.test(path)) continue;
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
