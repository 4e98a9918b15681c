import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

import { tracesEndpoint, type TracesSampler, type TracingEnv } from './tracing.env.js';
import { TracingRuntime } from './tracing.js';

export interface TracingOptions {
  /**
   * Export spans here instead of over OTLP (tests pass an InMemorySpanExporter). Turns tracing on
   * without an endpoint; spans are exported as each one ends (SimpleSpanProcessor).
   */
  readonly spanExporter?: SpanExporter;
}

export interface TracedService {
  readonly name: string;
  readonly version: string;
}

/**
 * The tracing runtime the environment asks for, or undefined when tracing is off (no endpoint and
 * no exporter given, or OTEL_SDK_DISABLED=true). With an endpoint: OTLP/HTTP (JSON) through a
 * BatchSpanProcessor, so a request never waits on the collector.
 */
export function createTracingRuntime(env: TracingEnv, service: TracedService, options: TracingOptions = {}): TracingRuntime | undefined {
  if (env.OTEL_SDK_DISABLED) return undefined;
  const endpoint = tracesEndpoint(env);
  if (options.spanExporter === undefined && endpoint === undefined) return undefined;

  const processor = options.spanExporter
    ? new SimpleSpanProcessor({ exporter: options.spanExporter })
    : new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({
          url: endpoint,
          // Signal-specific headers win over the general ones (the spec's precedence).
          headers: {
            ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_HEADERS),
            ...parseKeyPairsIntoRecord(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
          },
        }),
      });
  const attributes = parseKeyPairsIntoRecord(env.OTEL_RESOURCE_ATTRIBUTES);
  const resource = resourceFromAttributes({
    ...attributes,
    // The spec's precedence: OTEL_SERVICE_NAME, then service.name in OTEL_RESOURCE_ATTRIBUTES, then the app's name.
    [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? attributes[ATTR_SERVICE_NAME] ?? service.name,
    [ATTR_SERVICE_VERSION]: service.version,
  });
  const provider = new TracerProvider({
    resource,
    sampler: samplerOf(env.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG),
    spanProcessors: [processor],
  });
  return new TracingRuntime(provider);
}

function samplerOf(name: TracesSampler, ratio: number = 1): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}
