import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { MAX_PATH_PARAM_LENGTH, PROBLEM_CONTENT_TYPE } from '../core.constants.js';
import { ProblemDto } from './problem.dto.js';

/** The description of each problem status, shared by the decorator and the document completion step. */
export const PROBLEM_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request: malformed JSON or a validation failure listing each field.',
  401: 'Missing or invalid credentials.',
  403: 'Not allowed: a missing scope, a missing X-CSRF header (session apps) or a refused access decision.',
  404: 'The requested resource does not exist.',
  408: 'The request headers or body did not arrive in time; the connection is closed.',
  413: 'The request body exceeds the configured limit.',
  414: `A path parameter is longer than the router accepts (${MAX_PATH_PARAM_LENGTH} characters).`,
  415: 'Unsupported Content-Type.',
  422: 'Well-formed but refused (e.g. an unknown product, or an Idempotency-Key reused with another body); the detail says why.',
  429: 'Rate limit exceeded; see Retry-After.',
  431: 'The request headers exceed the size limit (16 KB); the connection is closed.',
  500: 'Unexpected error; the body carries only the request id to quote.',
  502: 'An upstream service answered with an error or an invalid body.',
  503: 'An upstream service is unavailable (circuit open, overloaded or refusing connections); see Retry-After.',
  504: 'An upstream service did not answer within the time budget.',
};

/** Documents problem+json answers for the given statuses (400 and 500 are always included). */
export function ApiProblemResponses(...statuses: number[]): MethodDecorator & ClassDecorator {
  const all = [...new Set([400, 500, ...statuses])].sort((a, b) => a - b);
  return applyDecorators(
    ApiExtraModels(ProblemDto),
    ...all.map((status) =>
      ApiResponse({
        status,
        description: PROBLEM_DESCRIPTIONS[status] ?? STATUS_CODES[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
}
