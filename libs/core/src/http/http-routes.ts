import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A route as Nest registered it with Fastify (one per method and path; Fastify's automatic HEAD routes included). */
export interface HttpRoute {
  /** Upper-case HTTP method, e.g. 'GET'. */
  readonly method: string;
  /** The route pattern, as `request.routeOptions.url` reports it, e.g. '/api/v1/pages/product/:id'. */
  readonly url: string;
  /**
   * Nest's handler for the route, named `<Controller>.<method>` by Nest. It is not the controller
   * method: Nest copies the method's metadata onto it, except for routes with path parameters,
   * whose handler is Nest's wrapper answering 404 to empty parameters.
   */
  readonly handler: object;
}

/**
 * Answers a request before the Nest pipeline (guards, interceptors, pipes, handler) runs. It is
 * called in the preHandler phase, inside the request context: the route is matched, every onRequest
 * hook has run (request id, security headers, CORS), and the response hooks (access log, onSend)
 * still apply to whatever it sends.
 *
 * - `false`: not answered; the request continues to Nest exactly as if there were no shortcut.
 * - `true`: answered (the shortcut sent the reply).
 * - a promise: answering; a rejection is answered by the platform's problem+json filter, as a
 *   failure in the Nest pipeline would be.
 */
export type RouteShortcut = (request: FastifyRequest, reply: FastifyReply) => boolean | Promise<void>;

/** What core keeps per route; stored in the Fastify route config under ROUTE_ENTRY. */
export interface RouteEntry extends HttpRoute {
  shortcut: RouteShortcut | undefined;
}

/** Key of the RouteEntry in each Fastify route's config (see installRequestHooks). */
export const ROUTE_ENTRY: unique symbol = Symbol('bff:route-entry');

/** The route entry of the matched route of a request, if Nest registered one. */
export function routeEntryOf(request: FastifyRequest): RouteEntry | undefined {
  return (request.routeOptions.config as { [ROUTE_ENTRY]?: RouteEntry } | undefined)?.[ROUTE_ENTRY];
}

/**
 * The app's routes as they are registered with Fastify, for libs that attach per-route behaviour
 * without adding a hook to every request. Core's `onRoute` hook records them while `app.init()`
 * registers the router, which Nest does before it calls `onModuleInit`: the list is complete there.
 */
@Injectable()
export class HttpRoutes {
  private readonly entries: RouteEntry[] = [];

  /** Called by core's onRoute hook for every route Fastify registers. */
  record(route: HttpRoute): RouteEntry {
    const entry: RouteEntry = { method: route.method, url: route.url, handler: route.handler, shortcut: undefined };
    this.entries.push(entry);
    return entry;
  }

  /** Every route registered so far. */
  list(): readonly HttpRoute[] {
    return this.entries;
  }

  /** Installs the shortcut of a route (at most one per route; see RouteShortcut). */
  setShortcut(route: HttpRoute, shortcut: RouteShortcut): void {
    const entry = this.entries.find((e) => e === route);
    if (!entry) throw new Error(`HttpRoutes.setShortcut: ${route.method} ${route.url} is not a registered route`);
    if (entry.shortcut) throw new Error(`HttpRoutes.setShortcut: ${route.method} ${route.url} already has a shortcut`);
    entry.shortcut = shortcut;
  }
}
