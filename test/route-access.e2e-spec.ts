import 'reflect-metadata';

import { RequestMethod, type Type } from '@nestjs/common';
import { MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { controllerPathOf, createPlatformApp, declaredRouteOf, ROUTE_ACCESS, type AppDefinition, type RouteAccess } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import {
  DEFAULT_WEB_REDIRECT_URIS,
  MOBILE_BFF_AUDIENCE,
  startSandbox,
  WEB_BFF_CLIENT_ID,
  WEB_BFF_DEV_SECRET,
  type Sandbox,
} from '../sandbox/src/index.ts';
import { partnerClientEnv } from './support/partner-keys.js';
import { appEnv, upstreamEnvFor } from './support/stack.js';

/**
 * Route-access audit: every route of every app states who may call it. The AccessGuard already
 * refuses undecided routes at runtime (403); this test makes an undecided route fail CI instead,
 * naming it, before anyone ships it.
 */

interface AuditedRoute {
  readonly app: string;
  readonly method: string;
  readonly path: string;
  readonly handler: string;
  readonly access: RouteAccess | undefined;
}

const APPS: readonly { module: Type; definition: AppDefinition }[] = [
  { module: WebBffModule, definition: WEB_BFF },
  { module: MobileBffModule, definition: MOBILE_BFF },
  { module: PartnerBffModule, definition: PARTNER_BFF },
];

/** Served by Fastify plugins outside Nest (no guard applies): Swagger UI and its documents, public by design. */
const OUTSIDE_NEST = /^\/docs(?:-json|-yaml|\/.*)?$/;

const joinPath = (...parts: string[]): string =>
  `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;

/** Every Nest route of the app, with the access decision the AccessGuard will read (handler, else class). */
function nestRoutes(app: NestFastifyApplication, name: string): AuditedRoute[] {
  const scanner = new MetadataScanner();
  const routes: AuditedRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | undefined;
      if (!controller) continue;
      const prefixes = [controllerPathOf(controller) ?? ''].flat();
      for (const methodName of scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, unknown>)[methodName] as object;
        const paths = declaredRouteOf(handler).path;
        if (paths === undefined) continue;
        const method = RequestMethod[declaredRouteOf(handler).method as RequestMethod];
        const access = (Reflect.getMetadata(ROUTE_ACCESS, handler) ?? Reflect.getMetadata(ROUTE_ACCESS, controller)) as
          RouteAccess | undefined;
        for (const prefix of prefixes) {
          for (const path of [paths].flat()) {
            routes.push({ app: name, method, path: joinPath(prefix, path), handler: `${controller.name}.${methodName}`, access });
          }
        }
      }
    }
  }
  return routes;
}

/** `METHOD /prefix/*` as `METHOD *`: Fastify's route tree prints wildcard routes without their prefix. */
const wildcardKey = (route: string): string => (route.endsWith('*') ? `${route.split(' ')[0]} *` : route);

/**
 * Every `METHOD path` Fastify serves, read from its route tree (`printRoutes`): each line is a
 * path segment appended to its parent's, four characters of indentation per level.
 */
function fastifyRoutes(app: NestFastifyApplication): Set<string> {
  const tree = app.getHttpAdapter().getInstance().printRoutes({ commonPrefix: false });
  const routes = new Set<string>();
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^(.*?)[└├]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1].length / 4;
    stack.length = depth;
    // find-my-way prints a wildcard node as a bare `*`, without its parent's path: keyed by wildcardKey below.
    const path = match[2] === '*' ? '*' : `${stack[depth - 1] ?? ''}${match[2]}`;
    stack.push(path);
    for (const method of (match[3] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) {
      routes.add(`${method} ${path.length > 1 ? path.replace(/\/$/, '') : path}`);
    }
  }
  return routes;
}

describe('route-access audit: every route of every app declares @Public or @Protected', () => {
  let sandbox: Sandbox;
  const audited: AuditedRoute[] = [];
  const served = new Map<string, Set<string>>();

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    for (const { module, definition } of APPS) {
      const app = await createPlatformApp(module, definition, {
        env: appEnv({
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          ...upstreamEnvFor(sandbox),
          // Each app reads only its own slice: web-bff the session client, mobile-bff the bearer-JWT settings.
          OIDC_ISSUER_URL: sandbox.idp!.issuer,
          OIDC_CLIENT_ID: WEB_BFF_CLIENT_ID,
          OIDC_CLIENT_SECRET: WEB_BFF_DEV_SECRET,
          OIDC_REDIRECT_URI: DEFAULT_WEB_REDIRECT_URIS[1],
          JWT_ISSUER: sandbox.idp!.issuer,
          JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
          ...partnerClientEnv(sandbox.idp!.issuer),
        }),
      });
      try {
        audited.push(...nestRoutes(app, definition.name));
        served.set(definition.name, fastifyRoutes(app));
      } finally {
        await app.close();
      }
    }
  });
  afterAll(() => sandbox?.close());

  it('found the routes of all three apps (the audit cannot pass vacuously)', () => {
    const byApp = Object.groupBy(audited, (r) => r.app);
    for (const { definition } of APPS) {
      // Each app has at least its health endpoints and two business routes.
      expect(byApp[definition.name]?.length ?? 0, definition.name).toBeGreaterThanOrEqual(4);
    }
    expect(audited.length).toBeGreaterThanOrEqual(12);
    expect(audited.map((r) => `${r.app} ${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'mobile-bff GET /api/v1/products/:id',
        'partner-bff GET /v1/catalog',
        'partner-bff GET /v1/orders',
        'web-bff GET /api/v1/pages/product/:id',
        'web-bff GET /health/live',
      ]),
    );
  });

  it('finds no route without an explicit access decision', () => {
    const undecided = audited.filter((r) => r.access === undefined).map((r) => `${r.app}: ${r.method} ${r.path} (${r.handler})`);
    expect(undecided, `routes without @Public(reason) or @Protected(strategy, scopes):\n  ${undecided.join('\n  ')}`).toEqual([]);
  });

  it('every decision is well formed: public routes say why, protected ones name a strategy', () => {
    const malformed = audited.filter(
      (r) =>
        (r.access?.mode === 'public' && r.access.reason.trim().length < 10) ||
        (r.access?.mode === 'protected' && (!r.access.strategy || !r.access.scopes.every((s) => typeof s === 'string' && s.length > 0))),
    );
    expect(malformed.map((r) => `${r.app}: ${r.method} ${r.path}`)).toEqual([]);
  });

  it('every route Fastify serves is one of those Nest routes, or the public Swagger UI', () => {
    for (const { definition } of APPS) {
      const fastify = served.get(definition.name)!;
      const nest = new Set(audited.filter((r) => r.app === definition.name).map((r) => wildcardKey(`${r.method} ${r.path}`)));
      const outside = [...fastify].filter((route) => !nest.has(route) && !OUTSIDE_NEST.test(route.split(' ')[1]));
      expect(outside, `${definition.name}: routes served outside the access guard`).toEqual([]);
      // And the walk above saw exactly what Fastify serves (same methods, same paths).
      expect(
        [...nest].filter((route) => !fastify.has(route)),
        `${definition.name}: Nest routes Fastify does not serve`,
      ).toEqual([]);
      expect(
        [...fastify].some((route) => OUTSIDE_NEST.test(route.split(' ')[1])),
        `${definition.name}: Swagger UI is served`,
      ).toBe(true);
    }
  });
});
