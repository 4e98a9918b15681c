import { applyDecorators, SetMetadata } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension } from '@nestjs/swagger';

import { Protected, Public } from '@bff/core';

import {
  FORM_BODY_LIMIT_BYTES,
  FORM_BODY_ROUTE,
  SERVER_TO_SERVER,
  SESSION_ADMIN_SCOPE,
  SESSION_ADMIN_STRATEGY,
  SESSION_STRATEGY,
} from './session.constants.js';

/**
 * Requires a signed-in browser session holding every scope listed (and, like every session route,
 * the X-CSRF header). Same as `@Protected('session', scopes)`.
 */
export const SessionProtected = (scopes: readonly string[] = []): MethodDecorator & ClassDecorator => Protected(SESSION_STRATEGY, scopes);

/**
 * A public route called by another server, never by a browser (e.g. the identity provider's
 * back-channel logout). It reads no browser credential (no session cookie), so a cross-site
 * request forged through a browser gains nothing: the CSRF guard does not ask it for X-CSRF, and
 * its OpenAPI operation is marked `x-server-to-server`. What authorizes the call (a signed token in
 * the body) is the handler's job; `reason` says what it is.
 */
export const PublicServerToServer = (reason: string): MethodDecorator =>
  applyDecorators(
    Public(`Server to server, no browser credentials: ${reason}`),
    SetMetadata(SERVER_TO_SERVER, true),
    ApiExtension('x-server-to-server', true),
  );

/**
 * Lets the route take an `application/x-www-form-urlencoded` body (at most 16 KiB), parsed into an
 * object of strings; every other route answers such a body with 415. Needs SessionAuthModule.
 */
export const AcceptsFormBody = (): MethodDecorator =>
  applyDecorators(RouteConfig({ [FORM_BODY_ROUTE]: true, parserBodyLimit: FORM_BODY_LIMIT_BYTES }));

/**
 * The platform team's session admin routes: a bearer access token of the session provider with
 * `aud` SESSION_ADMIN_AUDIENCE and the scope `sessions:admin`. Without SESSION_ADMIN_AUDIENCE the
 * routes answer 404. Same as `@Protected('session-admin', ['sessions:admin'])`.
 */
export const SessionAdminProtected = (): MethodDecorator & ClassDecorator => Protected(SESSION_ADMIN_STRATEGY, [SESSION_ADMIN_SCOPE]);
