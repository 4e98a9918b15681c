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

/**
 * Brand of a call's options whose `signal` is aborted (by its owner's timer) once `deadline` is
 * reached, as the aggregator's section contexts are. When that deadline is also the call's binding
 * one, an attempt needs no timer and no AbortController of its own: it runs on that signal.
 * Internal to libs/upstream: spreading the options (adapters do) keeps it.
 */
export const SIGNAL_ABORTS_AT_DEADLINE = Symbol('bff:upstream:signal-aborts-at-deadline');

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
