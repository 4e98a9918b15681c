import 'reflect-metadata';

import { Writable } from 'node:stream';

import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';

import { tracingEnvSchema } from '../config/core-env.schema.js';
import { ConfigValidationError, validateEnvironment } from '../config/env-schema.js';
import { loggerParams } from '../logging/logger.options.js';
import { tracesEndpoint, type TracingEnv } from './tracing.env.js';
import { activateTracing, Tracing, type TracingRuntime } from './tracing.js';
import { createTracingRuntime } from './tracing.provider.js';

const parse = (env: Record<string, string>) => validateEnvironment([tracingEnvSchema], env).get(tracingEnvSchema.token) as TracingEnv;
const SERVICE = { name: 'test-bff', version: '1.2.3' };

let active: TracingRuntime | undefined;

/** Activates a runtime exporting to memory (torn down after each test). */
function traced(env: Record<string, string> = {}): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  active = createTracingRuntime(parse(env), SERVICE, { spanExporter: exporter });
  activateTracing(active);
  return exporter;
}

afterEach(async () => {
  activateTracing(undefined);
  await active?.shutdown();
  active = undefined;
});

describe('TracingEnv: the standard OTEL_* variables', () => {
  it('is off without an endpoint, and when OTEL_SDK_DISABLED is true even with one', () => {
    expect(createTracingRuntime(parse({}), SERVICE)).toBeUndefined();
    expect(createTracingRuntime(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }), SERVICE)).toBeUndefined();
    expect(
      createTracingRuntime(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'TRUE' }), SERVICE),
    ).toBeUndefined();
    expect(
      createTracingRuntime(parse({ OTEL_SDK_DISABLED: 'true' }), SERVICE, { spanExporter: new InMemorySpanExporter() }),
    ).toBeUndefined();
  });

  it('posts to <endpoint>/v1/traces, or to the traces endpoint as given', () => {
    expect(tracesEndpoint(parse({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }))).toBe('http://collector:4318/v1/traces');
    expect(
      tracesEndpoint(
        parse({
          OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp',
        }),
      ),
    ).toBe('https://traces.example.com/otlp');
    expect(tracesEndpoint(parse({}))).toBeUndefined();
  });

  it('defaults to the parent-based always-on sampler and refuses what it cannot honour, naming each variable', () => {
    expect(parse({})).toMatchObject({ OTEL_SDK_DISABLED: false, OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
    expect(parse({ OTEL_TRACES_SAMPLER_ARG: '0.25' }).OTEL_TRACES_SAMPLER_ARG).toBe(0.25);
    const attempt = () =>
      parse({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_SAMPLER: 'jaeger_remote',
        OTEL_TRACES_SAMPLER_ARG: '2',
        OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign',
      });
    expect(attempt).toThrow(ConfigValidationError);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL must be http\/json/);
    expect(attempt).toThrow(/OTEL_TRACES_SAMPLER must be one of/);
    expect(attempt).toThrow(/OTEL_TRACES_SAMPLER_ARG must be a number between 0 and 1/);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_HEADERS must be a comma-separated list of key=value/);
  });

  it('names the service after the app unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise', async () => {
    let exporter = traced({ OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging' });
    await Tracing.trace('work', 'internal', undefined, () => Promise.resolve());
    expect(exporter.getFinishedSpans()[0].resource.attributes).toMatchObject({
      'service.name': 'test-bff',
      'service.version': '1.2.3',
      'deployment.environment.name': 'staging',
    });
    activateTracing(undefined);
    await active?.shutdown();
    exporter = traced({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' });
    await Tracing.trace('work', 'internal', undefined, () => Promise.resolve());
    expect(exporter.getFinishedSpans()[0].resource.attributes['service.name']).toBe('from-attributes');
    activateTracing(undefined);
    await active?.shutdown();
    exporter = traced({ OTEL_SERVICE_NAME: 'shop-web', OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attributes' });
    await Tracing.trace('work', 'internal', undefined, () => Promise.resolve());
    expect(exporter.getFinishedSpans()[0].resource.attributes['service.name']).toBe('shop-web');
  });

  it('samples by trace id ratio for new traces and follows the caller for continued ones (parentbased_traceidratio)', () => {
    const exporter = traced({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    const root = Tracing.start('root', 'server');
    expect(root?.span.isRecording()).toBe(false);
    root?.end();
    const sampledParent = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
    const continued = active?.startServer('continued', sampledParent, {});
    expect(continued?.span.isRecording()).toBe(true);
    continued?.end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['continued']);
  });
});

describe('Tracing', () => {
  it('does nothing when off: no span, the work just runs', async () => {
    expect(Tracing.enabled).toBe(false);
    expect(Tracing.start('nothing')).toBeUndefined();
    expect(await Tracing.trace('nothing', 'internal', undefined, () => Promise.resolve(42))).toBe(42);
    expect(await Tracing.redis('session', 'GET', () => Promise.resolve('v'))).toBe('v');
    expect(Tracing.logFields()).toEqual({});
  });

  it('nests spans started inside a running span under it, and marks a rejected one as an error', async () => {
    const exporter = traced();
    const parent = Tracing.start('parent');
    await parent?.run(async () => {
      await Tracing.redis('session', 'HGETALL', () => Promise.resolve({}));
      await expect(Tracing.redis('cache', 'GET', () => Promise.reject(new Error('connection lost')))).rejects.toThrow('connection lost');
    });
    parent?.end();
    const [ok, failed, root] = exporter.getFinishedSpans();
    expect(root.name).toBe('parent');
    expect(ok).toMatchObject({
      name: 'redis HGETALL',
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'redis', 'db.operation.name': 'HGETALL', 'bff.store': 'session' },
    });
    expect(ok.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connection lost' });
    expect(failed.attributes['error.type']).toBe('Error');
    expect(failed.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
  });

  it('writes the span as the outbound traceparent', () => {
    traced();
    const span = Tracing.start('call', 'client');
    const headers: Record<string, string> = { traceparent: `00-${'c'.repeat(32)}-${'d'.repeat(16)}-01` };
    expect(span).toBeDefined();
    span?.inject(headers);
    expect(headers.traceparent).toBe(`00-${span?.logFields.trace_id}-${span?.logFields.span_id}-01`);
    span?.end();
  });

  it('puts trace_id and span_id on log lines written while a span is active', () => {
    traced();
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        callback();
      },
    });
    const params = loggerParams({ app: 'test-bff', level: 'info', traced: Tracing.enabled });
    const options = params.pinoHttp as pino.LoggerOptions;
    const logger = pino(options, sink);
    const span = Tracing.start('handler', 'server');
    span?.run(() => logger.info({ requestId: 'r1' }, 'inside'));
    logger.info('outside');
    span?.end();
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'r1', ...span?.logFields });
    expect(lines[1].msg).toBe('outside');
    expect(lines[1]).not.toHaveProperty('trace_id');
  });
});
