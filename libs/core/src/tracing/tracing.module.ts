import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';

import { activateTracing, tracingRuntime, type TracingRuntime } from './tracing.js';

const TRACING_RUNTIME = Symbol('bff:tracing-runtime');

/**
 * Ties the process's tracing runtime to the app's lifetime: on shutdown (after the HTTP server has
 * drained), pending spans are flushed to the exporter and tracing is turned off.
 */
@Global()
@Module({})
export class TracingModule implements OnApplicationShutdown {
  constructor(@Inject(TRACING_RUNTIME) private readonly runtime: TracingRuntime | null) {}

  static forRoot(runtime: TracingRuntime | undefined): DynamicModule {
    return { module: TracingModule, providers: [{ provide: TRACING_RUNTIME, useValue: runtime ?? null }] };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.runtime === null) return;
    if (tracingRuntime() === this.runtime) activateTracing(undefined);
    await this.runtime.shutdown();
  }
}
