/** Header carrying the correlation id, inbound and outbound. */
export const REQUEST_ID_HEADER = 'x-request-id';
/** Media type of every error body (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Base URI for the `type` member of problem documents emitted by the platform. */
export const PROBLEM_TYPE_BASE = 'https://bff.example.com/problems/';
/** Longest path parameter the router accepts (Fastify's `maxParamLength`); a longer one is a 414 problem. */
export const MAX_PATH_PARAM_LENGTH = 100;
