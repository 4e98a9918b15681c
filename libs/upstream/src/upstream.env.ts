import type { EnvSchema } from '@bff/core';
import type { UpstreamDefinition } from './upstream.types.js';

/** Token of the validated map upstream name → base URL. */
export const UPSTREAM_URLS = Symbol('UPSTREAM_URLS');

export const upstreamUrlVariable = (name: string): string => `UPSTREAM_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;

/** Env slice requiring `UPSTREAM_<NAME>_URL` (an absolute http(s) URL) for each declared upstream. */
export function upstreamEnv(upstreams: readonly UpstreamDefinition[]): EnvSchema<ReadonlyMap<string, string>> {
  return {
    owner: 'upstream',
    token: UPSTREAM_URLS,
    parse(env) {
      const urls = new Map<string, string>();
      const problems: string[] = [];
      for (const { name } of upstreams) {
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
      return problems.length ? { problems } : { value: urls, problems };
    },
  };
}
