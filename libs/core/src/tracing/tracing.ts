import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ATTR_DB_OPERATION_NAME, ATTR_DB_SYSTEM_NAME, ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';

/** The span kinds the platform creates. */
export type TraceSpanKind = 'server' | 'client' | 'internal';

const KINDS: Record<TraceSpanKind, SpanKind> = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

/** What a log line carries while a span is active. */
export interface TraceLogFields {
  readonly trace_id: string;
  readonly span_id: string;
}

/** The parts of a tracer provider the runtime drives (the SDK's TracerProvider). */
export interface TracerSource {
  getTracer(name: string, version?: string): Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

const propagator = new W3CTraceContextPropagator();

/**
 * One started span and the context it is active in. Ending is idempotent, so a request that is
 * both aborted and answered ends its span once.
 */
export class TraceSpan {
  private ended = false;

  constructor(
    readonly span: Span,
    readonly context: Context,
    private readonly contexts: AsyncLocalStorageContextManager,
  ) {}

  get logFields(): TraceLogFields {
    const { traceId, spanId } = this.span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  }

  /** Runs `fn` with this span as the active one (children started inside are its children). */
  run<T>(fn: () => T): T {
    return this.contexts.with(this.context, fn);
  }

  setAttribute(key: string, value: string | number | boolean): this {
    this.span.setAttribute(key, value);
    return this;
  }

  /** Marks the span failed: status ERROR and `error.type` (a failure code, or the error's class name). */
  fail(error: unknown, type?: string): this {
    const errorType = type ?? (error instanceof Error ? error.constructor.name : 'Error');
    this.span.setAttribute(ATTR_ERROR_TYPE, errorType);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message.slice(0, 256) : errorType });
    return this;
  }

  /** Writes this span's W3C `traceparent` (and `tracestate`) into outbound headers, replacing relayed ones. */
  inject(headers: Record<string, string>): void {
    propagator.inject(this.context, headers, defaultTextMapSetter);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.span.end();
  }
}

/** The live tracer of a traced app: spans, their context (AsyncLocalStorage) and W3C propagation. */
export class TracingRuntime {
  private readonly tracer: Tracer;
  private readonly contexts = new AsyncLocalStorageContextManager().enable();

  constructor(private readonly provider: TracerSource) {
    this.tracer = provider.getTracer('@bff/core');
  }

  /** A span child of the active one (or of `parent`), not yet active: `run` activates it. */
  start(name: string, kind: TraceSpanKind, attributes?: Attributes, parent: Context = this.contexts.active()): TraceSpan {
    const span = this.tracer.startSpan(name, { kind: KINDS[kind], attributes }, parent);
    return new TraceSpan(span, trace.setSpan(parent, span), this.contexts);
  }

  /** A server span continuing the caller's W3C trace context, when its headers carry a valid one. */
  startServer(name: string, headers: Readonly<Record<string, string | string[] | undefined>>, attributes: Attributes): TraceSpan {
    const parent = propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    return this.start(name, 'server', attributes, parent);
  }

  async trace<T>(name: string, kind: TraceSpanKind, attributes: Attributes | undefined, fn: () => Promise<T>): Promise<T> {
    const span = this.start(name, kind, attributes);
    try {
      return await span.run(fn);
    } catch (error) {
      span.fail(error);
      throw error;
    } finally {
      span.end();
    }
  }

  logFields(): TraceLogFields | undefined {
    const span = trace.getSpan(this.contexts.active());
    if (span === undefined) return undefined;
    const { traceId, spanId } = span.spanContext();
    return { trace_id: traceId, span_id: spanId };
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    this.contexts.disable();
    await this.provider.shutdown();
  }
}

/**
 * The process's tracing runtime: set while a traced app runs, undefined otherwise. Every
 * instrumentation site checks it first, so with tracing off no span, context or attribute object is
 * ever created. One traced app per process (what production runs).
 */
let runtime: TracingRuntime | undefined;

/**
 * What libs instrument their seams with. Each call is a no-op (one undefined check) when tracing
 * is off.
 */
export const Tracing = {
  get enabled(): boolean {
    return runtime !== undefined;
  },

  /** Starts a span child of the active one; undefined when tracing is off. The caller ends it. */
  start(name: string, kind: TraceSpanKind = 'internal', attributes?: Attributes): TraceSpan | undefined {
    return runtime?.start(name, kind, attributes);
  },

  /** Runs `fn` in a span that ends with its outcome (status ERROR when it rejects). */
  trace<T>(name: string, kind: TraceSpanKind, attributes: Attributes | undefined, fn: () => Promise<T>): Promise<T> {
    return runtime === undefined ? fn() : runtime.trace(name, kind, attributes, fn);
  },

  /** A Redis command of one of our stores: span `redis <OPERATION>` with db.* attributes and the store's name. */
  redis<T>(store: string, operation: string, fn: () => Promise<T>): Promise<T> {
    if (runtime === undefined) return fn();
    const attributes = { [ATTR_DB_SYSTEM_NAME]: 'redis', [ATTR_DB_OPERATION_NAME]: operation, 'bff.store': store };
    return runtime.trace(`redis ${operation}`, 'client', attributes, fn);
  },

  /**
   * `trace_id`/`span_id` of the active span, for log lines (an empty object when there is none). A
   * fresh object every call: pino's mixin merge writes the line's own fields into it.
   */
  logFields(): Partial<TraceLogFields> {
    return runtime?.logFields() ?? {};
  },
};

/** Makes `next` the process's tracing runtime (undefined turns tracing off). Core's bootstrap only. */
export function activateTracing(next: TracingRuntime | undefined): void {
  if (next !== undefined && runtime !== undefined && runtime !== next) {
    throw new Error('Tracing is already active in this process for another app; close it before creating a traced app');
  }
  runtime = next;
}

/** The active runtime (bootstrap hooks read it once per request). */
export function tracingRuntime(): TracingRuntime | undefined {
  return runtime;
}
