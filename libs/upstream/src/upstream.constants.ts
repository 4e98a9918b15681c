/** Header telling an upstream how many ms of the caller's budget remain (see README: deadline budget). */
export const DEADLINE_HEADER = 'x-request-deadline-ms';

/** Hop-by-hop headers (RFC 9110 §7.6.1) that are never forwarded, whatever the configuration says. */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

export const DEFAULT_TIMEOUT_MS = 2_000;
export const DEFAULT_CONNECTIONS = 64;
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Token prefix for injecting an upstream client by name. */
export const upstreamToken = (name: string): string => `bff:upstream:${name}`;

/** Token of the UpstreamTokenSource used for 'relay' and 'client-credentials' upstreams (libs/auth provides it). */
export const UPSTREAM_TOKEN_SOURCE = Symbol('UPSTREAM_TOKEN_SOURCE');
/** Token of the UpstreamResponseCache used by upstreams with `httpCache: true` (libs/cache provides it). */
export const UPSTREAM_RESPONSE_CACHE = Symbol('UPSTREAM_RESPONSE_CACHE');
/** Token of the @nestjs/axios HttpService of an upstream declared with transport 'axios' (for interceptors). */
export const upstreamHttpToken = (name: string): string => `bff:upstream-http:${name}`;
