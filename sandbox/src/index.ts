/**
 * Sandbox: realistic retail upstream microservices over real HTTP (plain Fastify), with a
 * deterministic seed, HTTP caching and fault injection. Used by dev, e2e tests and benchmarks.
 */
import { AUTHZ_OFF, jwtAuthorizer, type Authorizer } from './http/authz.ts';
import { parseFaultRules } from './http/faults.ts';
import { createServiceServer, type ServiceServer } from './http/server.ts';
import { idpPublicJwks, startIdp, type Idp } from './idp/idp.ts';
import { getSeed } from './seed/data.ts';
import { SERVICE_FACTORIES } from './services/registry.ts';
import {
  DEFAULT_BASE_PORT,
  DEFAULT_HOST,
  SERVICE_NAMES,
  SERVICE_PORT_OFFSETS,
  type FaultRule,
  type Sandbox,
  type SandboxAdmin,
  type ServiceName,
  type StartSandboxOptions,
} from './types.ts';

export { createAdminClient } from './admin-client.ts';
export * from './idp/index.ts';
export type { OpenApiDocument } from './http/openapi.ts';
export { OPENAPI_DOCUMENTS } from './services/registry.ts';
export { DEV_PASSWORD, getSeedCustomers } from './seed/data.ts';
export { KNOWN_IDS, type KnownIds } from './seed/known-ids.ts';
export type * from './seed/model.ts';
export * from './types.ts';

/** Starts the sandbox services (all by default) and resolves once every one is listening. */
export async function startSandbox<S extends ServiceName = ServiceName>(options: StartSandboxOptions<S> = {}): Promise<Sandbox<S>> {
  const host = options.host ?? DEFAULT_HOST;
  const basePort = options.basePort ?? DEFAULT_BASE_PORT;
  const profile = options.profile ?? 'test';
  const names = (options.services ?? SERVICE_NAMES) as readonly S[];
  if (!Number.isInteger(basePort) || basePort < 0 || basePort > 65_535 - 8) {
    throw new Error(`invalid basePort ${basePort}`);
  }
  const authzMode = options.authz ?? (options.idp === false ? 'off' : 'jwt');
  if (authzMode === 'jwt' && options.idp === false)
    throw new Error("authz 'jwt' verifies tokens of the sandbox IdP: start it, or pass authz: 'off'");
  const seed = getSeed();
  const servers = new Map<S, ServiceServer>();
  let idp: Idp | undefined;
  const closeAll = async (): Promise<void> => {
    await Promise.allSettled([...[...servers.values()].map((server) => server.close()), idp?.close()]);
  };

  // The IdP first: its issuer (which names its port) is what the services' tokens must carry.
  const results: PromiseSettledResult<void>[] = [];
  if (options.idp !== false) {
    try {
      idp = await startIdp({ ...options.idp, host, port: basePort });
    } catch (error) {
      results.push({
        status: 'rejected',
        reason: new Error(`idp: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
      });
    }
  }
  const authz: Authorizer =
    authzMode === 'jwt' && idp !== undefined ? jwtAuthorizer({ issuer: idp.issuer, jwks: idpPublicJwks() }) : AUTHZ_OFF;
  for (const name of new Set(names)) {
    servers.set(name, createServiceServer(SERVICE_FACTORIES[name](seed, authz), profile));
  }

  const urls = {} as Record<S, string>;
  results.push(
    ...(await Promise.allSettled(
      [...servers].map(async ([name, server]) => {
        const port = basePort === 0 ? 0 : basePort + SERVICE_PORT_OFFSETS[name];
        urls[name] = await server.listen(host, port);
      }),
    )),
  );
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure !== undefined) {
    await closeAll();
    const reason: unknown = failure.reason;
    throw new Error(`sandbox failed to start: ${reason instanceof Error ? reason.message : String(reason)}`, { cause: reason });
  }

  const serverOf = (service: S): ServiceServer => {
    const server = servers.get(service);
    if (server === undefined) throw new Error(`sandbox service '${service}' is not running`);
    return server;
  };
  const targets = (service?: S): ServiceServer[] => (service === undefined ? [...servers.values()] : [serverOf(service)]);

  /** Runs `action` synchronously, reporting a thrown error as a rejected promise. */
  const run = <T>(action: () => T): Promise<T> => {
    try {
      return Promise.resolve(action());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  const admin: SandboxAdmin<S> = {
    setFaults: (service: S, rules: FaultRule[]) =>
      run(() => {
        const parsed = parseFaultRules({ rules });
        if (typeof parsed === 'string') throw new Error(`invalid fault rules: ${parsed}`);
        serverOf(service).faults.set(parsed);
      }),
    clearFaults: (service?: S) => run(() => targets(service).forEach((server) => server.faults.clear())),
    stats: (service: S) => run(() => serverOf(service).stats.snapshot()),
    resetStats: (service?: S) => run(() => targets(service).forEach((server) => server.stats.reset())),
    reset: () =>
      run(() => {
        [...servers.values()].forEach((server) => server.reset());
        idp?.reset();
      }),
  };

  let closing: Promise<void> | undefined;
  return {
    urls,
    profile,
    admin,
    idp,
    authz: authzMode,
    close: () => (closing ??= closeAll()),
  };
}
