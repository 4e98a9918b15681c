import { STATUS_CODES } from 'node:http';

import type { FastifyReply } from 'fastify';

import type { Problem } from '../types.ts';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';
export const PROBLEM_TYPE_BASE = 'https://sandbox.bff.local/problems/';

const DEFAULT_SLUGS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'too-many-requests',
  500: 'internal-error',
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'gateway-timeout',
};

export function statusTitle(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** An error that the service error handler renders as `application/problem+json`. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Extra members of the problem document (e.g. which product of an order is unknown). */
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    detail: string,
    slug?: string,
    headers: Record<string, string> = {},
    extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
    this.status = status;
    this.slug = slug ?? DEFAULT_SLUGS[status] ?? 'error';
    this.headers = headers;
    this.extensions = extensions;
  }
}

export const badRequest = (detail: string): HttpProblem => new HttpProblem(400, detail);
export const notFound = (detail: string): HttpProblem => new HttpProblem(404, detail);

export function problemBody(
  status: number,
  detail: string,
  slug?: string,
  instance?: string,
  extensions: Readonly<Record<string, unknown>> = {},
): Problem {
  const problem: Problem = {
    ...extensions,
    type: PROBLEM_TYPE_BASE + (slug ?? DEFAULT_SLUGS[status] ?? 'error'),
    title: statusTitle(status),
    status,
    detail,
  };
  if (instance !== undefined) problem.instance = instance;
  return problem;
}

export function sendProblem(
  reply: FastifyReply,
  status: number,
  detail: string,
  slug?: string,
  headers: Record<string, string> = {},
  extensions: Readonly<Record<string, unknown>> = {},
): FastifyReply {
  const path = reply.request.url.split('?', 1)[0];
  reply.code(status).headers(headers).header('cache-control', 'no-store').type(PROBLEM_CONTENT_TYPE);
  return reply.send(JSON.stringify(problemBody(status, detail, slug, path, extensions)));
}
