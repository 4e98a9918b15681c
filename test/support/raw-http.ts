import { connect, type Socket } from 'node:net';

import { expect } from 'vitest';

import { API_SECURITY_HEADERS } from './headers.js';

/** One HTTP/1.1 response as read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  /** Lowercased names; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A client connection driven byte by byte, for what fetch cannot send (malformed requests, slow bodies). */
export interface RawConnection {
  readonly socket: Socket;
  write(data: string | Buffer): void;
  /** Everything received so far. */
  received(): string;
  /** Resolves once the server has closed the connection (or it was reset), with the ms it took from `open`. */
  readonly closed: Promise<number>;
  /** The first complete response (by Content-Length), or rejects after `timeoutMs`. */
  response(timeoutMs?: number): Promise<RawResponse>;
  destroy(): void;
}

export function openRaw(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const openedAt = performance.now();
    const socket = connect(Number(port), hostname);
    let data = Buffer.alloc(0);
    const waiters = new Set<() => void>();
    const closed = new Promise<number>((done) => socket.once('close', () => done(performance.now() - openedAt)));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      for (const wake of waiters) wake();
    });
    // A reset after the answer is a normal way for a refusing server to hang up.
    socket.on('error', () => undefined);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({
        socket,
        write: (chunk) => void socket.write(chunk),
        received: () => data.toString('latin1'),
        closed,
        destroy: () => socket.destroy(),
        response: (timeoutMs = 5_000) =>
          new Promise<RawResponse>((done, fail) => {
            const check = () => {
              const parsed = parseResponse(data);
              if (!parsed) return;
              cleanup();
              done(parsed);
            };
            const timer = setTimeout(() => {
              cleanup();
              fail(new Error(`no complete response within ${timeoutMs} ms; received: ${JSON.stringify(data.toString('latin1'))}`));
            }, timeoutMs);
            const cleanup = () => {
              clearTimeout(timer);
              waiters.delete(check);
            };
            waiters.add(check);
            void closed.then(check);
            check();
          }),
      });
    });
    socket.once('error', reject);
  });
}

/** Sends `request` on a new connection and reads the first response. */
export async function rawRequest(url: string, request: string | Buffer): Promise<RawResponse & { closed: Promise<number> }> {
  const connection = await openRaw(url);
  connection.write(request);
  try {
    return { ...(await connection.response()), closed: connection.closed };
  } catch (error) {
    connection.destroy();
    throw error;
  }
}

function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const length = Number(headers['content-length'] ?? 0);
  if (data.length < end + 4 + length) return undefined;
  return {
    status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')?.[1]),
    headers,
    body: data.subarray(end + 4, end + 4 + length).toString('utf8'),
  };
}

/**
 * Asserts a problem answer as the platform writes it (on a route or straight on the socket): RFC 9457
 * body carrying the request id of the X-Request-Id header, `Cache-Control: no-store`, the API security
 * headers. Returns the body.
 */
export function expectEdgeProblem(res: RawResponse, status: number, type: string): Record<string, unknown> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['cache-control']).toBe('no-store');
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) expect(res.headers[name], name).toBe(value);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(body).toMatchObject({ status, type: `https://bff.example.com/problems/${type}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(typeof body.instance).toBe('string');
  expect(res.headers['x-request-id']).toMatch(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/);
  expect(body.requestId).toBe(res.headers['x-request-id']);
  return body;
}
