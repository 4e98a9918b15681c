import type { EnvSchema } from '@bff/core';

import type { UpstreamDefinition, UpstreamTransportKind } from './upstream.types.js';

/** Token of the validated upstream settings: base URLs and transport overrides. */
export const UPSTREAM_SETTINGS = Symbol('UPSTREAM_SETTINGS');

export interface UpstreamSettings {
  /** Upstream name → base URL. */
  readonly urls: ReadonlyMap<string, string>;
  /** Upstream name → transport chosen by the environment (overrides the declaration). */
  readonly transports: ReadonlyMap<string, UpstreamTransportKind>;
  /** Upstream name → capacity knobs set by the environment (override the declaration). */
  readonly overrides: ReadonlyMap<string, UpstreamOverrides>;
}

/** What operators may tune per environment without a code change: the per-pod capacity knobs. */
export interface UpstreamOverrides {
  readonly timeoutMs?: number;
  readonly connections?: number;
  readonly maxConcurrent?: number;
  readonly maxQueue?: number;
}

/** `UPSTREAM_<NAME>_<SUFFIX>` integer variables and their bounds. */
const OVERRIDES: readonly { suffix: string; key: keyof UpstreamOverrides; min: number; max: number }[] = [
  { suffix: 'TIMEOUT_MS', key: 'timeoutMs', min: 1, max: 120_000 },
  { suffix: 'CONNECTIONS', key: 'connections', min: 1, max: 4_096 },
  { suffix: 'MAX_CONCURRENT', key: 'maxConcurrent', min: 1, max: 100_000 },
  { suffix: 'MAX_QUEUE', key: 'maxQueue', min: 0, max: 100_000 },
];

const TRANSPORTS: readonly UpstreamTransportKind[] = ['undici', 'axios'];

export const upstreamUrlVariable = (name: string): string => `UPSTREAM_${envName(name)}_URL`;
export const upstreamTransportVariable = (name: string): string => `UPSTREAM_${envName(name)}_TRANSPORT`;
/** Default transport for every upstream of the app (a per-upstream variable wins). */
export const UPSTREAM_TRANSPORT_VARIABLE = 'UPSTREAM_TRANSPORT';

/**
 * Env slice requiring `UPSTREAM_<NAME>_URL` (an absolute http(s) URL) for each declared upstream,
 * and accepting `UPSTREAM_TRANSPORT` / `UPSTREAM_<NAME>_TRANSPORT` (undici | axios) and
 * `UPSTREAM_<NAME>_TIMEOUT_MS|CONNECTIONS|MAX_CONCURRENT|MAX_QUEUE` overrides.
 */
export function upstreamEnv(upstreams: readonly UpstreamDefinition[]): EnvSchema<UpstreamSettings> {
  return {
    owner: 'upstream',
    token: UPSTREAM_SETTINGS,
    parse(env) {
      const urls = new Map<string, string>();
      const transports = new Map<string, UpstreamTransportKind>();
      const problems: string[] = [];
      const transportOf = (variable: string): UpstreamTransportKind | undefined => {
        const raw = env[variable];
        if (raw === undefined || raw === '') return undefined;
        if ((TRANSPORTS as readonly string[]).includes(raw)) return raw as UpstreamTransportKind;
        problems.push(`${variable} must be one of ${TRANSPORTS.join(', ')}`);
        return undefined;
      };
      const fallbackTransport = transportOf(UPSTREAM_TRANSPORT_VARIABLE);
      const overrides = new Map<string, UpstreamOverrides>();
      for (const { name } of upstreams) {
        const tuned: Record<string, number> = {};
        for (const { suffix, key, min, max } of OVERRIDES) {
          const variable = `UPSTREAM_${envName(name)}_${suffix}`;
          const raw = env[variable];
          if (raw === undefined || raw === '') continue;
          const value = Number(raw);
          if (!Number.isInteger(value) || value < min || value > max)
            problems.push(`${variable} must be an integer between ${min} and ${max}`);
          else tuned[key] = value;
        }
        if (Object.keys(tuned).length) overrides.set(name, tuned);
      }
      for (const { name } of upstreams) {
        const transport = transportOf(upstreamTransportVariable(name)) ?? fallbackTransport;
        if (transport) transports.set(name, transport);
        const variable = upstreamUrlVariable(name);
        const raw = env[variable];
        if (!raw) {
          problems.push(`${variable} is required (base URL of the ${name} service)`);
          continue;
        }
        let url: URL | undefined;
        try {
          url = new URL(raw);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
          problems.push(`${variable} must be an absolute http(s) URL`);
          continue;
        }
        urls.set(name, raw);
      }
      return problems.length ? { problems } : { value: { urls, transports, overrides }, problems };
    },
  };
}

function envName(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}
