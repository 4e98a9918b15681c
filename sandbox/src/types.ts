/** Public types of the sandbox (upstream simulator). */
import type { AuthzMode } from './http/authz.ts';
import type { Idp, StartIdpOptions } from './idp/idp.ts';

export type { AuthzMode } from './http/authz.ts';

export const SERVICE_NAMES = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'customers', 'carts', 'orders'] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Port offset of every service relative to the base port (4100 by default; 4100 itself is the OpenID Connect provider). */
export const SERVICE_PORT_OFFSETS: Readonly<Record<ServiceName, number>> = {
  catalog: 1,
  pricing: 2,
  inventory: 3,
  reviews: 4,
  recommendations: 5,
  customers: 6,
  carts: 7,
  orders: 8,
};

export const DEFAULT_BASE_PORT = 4100;
export const DEFAULT_HOST = '127.0.0.1';

export const PROFILES = ['dev', 'test', 'bench', 'bench-20ms'] as const;
export type Profile = (typeof PROFILES)[number];

/**
 * A fault-injection rule. The first rule matching a request (path prefix, method, remaining
 * `times`, `probability`) is applied. Rules never apply to `/__admin/*`, `/health`, `/openapi.json`.
 */
export interface FaultRule {
  /** Prefix match on the URL path (without query string). Default: every path. */
  path?: string;
  /** HTTP method (case-insensitive). Default: every method. */
  method?: string;
  /** Apply to the next N matching requests only. Default: unlimited. */
  times?: number;
  /** Extra latency before anything else happens. */
  latencyMs?: number;
  /** Respond with this status (problem+json unless `body` is given). */
  status?: number;
  /** Seconds; sets the `Retry-After` header on a `status` response. */
  retryAfter?: number;
  /** JSON body for a `status` response. */
  body?: unknown;
  /** 0..1, default 1. Uses a seeded PRNG (re-seeded whenever the rule set is replaced). */
  probability?: number;
  /** Destroy the socket (TCP RST) without any response. */
  reset?: boolean;
  /** Send headers and part of the (real) body, then close the socket. */
  resetMidBody?: boolean;
  /** 200 with an invalid JSON body (content-type application/json). */
  malformed?: boolean;
  /** Send headers and part of the (real) body, wait `stallMs`, then finish the body. */
  stallMs?: number;
  /** 200 with a valid JSON body of about this many bytes. */
  oversizeBytes?: number;
  /** Adds about this many bytes of extra response headers (`x-sandbox-padding-<n>`) to the real response. */
  headerBytes?: number;
  /**
   * Sends the status line, waits `headerStallMs`, then the rest of the headers and the real body;
   * the connection closes afterwards. Not combinable with effects that replace the response.
   */
  headerStallMs?: number;
  /**
   * The request takes effect (the handler runs, e.g. a POST commits its order), then no byte of the
   * response is sent for `commitThenHangMs` ms and the connection is closed: the client times out
   * after the commit, its answer lost. Not combinable with effects that replace or alter the response.
   */
  commitThenHangMs?: number;
}

export interface ServiceStats {
  /** Number of non-admin requests (excluding /health and /openapi.json). */
  requests: number;
  /** Counts per `METHOD /route/:pattern` (`METHOD *` for unmatched routes). */
  byRoute: Record<string, number>;
  /** Lower-cased request headers of the last counted request. */
  lastHeaders: Record<string, string | string[]>;
  /** How many requests a fault rule was applied to. */
  faultsApplied: number;
}

/** RFC 9457 problem details. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

export interface SandboxAdmin<S extends ServiceName = ServiceName> {
  setFaults(service: S, rules: FaultRule[]): Promise<void>;
  /** Clears the faults of one service, or of all services when omitted. */
  clearFaults(service?: S): Promise<void>;
  stats(service: S): Promise<ServiceStats>;
  /** Resets the stats of one service, or of all services when omitted. */
  resetStats(service?: S): Promise<void>;
  /** Resets faults, stats and mutable state (carts, orders) of every service, and the IdP's stats and token faults. */
  reset(): Promise<void>;
}

export interface StartSandboxOptions<S extends ServiceName = ServiceName> {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 4100 (catalog = base + 1, ...). `0` = ephemeral port for every service. */
  basePort?: number;
  /** Default `test`. */
  profile?: Profile;
  /** Subset of services to start. Default: all. */
  services?: readonly S[];
  /**
   * The OpenID Connect provider, on base port + 0 (ephemeral with basePort 0). Default: started
   * with its defaults; `false` = not started. Host and port come from the sandbox options.
   */
  idp?: false | Omit<StartIdpOptions, 'host' | 'port'>;
  /**
   * Authorization of customers, carts and orders (sandbox/src/http/authz.ts). `jwt` (default when
   * the IdP runs): a valid bearer access token of the sandbox IdP for the retail API with the
   * operation's scope, and only its own customer's data; `off` (default with `idp: false`): none.
   */
  authz?: AuthzMode;
}

export interface Sandbox<S extends ServiceName = ServiceName> {
  /** Base URL per started service, e.g. `http://127.0.0.1:4101`. */
  urls: Record<S, string>;
  profile: Profile;
  admin: SandboxAdmin<S>;
  /** The OpenID Connect provider (issuer, stats, token faults), unless started with `idp: false`. */
  idp: Idp | undefined;
  /** Whether customers, carts and orders verify bearer tokens. */
  authz: AuthzMode;
  close(): Promise<void>;
}
