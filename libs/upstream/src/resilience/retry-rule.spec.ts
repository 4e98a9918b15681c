import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';

import { UpstreamClient } from '../upstream.client.js';
import { UpstreamError } from '../upstream.error.js';
import type { TransportRequest, TransportResponse, UpstreamMethod, UpstreamTransport } from '../upstream.types.js';

/** What the fake upstream does with every attempt. */
type Behaviour = 'unavailable' | 'reset' | 'hang';

/** A transport that records every attempt and fails it the chosen way (503, connection reset, or no answer). */
class RecordingTransport implements UpstreamTransport {
  readonly attempts: TransportRequest[] = [];

  constructor(private readonly behaviour: Behaviour) {}

  send(request: TransportRequest): Promise<TransportResponse> {
    this.attempts.push(request);
    const failure = { upstream: 'orders', method: request.method, path: request.path };
    switch (this.behaviour) {
      case 'unavailable':
        return Promise.resolve({ status: 503, headers: {}, body: '' });
      case 'reset':
        return Promise.reject(new UpstreamError({ ...failure, failure: 'connection_reset' }));
      case 'hang':
        // The answer never comes: only the attempt's timeout ends it, as with a commit whose response is lost.
        return new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(new UpstreamError({ ...failure, failure: 'aborted' })), { once: true });
        });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const MAX_ATTEMPTS = 3;

function clientOn(transport: RecordingTransport): UpstreamClient {
  return new UpstreamClient(
    { name: 'orders', timeoutMs: 30, retry: { maxAttempts: MAX_ATTEMPTS, initialDelayMs: 1, maxDelayMs: 2 }, breaker: false },
    'http://orders.internal',
    { transport },
  );
}

async function attemptsOf(
  behaviour: Behaviour,
  method: UpstreamMethod,
  idempotencyKey?: string,
): Promise<{ attempts: TransportRequest[]; error: unknown }> {
  const transport = new RecordingTransport(behaviour);
  const error = await clientOn(transport)
    .request({ method, path: '/orders', body: { items: [] }, idempotencyKey })
    .then(
      () => undefined,
      (failure: unknown) => failure,
    );
  return { attempts: transport.attempts, error };
}

describe('retry rule: a non-idempotent call is retried only with its Idempotency-Key', () => {
  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  it.each<[Behaviour, string]>([
    ['unavailable', 'http_status'],
    ['reset', 'connection_reset'],
    ['hang', 'timeout'],
  ])('POST without a key: one attempt only when the upstream is %s', async (behaviour, failure) => {
    const { attempts, error } = await attemptsOf(behaviour, 'POST');
    expect(error).toMatchObject({ failure });
    expect(attempts).toHaveLength(1);
    expect(attempts[0]?.headers['idempotency-key']).toBeUndefined();
  });

  it('PATCH without a key: one attempt only', async () => {
    expect((await attemptsOf('unavailable', 'PATCH')).attempts).toHaveLength(1);
  });

  it.each<Behaviour>(['unavailable', 'reset', 'hang'])(
    'POST with a key: retried when the upstream is %s, the same key on every attempt',
    async (behaviour) => {
      const { attempts } = await attemptsOf(behaviour, 'POST', 'order-7f3c9a1e');
      expect(attempts).toHaveLength(MAX_ATTEMPTS);
      expect(attempts.map((attempt) => attempt.headers['idempotency-key'])).toEqual(Array(MAX_ATTEMPTS).fill('order-7f3c9a1e'));
      // The same request body on every attempt too: the upstream recognises the replay.
      expect(new Set(attempts.map((attempt) => attempt.body)).size).toBe(1);
    },
  );

  it.each<UpstreamMethod>(['GET', 'PUT', 'DELETE'])('%s (idempotent by definition) is retried without a key', async (method) => {
    expect((await attemptsOf('unavailable', method)).attempts).toHaveLength(MAX_ATTEMPTS);
  });
});
