import type { IncomingHttpHeaders } from 'node:http';

import type { Params } from 'nestjs-pino';
import { stdTimeFunctions, type Level, type Logger } from 'pino';

import { Tracing, type TraceLogFields } from '../tracing/tracing.js';

/** Headers that never reach a log line in clear. */
export const REDACTED_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'proxy-authorization'] as const;

const redactPaths = REDACTED_HEADERS.flatMap((h) => [`req.headers["${h}"]`, `res.headers["${h}"]`, `headers["${h}"]`]);

export interface LoggerSettings {
  readonly app: string;
  readonly level: string;
  /** Tracing is on: lines written while a span is active carry its `trace_id` and `span_id`. */
  readonly traced?: boolean;
}

/**
 * nestjs-pino settings shared by every app: JSON lines, ISO time, the app name on every line and
 * secrets redacted. The per-request access line is written by core's Fastify onResponse hook
 * (see accessLogLine), which knows the route pattern and costs no middleware.
 */
export function loggerParams(settings: LoggerSettings): Params {
  return {
    pinoHttp: {
      level: settings.level,
      base: { app: settings.app },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      autoLogging: false,
      quietReqLogger: true,
      ...(settings.traced ? { mixin: () => Tracing.logFields() } : {}),
    },
    // No pino-http middleware: the access line comes from core's onResponse hook, and log lines carry
    // the request id explicitly. Registered for every route, the middleware only made @fastify/middie
    // decode and match the URL of every request.
    forRoutes: [],
  };
}

export interface AccessLogInput {
  readonly requestId: string;
  readonly method: string;
  readonly route: string | undefined;
  readonly status: number;
  /** Unknown when the request was refused before it could be read (e.g. a malformed request line). */
  readonly durationMs: number | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The request's server span, when tracing is on (the hook runs outside the span's async context). */
  readonly trace?: TraceLogFields;
}

/** The one line logged per request: method, route pattern, status, duration, request id. */
export function writeAccessLog(logger: Logger, input: AccessLogInput): void {
  const level: Level = input.status >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  const line: Record<string, unknown> = {
    requestId: input.requestId,
    method: input.method,
    route: input.route ?? '(unmatched)',
    status: input.status,
  };
  if (input.trace) Object.assign(line, input.trace);
  if (input.durationMs !== undefined) line.durationMs = Math.round(input.durationMs * 100) / 100;
  // Headers are worth their cost only when someone is debugging; secrets are redacted either way.
  if (logger.isLevelEnabled('debug')) line.headers = input.headers;
  logger[level](line, 'request completed');
}
