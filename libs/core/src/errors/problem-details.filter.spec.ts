import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { describe, expect, it } from 'vitest';

import { PlatformError } from './platform-error.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';

/** A minimal Fastify reply double that records what the filter sends. */
function hostFor(url = '/api/v1/things/1', raw: { destroyed: boolean } = { destroyed: false }) {
  const sent: { status?: number; headers: Record<string, string>; body?: string } = { headers: {} };
  const reply = {
    sent: false,
    status(code: number) {
      sent.status = code;
      return reply;
    },
    header(name: string, value: string) {
      sent.headers[name] = value;
      return reply;
    },
    send(body: string) {
      sent.body = body;
      return reply;
    },
  };
  const request = { id: 'req-1', url: `${url}?secret=1`, method: 'GET', headers: {}, routeOptions: {}, raw };
  const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ArgumentsHost;
  return { host, sent };
}

describe('ProblemDetailsFilter', () => {
  const filter = new ProblemDetailsFilter();

  it('answers anything unexpected with a generic 500: no stack, no internal message', () => {
    const { host, sent } = hostFor();
    filter.catch(new Error('connect ECONNREFUSED http://inventory.internal:8080/stock at Pool.request'), host);
    expect(sent.status).toBe(500);
    expect(sent.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = JSON.parse(sent.body!) as Record<string, unknown>;
    expect(body).toEqual({
      type: 'https://bff.example.com/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      instance: '/api/v1/things/1',
      requestId: 'req-1',
    });
    expect(sent.body).not.toMatch(/ECONNREFUSED|inventory|Pool/);
  });

  it('answers a thrown non-Error value the same way', () => {
    const { host, sent } = hostFor();
    filter.catch('boom', host);
    expect(sent.status).toBe(500);
  });

  it('uses the public detail of coded errors and sets Retry-After', () => {
    const { host, sent } = hostFor();
    filter.catch(
      new PlatformError('unavailable', 'UPSTREAM_CIRCUIT_OPEN', 'catalog circuit open at http://catalog:1', {
        publicDetail: 'Try later.',
        retryAfterSeconds: 7,
      }),
      host,
    );
    expect(sent.status).toBe(503);
    expect(sent.headers['retry-after']).toBe('7');
    expect(JSON.parse(sent.body!)).toMatchObject({ type: 'https://bff.example.com/problems/upstream-circuit-open', detail: 'Try later.' });
    expect(sent.body).not.toContain('catalog:1');
  });

  it('keeps the message of Nest client errors', () => {
    const { host, sent } = hostFor();
    filter.catch(new BadRequestException('limit is too large'), host);
    expect(sent.status).toBe(400);
    expect(JSON.parse(sent.body!)).toMatchObject({ type: 'https://bff.example.com/problems/bad-request', detail: 'limit is too large' });
  });

  it('sends nothing when reading the request failed because its connection is gone', () => {
    const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
    const gone = hostFor('/api/v1/things/1', { destroyed: true });
    filter.catch(aborted, gone.host);
    expect(gone.sent).toEqual({ headers: {} });
    // The same error on a live connection is still a fault, answered with a 500.
    const live = hostFor();
    filter.catch(aborted, live.host);
    expect(live.sent.status).toBe(500);
  });
});
