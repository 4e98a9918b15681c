import { Pool, type Dispatcher } from 'undici';

import type {
  StreamedTransportResponse,
  StreamTransportRequest,
  TransportRequest,
  TransportResponse,
  UpstreamTransport,
} from '../upstream.types.js';
import { bodyTooLarge, transportFailure } from './transport-errors.js';

export interface UndiciTransportOptions {
  readonly connections: number;
}

/** The default transport: one keep-alive undici Pool per upstream origin. */
export class UndiciTransport implements UpstreamTransport {
  private readonly pool: Pool;

  constructor(
    private readonly upstream: string,
    origin: string,
    options: UndiciTransportOptions,
  ) {
    this.pool = new Pool(origin, {
      connections: options.connections,
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // Timeouts are ours (per-call signal bounded by the deadline), not undici's defaults.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
    } catch (error) {
      throw transportFailure(this.upstream, request, error);
    }
    const body = await this.readBody(response, request);
    return { status: response.statusCode, headers: response.headers, body };
  }

  async stream(request: StreamTransportRequest): Promise<StreamedTransportResponse> {
    let response: Dispatcher.ResponseData;
    try {
      response = await this.pool.request({
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body,
        signal: request.signal,
      });
    } catch (error) {
      throw transportFailure(this.upstream, request, error);
    }
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async readBody(response: Dispatcher.ResponseData, request: TransportRequest): Promise<string> {
    const length = response.headers['content-length'];
    const declared = Number(length);
    if (Number.isFinite(declared) && declared > request.maxBodyBytes) {
      response.body.destroy();
      throw bodyTooLarge(this.upstream, request);
    }
    if (typeof length === 'string' && length !== '' && Number.isFinite(declared)) {
      // Framed by its Content-Length (within the limit, checked above): undici cannot deliver more,
      // so the body is read in one go rather than chunk by chunk through an async iterator.
      try {
        return await response.body.text();
      } catch (error) {
        throw transportFailure(this.upstream, request, error);
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > request.maxBodyBytes) {
          response.body.destroy();
          throw bodyTooLarge(this.upstream, request);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      throw transportFailure(this.upstream, request, error);
    }
    if (chunks.length === 0) return '';
    return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  }
}
