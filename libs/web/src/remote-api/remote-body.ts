import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

import { PlatformError } from '@bff/core';

import { RemoteApiEnv } from '../web.env.js';
import { REMOTE_API_PREFIX } from './remote-api.constants.js';

/**
 * Takes the raw bytes of a remote API request off the socket, within REMOTE_API_MAX_BODY_BYTES (a
 * declared or streamed body past it is a 413 problem before anything is sent upstream), and keeps
 * them for the forward: the upstream receives exactly what the browser sent, not a re-serialisation.
 * The bytes then go on to the platform's body parser as usual (media type and JSON checks).
 */
@Injectable()
export class RemoteApiBodies implements OnModuleInit {
  private readonly bodies = new WeakMap<IncomingMessage, Buffer>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly env: RemoteApiEnv,
  ) {}

  onModuleInit(): void {
    const limit = this.env.REMOTE_API_MAX_BODY_BYTES;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preParsing', async (request, _reply, payload) => {
      if (!request.url.startsWith(REMOTE_API_PREFIX)) return payload;
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of payload) {
        size += (chunk as Buffer).length;
        if (size > limit) throw tooLarge(limit);
        chunks.push(chunk as Buffer);
      }
      const body = Buffer.concat(chunks, size);
      this.bodies.set(request.raw, body);
      return Readable.from(size === 0 ? [] : [body]);
    });
  }

  /** The request's raw body, if it had one. */
  take(request: IncomingMessage): Buffer | undefined {
    const body = this.bodies.get(request);
    this.bodies.delete(request);
    return body && body.length > 0 ? body : undefined;
  }
}

function tooLarge(limit: number): PlatformError {
  return new PlatformError('payload_too_large', 'PAYLOAD_TOO_LARGE', 'remote API request body over the limit', {
    publicDetail: `The request body exceeds the limit of ${limit} bytes.`,
  });
}
