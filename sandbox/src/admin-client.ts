/** HTTP client for the admin routes, for a sandbox running in another process. */
import type { FaultRule, SandboxAdmin, ServiceName, ServiceStats } from './types.ts';

async function call(url: string, method: string, body?: unknown): Promise<Response> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`sandbox admin ${method} ${url} failed: ${response.status} ${await response.text()}`);
  }
  return response;
}

/** Admin API over HTTP (`/__admin/*`), given the base URL of each service. */
export function createAdminClient<S extends ServiceName>(urls: Readonly<Record<S, string>>): SandboxAdmin<S> {
  const services = Object.keys(urls) as S[];
  const base = (service: S): string => urls[service];
  const each = async (action: (service: S) => Promise<unknown>, only?: S): Promise<void> => {
    await Promise.all((only === undefined ? services : [only]).map(action));
  };
  return {
    async setFaults(service: S, rules: FaultRule[]) {
      await call(`${base(service)}/__admin/faults`, 'POST', { rules });
    },
    clearFaults: (service?: S) => each((s) => call(`${base(s)}/__admin/faults`, 'DELETE'), service),
    async stats(service: S): Promise<ServiceStats> {
      return (await (await call(`${base(service)}/__admin/stats`, 'GET')).json()) as ServiceStats;
    },
    resetStats: (service?: S) => each((s) => call(`${base(s)}/__admin/stats/reset`, 'POST'), service),
    reset: () => each((s) => call(`${base(s)}/__admin/reset`, 'POST')),
  };
}
