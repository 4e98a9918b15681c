import { TracingEnv } from '../tracing/tracing.env.js';
import { CoreEnv } from './core.env.js';
import { envClass } from './env-schema.js';

export const coreEnvSchema = envClass(CoreEnv, 'core');
export const tracingEnvSchema = envClass(TracingEnv, 'tracing');

/** The env slices core itself reads, validated with every app's own. */
export const coreEnvSchemas = [coreEnvSchema, tracingEnvSchema] as const;
