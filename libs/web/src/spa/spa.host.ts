import { existsSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';

import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';

import { SpaEnv } from '../web.env.js';
import { cacheControlFor, isClientRoute, SPA_DOCUMENT_HEADERS, spaContentSecurityPolicy } from './spa-policy.js';

const INDEX = 'index.html';

/**
 * Serves the built SPA at the same origin as the API (when SPA_DIR is set): each built file at its
 * path (hashed assets cached for a year, everything else revalidated), index.html at `/` and for
 * client-side routes, with a CSP fit for the app. Files are listed once at boot (a build is
 * immutable), so nothing outside the folder is reachable. Unmatched API and auth paths keep the
 * platform's 404 problem.
 */
@Injectable()
export class SpaHost implements OnModuleInit {
  private readonly logger = new Logger('Spa');

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly env: SpaEnv,
  ) {}

  onModuleInit(): void {
    if (!this.env.SPA_DIR) return;
    const root = resolve(this.env.SPA_DIR);
    if (!existsSync(root) || !statSync(root).isDirectory() || !existsSync(resolve(root, INDEX))) {
      throw new Error(`SPA_DIR '${this.env.SPA_DIR}' is not a folder holding ${INDEX} (build the front end first)`);
    }
    const csp = spaContentSecurityPolicy(this.env.SPA_IMG_ORIGINS);
    // Replies carrying an HTML file (200 or 304): they get the SPA's document policy.
    const documents = new WeakSet<FastifyReply>();
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Encapsulated: its onSend hook (after core's, which gives HTML the generic document policy) applies to these routes only.
    void fastify.register(async (spa) => {
      // Loaded only when a front end is served.
      const { default: fastifyStatic } = await import('@fastify/static');
      await spa.register(fastifyStatic, {
        root,
        prefix: '/',
        wildcard: false,
        index: [INDEX],
        cacheControl: false,
        dotfiles: 'deny',
        serveDotFiles: false,
        setHeaders: (reply: FastifyReply, path: string) => {
          if (path.endsWith('.html')) documents.add(reply);
          void reply.header('cache-control', cacheControlFor(relative(root, path).split(sep).join('/')));
        },
      });
      spa.addHook('onSend', (_request, reply, payload, done) => {
        if (documents.has(reply)) {
          void reply.header('content-security-policy', csp);
          for (const name in SPA_DOCUMENT_HEADERS) void reply.header(name, SPA_DOCUMENT_HEADERS[name]);
        }
        done(null, payload);
      });
      spa.route({
        method: ['GET', 'HEAD'],
        url: '/*',
        handler: (request, reply) => {
          if (!isClientRoute(request.method, request.url, request.headers.accept)) return reply.callNotFound();
          return reply.sendFile(INDEX);
        },
      });
    });
    this.logger.log(`serving the SPA from ${root}`);
  }
}
