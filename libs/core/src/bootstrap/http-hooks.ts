import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

import { REQUEST_ID_HEADER } from '../core.constants.js';
import { ProblemDetailsFilter } from '../errors/problem-details.filter.js';
import { ROUTE_ENTRY, routeEntryOf, type HttpRoutes } from '../http/http-routes.js';
import { writeAccessLog } from '../logging/logger.options.js';
import { pickPropagatedHeaders } from '../request-context/propagation.js';
import { RequestContext, type RequestContextData } from '../request-context/request-context.js';

/**
 * Per-request plumbing that must run for every route, including 404s and body-parse failures:
 * echo the request id, write the access log line, and open the request context (ALS)
 * around the handler so libs can read the request id, propagated headers and deadline.
 *
 * It also records every route Nest registers (HttpRoutes) and runs a route's shortcut, when a lib
 * installed one, inside the request context and before the Nest pipeline (see RouteShortcut).
 */
const CONTEXT = Symbol('bff:request-context');
type WithContext = { [CONTEXT]?: RequestContextData };

export function installRequestHooks(fastify: FastifyInstance, deadlineMs: number, logger: Logger, routes: HttpRoutes): void {
  // Errors of a shortcut are answered like errors of the Nest pipeline: by the one problem+json filter.
  const problems = new ProblemDetailsFilter();
  const fail = (request: FastifyRequest, reply: FastifyReply) => (error: unknown) => {
    problems.catch(error, new ExecutionContextHost([request, reply]));
  };

  fastify.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    if (methods.length !== 1) return;
    const entry = routes.record({ method: methods[0].toUpperCase(), url: options.url ?? options.path ?? '', handler: options.handler });
    options.config = { ...options.config, [ROUTE_ENTRY]: entry };
  });
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  fastify.addHook('preHandler', (request, reply, done) => {
    const startedAt = performance.now();
    const ctx: RequestContextData = {
      requestId: request.id,
      startedAt,
      deadline: startedAt + deadlineMs,
      propagated: pickPropagatedHeaders(request.headers),
      inboundHeaders: request.headers,
      slots: new Map(),
      responseHeaders: {},
    };
    (request as WithContext)[CONTEXT] = ctx;
    const shortcut = routeEntryOf(request)?.shortcut;
    if (shortcut === undefined) {
      RequestContext.run(ctx, done);
      return;
    }
    RequestContext.run(ctx, () => {
      let answered: boolean | Promise<void>;
      try {
        answered = shortcut(request, reply);
      } catch (error) {
        fail(request, reply)(error);
        return;
      }
      if (answered === false) done();
      else if (answered !== true) answered.catch(fail(request, reply));
    });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // Nothing to build when the line would be dropped (e.g. LOG_LEVEL=warn and not a 5xx).
    if (!logger.isLevelEnabled(reply.statusCode >= 500 ? 'error' : 'info')) return done();
    writeAccessLog(logger, {
      requestId: request.id,
      method: request.method,
      route: request.routeOptions.url,
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
      headers: request.headers,
    });
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const ctx = (request as WithContext)[CONTEXT];
    if (ctx) for (const name in ctx.responseHeaders) void reply.header(name, ctx.responseHeaders[name]);
    done(null, payload);
  });
}
