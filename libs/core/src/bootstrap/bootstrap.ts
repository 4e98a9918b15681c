import type { IncomingMessage } from 'node:http';

import type { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';

import type { AppDefinition } from '../app-definition.js';
import { coreEnvSchemas } from '../config/core-env.schema.js';
import { CoreEnv, trustProxyOption } from '../config/core.env.js';
import { ConfigValidationError, validateEnvironment, type RawEnv } from '../config/env-schema.js';
import { RawEnvModule } from '../config/env.module.js';
import { REQUEST_ID_HEADER } from '../core.constants.js';
import { HealthRegistry } from '../health/health.registry.js';
import { HttpMetrics } from '../metrics/http.metrics.js';
import { MetricsEndpoint } from '../metrics/metrics.endpoint.js';
import { resolveRequestId } from '../request-context/request-id.js';
import { TracingEnv } from '../tracing/tracing.env.js';
import { activateTracing, type TracingRuntime } from '../tracing/tracing.js';
import { TracingModule } from '../tracing/tracing.module.js';
import { createTracingRuntime, type TracingOptions } from '../tracing/tracing.provider.js';
import { installDeprecationHeaders } from '../versioning/deprecation.js';
import { releaseBootMemoryWhenSettled } from './boot-memory.js';
import { HttpEdges } from './edges.js';
import { installRequestHooks } from './http-hooks.js';
import { installSecurityHeaders } from './security-headers.js';
import { buildOpenApiDocument, mountSwagger, printOpenApiDocument } from './swagger.js';

/** Headers a browser may send cross-origin and read back, for apps with a CORS allowlist. */
const CORS_ALLOWED_HEADERS = [
  'content-type',
  'accept-language',
  'if-none-match',
  'idempotency-key',
  'x-request-id',
  'x-csrf',
  'authorization',
  'traceparent',
  'tracestate',
];
const CORS_EXPOSED_HEADERS = [
  'x-request-id',
  'retry-after',
  'etag',
  'age',
  'x-degraded-sections',
  'x-stale-sections',
  'x-cache',
  'x-cache-stale',
  'ratelimit',
  'ratelimit-policy',
];

export interface CreateAppOptions {
  /** The app's whole environment (tests hand it their settings); defaults to process.env, which is never written. */
  readonly env?: RawEnv;
  /** Tracing overrides (tests pass an in-memory span exporter); otherwise the OTEL_* variables decide. */
  readonly tracing?: TracingOptions;
}

/**
 * Creates and initialises an app exactly as production runs it (not yet listening): Fastify with
 * the configured body limit and request ids, security headers, CORS allowlist, request context,
 * Swagger (its document built on first request).
 * Throws ConfigValidationError listing every problem when the environment is invalid.
 */
export async function createPlatformApp(
  appModule: Type,
  definition: AppDefinition,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const rawEnv = options.env ?? process.env;
  const values = validateEnvironment([...coreEnvSchemas, ...definition.env], rawEnv);
  const env = values.get(CoreEnv) as CoreEnv;
  const tracing = createTracingRuntime(values.get(TracingEnv) as TracingEnv, definition, options.tracing);
  activateTracing(tracing);
  try {
    return await createTracedApp(appModule, definition, rawEnv, env, tracing);
  } catch (error) {
    if (tracing) {
      activateTracing(undefined);
      await tracing.shutdown();
    }
    throw error;
  }
}

/** createPlatformApp once the tracing runtime (if any) is active, so boot-time spans and hooks see it. */
async function createTracedApp(
  appModule: Type,
  definition: AppDefinition,
  rawEnv: RawEnv,
  env: CoreEnv,
  tracing: TracingRuntime | undefined,
): Promise<NestFastifyApplication> {
  const edges = new HttpEdges(env);
  const adapter = new FastifyAdapter({
    ...edges.serverOptions(),
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(env.TRUST_PROXY),
    genReqId: (raw: IncomingMessage) => {
      const id = resolveRequestId(raw.headers[REQUEST_ID_HEADER]);
      (raw as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    requestIdHeader: false,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  // The app module, plus the environment for its EnvModule to validate (RAW_ENV).
  const app = await NestFactory.create<NestFastifyApplication>(
    { module: appModule, imports: [RawEnvModule.forRoot(rawEnv), TracingModule.forRoot(tracing)] },
    adapter,
    {
      bufferLogs: true,
      abortOnError: false,
      // JSON only: Nest's urlencoded parser is not registered, and Fastify's text/plain parser is removed
      // below, so any other media type is a 415 problem rather than a string reaching validation.
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  app.flushLogs();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser(['text/plain']);
  installRequestHooks(fastify, env.REQUEST_DEADLINE_MS, PinoLogger.root, app.get(HttpMetrics), appLanguages(definition), tracing);
  edges.install(fastify, PinoLogger.root, app.get(HttpMetrics));
  // The API security headers on every response, helmet's document set on HTML (see security-headers.ts).
  installSecurityHeaders(app, fastify);
  // Deprecation, Sunset and Link on every answer of an @Deprecated route (see versioning/deprecation.ts).
  installDeprecationHeaders(fastify);
  app.enableCors({
    origin: env.CORS_ORIGINS.length ? env.CORS_ORIGINS : false,
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    maxAge: 600,
  });
  if (env.DOCS_ENABLED) mountSwagger(app, definition, () => buildOpenApiDocument(app, definition));
  await app.init();
  return app;
}

export interface ShutdownOptions {
  /**
   * How long to keep accepting and serving after the signal, readiness already 503, before closing the
   * listener (SHUTDOWN_DELAY_MS): the load balancer's health check takes the instance out of rotation meanwhile.
   */
  readonly delayMs?: number;
  /** How long in-flight requests may finish once the listener is closed, before the remaining sockets are cut. */
  readonly drainMs: number;
  /** Called once everything is closed; production exits the process with code 0. */
  readonly onClosed?: () => void;
}

/**
 * Graceful shutdown: on SIGTERM/SIGINT, readiness turns 503 and the app keeps serving, new connections
 * included, for delayMs (so that a load balancer polling readiness stops routing here before anything is
 * refused); then the server stops accepting connections, closes idle keep-alive sockets, lets in-flight
 * requests finish (up to drainMs, then remaining sockets are cut), and Nest's shutdown hooks close
 * upstream pools and stores.
 */
export function installGracefulShutdown(app: NestFastifyApplication, options: ShutdownOptions): void {
  const logger = app.get(Logger);
  const delayMs = options.delayMs ?? 0;
  let closing = false;
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (closing) return;
    closing = true;
    app.get(HealthRegistry).markDraining();
    if (delayMs > 0) {
      logger.log(`${signal} received; readiness is 503, still serving for ${delayMs} ms before closing the listener`, 'Shutdown');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
    logger.log(
      `${delayMs > 0 ? 'Closing the listener' : `${signal} received`}; draining in-flight requests (up to ${options.drainMs} ms)`,
      'Shutdown',
    );
    const server = app.getHttpServer();
    const cut = setTimeout(() => {
      logger.warn('Drain timeout reached; closing remaining connections', 'Shutdown');
      server.closeAllConnections();
    }, options.drainMs);
    cut.unref();
    try {
      await app.getHttpAdapter().getInstance().close();
      clearTimeout(cut);
      await app.close();
      logger.log('Shutdown complete', 'Shutdown');
    } catch (error) {
      logger.error({ err: error }, 'Error during shutdown', 'Shutdown');
    } finally {
      options.onClosed?.();
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
}

/**
 * What every app's main.ts calls. Validates config (printing every problem and exiting 1 when
 * invalid), starts listening, installs graceful shutdown. `--print-openapi` writes the OpenAPI
 * document to stdout and exits, without listening.
 */
export async function runApp(appModule: Type, definition: AppDefinition): Promise<void> {
  const printOpenApi = process.argv.includes('--print-openapi');
  let app: NestFastifyApplication;
  try {
    app = await createPlatformApp(appModule, definition);
  } catch (error) {
    const config = findConfigError(error);
    process.stderr.write(`${definition.name}: failed to start.\n${config ? config.message : String((error as Error)?.stack ?? error)}\n`);
    process.exit(1);
  }
  if (printOpenApi) {
    await printOpenApiDocument(app, definition);
    await app.close();
    process.exit(0);
  }
  const env = app.get(CoreEnv);
  installGracefulShutdown(app, { delayMs: env.SHUTDOWN_DELAY_MS, drainMs: env.SHUTDOWN_DRAIN_MS, onClosed: () => process.exit(0) });
  const port = env.PORT ?? definition.defaultPort;
  try {
    await app.listen({ port, host: env.HOST });
  } catch (error) {
    // E.g. EADDRINUSE or EACCES: one clear line for the operator (and the test harness), exit 1.
    const { code, message } = error as { code?: string; message?: string };
    process.stderr.write(`${definition.name}: cannot listen on ${env.HOST}:${port}: ${code ?? message ?? String(error)}\n`);
    process.exit(1);
  }
  const url = await app.getUrl();
  app.get(Logger).log(`${definition.name} listening on ${url} (docs: ${url}/docs)`, 'Bootstrap');
  try {
    const metricsPort = await app.get(MetricsEndpoint).listen();
    if (metricsPort !== undefined) app.get(Logger).log(`metrics on ${env.METRICS_HOST}:${metricsPort}${env.METRICS_PATH}`, 'Bootstrap');
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    process.stderr.write(
      `${definition.name}: cannot listen on ${env.METRICS_HOST}:${env.METRICS_PORT} (METRICS_PORT): ${code ?? message ?? String(error)}\n`,
    );
    process.exit(1);
  }
  releaseBootMemoryWhenSettled();
}

function findConfigError(error: unknown): ConfigValidationError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof ConfigValidationError) return e;
  }
  return undefined;
}

/** The app's languages, checked once: negotiation compares lowercase primary subtags, the default first. */
function appLanguages(definition: AppDefinition): readonly string[] {
  const languages = definition.languages ?? ['en'];
  if (
    languages.length === 0 ||
    languages.some((language) => !/^[a-z]{2,8}$/.test(language)) ||
    new Set(languages).size !== languages.length
  ) {
    throw new Error(
      `${definition.name}: languages must be distinct lowercase primary language subtags (e.g. ['en', 'de']), got ${JSON.stringify(languages)}`,
    );
  }
  return languages;
}
