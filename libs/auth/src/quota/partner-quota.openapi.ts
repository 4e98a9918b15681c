import type { OpenAPIObject } from '@nestjs/swagger';

import { addProblemResponse, operationsOf } from '@bff/core';

import { API_KEY_STRATEGY } from '../auth.constants.js';

const QUOTA_429 =
  'Rate limit exceeded (`rate-limited`), or the partner daily quota is used up (`quota-exceeded`, "daily" in RateLimit-Policy: ' +
  'requests per partner per UTC day); see Retry-After (for the quota: seconds until the next UTC midnight).';

/**
 * Partner routes (`api-key`) also count against the daily quota when one applies: their 429 says
 * so, and their RateLimit-Policy / RateLimit headers may list a second item, `"daily"`, after the
 * request budget's (IETF structured-field lists).
 */
export function documentPartnerQuota(document: OpenAPIObject): void {
  for (const { operation } of operationsOf(document)) {
    if (!operation.security?.some((requirement) => API_KEY_STRATEGY in requirement)) continue;
    addProblemResponse(operation, 429).description = QUOTA_429;
    for (const response of Object.values(operation.responses)) {
      if ('$ref' in response) continue;
      response.headers ??= {};
      response.headers['RateLimit-Policy'] = {
        description:
          'The request budget, then the daily quota when one applies: `"<name>";q=<requests>;w=<window seconds>`, ' +
          'e.g. `"default";q=600;w=60, "daily";q=10000;w=86400`.',
        schema: { type: 'string', pattern: '^"[^"]+";q=\\d+;w=\\d+(, "[^"]+";q=\\d+;w=\\d+)*$' },
      };
      response.headers.RateLimit = {
        description:
          'What is left of each: `"<name>";r=<remaining>;t=<seconds until reset>`, e.g. `"default";r=599;t=60, "daily";r=9999;t=3600` ' +
          '(the daily quota resets at the next UTC midnight).',
        schema: { type: 'string', pattern: '^"[^"]+";r=\\d+;t=\\d+(, "[^"]+";r=\\d+;t=\\d+)*$' },
      };
    }
  }
}
