import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';

import { operationsOf, type HeaderSpec } from '../openapi/document-contract.js';

/** What a route or a DTO field due to go announces (see the Deprecated decorator). */
export interface DeprecationOptions {
  /** The day it was deprecated (ISO date, `2026-12-01`): the Deprecation header (RFC 9745). */
  readonly since: string;
  /** The day after which it may be removed (ISO date, `2027-06-30`): the Sunset header (RFC 8594). */
  readonly sunset: string;
  /** What replaces it: a path (`/v2/catalog/lookup`) or an absolute URL; `Link: <…>; rel="successor-version"`. */
  readonly successor?: string;
  /** A page explaining the deprecation and the migration; `Link: <…>; rel="deprecation"` (RFC 9745). */
  readonly docs?: string;
  /** Why, in one sentence; shown in the OpenAPI description. */
  readonly reason?: string;
}

/** A validated deprecation: the header values it sends, computed once at decoration time. */
export interface Deprecation {
  readonly options: DeprecationOptions;
  readonly headers: Readonly<Record<'deprecation' | 'sunset', string>> & { readonly link?: string };
}

/** Fastify route config key (set through Nest's public `@RouteConfig`) the onSend hook reads. */
export const DEPRECATION_ROUTE_CONFIG = 'bffDeprecation';
/** Operation marker translated by documentDeprecations (then removed). */
export const DEPRECATION_OPERATION_EXTENSION = 'x-bff-deprecation';
/** Schema property marker translated by documentDeprecations (then removed). */
export const DEPRECATION_FIELD_EXTENSION = 'x-bff-deprecation';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDay(name: string, value: string): Date {
  const date = new Date(`${value}T00:00:00Z`);
  if (!ISO_DATE.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) {
    throw new Error(`@Deprecated: ${name} must be an ISO date (YYYY-MM-DD), got ${JSON.stringify(value)}`);
  }
  return date;
}

function checkTarget(name: string, value: string | undefined): void {
  if (value === undefined) return;
  // A path as it is sent in a Link target (RFC 3986 path characters: no template braces, spaces or quotes).
  if (/^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(value)) return;
  try {
    const url = new URL(value);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && (url.href === value || url.href === `${value}/`)) return;
  } catch {
    // reported below
  }
  throw new Error(
    `@Deprecated: ${name} must be an absolute path or an http(s) URL, written as sent (no template or spaces), got ${JSON.stringify(value)}`,
  );
}

/**
 * Checks the options (a typo fails the boot, not a partner's client) and computes the headers:
 * `Deprecation: @<unix seconds>` (RFC 9745 structured date), `Sunset: <HTTP-date>` (RFC 8594) and
 * `Link` to the successor and the deprecation page.
 */
export function deprecationOf(options: DeprecationOptions): Deprecation {
  const since = parseDay('since', options.since);
  const sunset = parseDay('sunset', options.sunset);
  if (sunset <= since) throw new Error(`@Deprecated: sunset (${options.sunset}) must come after since (${options.since})`);
  checkTarget('successor', options.successor);
  checkTarget('docs', options.docs);
  const links = [
    ...(options.successor ? [`<${options.successor}>; rel="successor-version"`] : []),
    ...(options.docs ? [`<${options.docs}>; rel="deprecation"; type="text/html"`] : []),
  ];
  return {
    options,
    headers: {
      deprecation: `@${since.getTime() / 1000}`,
      sunset: sunset.toUTCString(),
      ...(links.length ? { link: links.join(', ') } : {}),
    },
  };
}

/** One sentence for the OpenAPI description of a deprecated operation or field. */
export function describeDeprecation({ options }: Deprecation): string {
  const parts = [`Deprecated since ${options.since}; removed after ${options.sunset} (Sunset).`];
  if (options.successor) parts.push(`Use ${options.successor} instead.`);
  if (options.reason) parts.push(options.reason);
  if (options.docs) parts.push(`See ${options.docs}.`);
  return parts.join(' ');
}

/**
 * Sends a deprecated route's headers on every answer it gives (success, problems from guards,
 * validation, body parsing or the handler): the route config travels with the matched route, and
 * onSend runs for every reply Fastify sends for it.
 */
export function installDeprecationHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
    const deprecation = config?.[DEPRECATION_ROUTE_CONFIG] as Deprecation | undefined;
    if (deprecation) for (const [name, value] of Object.entries(deprecation.headers)) void reply.header(name, value);
    done(null, payload);
  });
}

/**
 * Statuses a deprecated route does not answer itself: Node's HTTP parser and the router answer them
 * before any route is matched (bootstrap/edges.ts), so their headers are documented as optional.
 */
const UNROUTED_STATUSES: ReadonlySet<string> = new Set(['400', '408', '414', '431']);

/**
 * OpenAPI side of @Deprecated: a marked operation becomes `deprecated: true`, its description says
 * until when and what replaces it, and every response documents Deprecation, Sunset and Link (run
 * last by completeDocument, so that problem responses added by libs get them too). A marked DTO
 * property becomes `deprecated: true` with its sunset in the description.
 */
export function documentDeprecations(document: OpenAPIObject): void {
  for (const { operation } of operationsOf(document)) {
    const deprecation = operation[DEPRECATION_OPERATION_EXTENSION] as Deprecation | undefined;
    if (!deprecation) continue;
    delete operation[DEPRECATION_OPERATION_EXTENSION];
    const target = operation as typeof operation & { deprecated?: boolean; description?: string };
    target.deprecated = true;
    target.description = [target.description, describeDeprecation(deprecation)].filter(Boolean).join('\n\n');
    for (const [status, response] of Object.entries(operation.responses)) {
      const required = !UNROUTED_STATUSES.has(status);
      response.headers ??= {};
      for (const [name, header] of Object.entries(deprecationHeaderDocs(deprecation, required))) response.headers[name] = header;
    }
  }
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    const properties = (schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {};
    for (const property of Object.values(properties)) {
      const deprecation = property[DEPRECATION_FIELD_EXTENSION] as Deprecation | undefined;
      if (!deprecation) continue;
      delete property[DEPRECATION_FIELD_EXTENSION];
      property.deprecated = true;
      property.description = [property.description, describeDeprecation(deprecation)].filter(Boolean).join(' ');
    }
  }
}

function deprecationHeaderDocs(deprecation: Deprecation, required: boolean): Record<string, HeaderSpec> {
  const { headers } = deprecation;
  const when = required ? '' : ' (not on what is answered before routing)';
  return {
    Deprecation: {
      description: `This operation is deprecated (RFC 9745): the date it was, in Unix seconds${when}.`,
      required,
      schema: { type: 'string', enum: [headers.deprecation] },
    },
    Sunset: {
      description: `After this date the operation may be removed (RFC 8594)${when}.`,
      required,
      schema: { type: 'string', enum: [headers.sunset] },
    },
    ...(headers.link
      ? {
          Link: {
            description: `The successor (rel="successor-version") and the deprecation notice (rel="deprecation")${when}.`,
            required,
            schema: { type: 'string', enum: [headers.link] },
          },
        }
      : {}),
  };
}
