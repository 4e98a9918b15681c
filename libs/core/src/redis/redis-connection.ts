import { Cluster, Redis, type RedisOptions } from 'ioredis';

import type { CoreEnv } from '../config/core.env.js';

/** A connection to whichever topology REDIS_MODE names: a Redis (standalone, Sentinel) or a Cluster. */
export type RedisClient = Redis | Cluster;

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

/** Where Redis is and how to log in: the validated REDIS_* settings of CoreEnv. See docs/redis.md. */
export type RedisTopology =
  | { readonly mode: 'standalone'; readonly url: string }
  | {
      readonly mode: 'sentinel';
      readonly sentinels: readonly HostPort[];
      readonly masterName: string;
      readonly credentials: RedisCredentials;
    }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[]; readonly credentials: RedisCredentials };

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

interface RedisCredentials {
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
}

/** How one connection behaves; the same for every topology. */
export interface RedisClientOptions {
  readonly connectionName: string;
  /** Bound on each command (ioredis `commandTimeout`); undefined = none (a subscriber). */
  readonly commandTimeoutMs: number | undefined;
  readonly connectTimeoutMs: number;
  /** false: commands fail at once while disconnected instead of queueing. */
  readonly enableOfflineQueue: boolean;
  readonly maxRetriesPerRequest: number | null;
  /** Delay before reconnect attempt `attempt` (1-based). */
  readonly retryDelayMs: (attempt: number) => number;
  readonly lazyConnect?: boolean;
  readonly autoResendUnfulfilledCommands?: boolean;
  readonly scripts?: Record<string, { readonly lua: string; readonly numberOfKeys?: number }>;
}

/** The topology the REDIS_* settings describe; undefined when Redis is not configured (in-memory stores). */
export function redisTopologyOf(env: CoreEnv): RedisTopology | undefined {
  const credentials = { username: env.REDIS_USERNAME, password: env.REDIS_PASSWORD, tls: env.REDIS_TLS };
  switch (env.REDIS_MODE) {
    case 'standalone':
      return env.REDIS_URL ? { mode: 'standalone', url: env.REDIS_URL } : undefined;
    case 'sentinel':
      return {
        mode: 'sentinel',
        sentinels: env.REDIS_SENTINELS.map(parseHostPort),
        masterName: env.REDIS_SENTINEL_NAME ?? '',
        credentials,
      };
    case 'cluster':
      return { mode: 'cluster', nodes: env.REDIS_CLUSTER_NODES.map(parseHostPort), credentials };
  }
}

/**
 * The one place a Redis connection is made, for every lib (sessions, rate limits, partner keys,
 * cache). Standalone: REDIS_URL. Sentinel: asks the sentinels for the current master and follows
 * failovers (`+switch-master`), reconnecting to the new master. Cluster: routes each command to
 * the master of its key's slot and follows MOVED/ASK; a command touching several keys must keep
 * them in one slot with a `{hash tag}`.
 */
export function createRedisClient(topology: RedisTopology, options: RedisClientOptions): RedisClient {
  const common: RedisOptions = {
    connectionName: options.connectionName,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs,
    maxRetriesPerRequest: options.maxRetriesPerRequest,
    autoResendUnfulfilledCommands: options.autoResendUnfulfilledCommands ?? true,
  };
  const scripts = options.scripts && Object.fromEntries(Object.entries(options.scripts).map(([name, script]) => [name, { ...script }]));
  switch (topology.mode) {
    case 'standalone':
      return new Redis(topology.url, {
        ...common,
        lazyConnect: options.lazyConnect ?? false,
        enableOfflineQueue: options.enableOfflineQueue,
        retryStrategy: options.retryDelayMs,
        scripts,
      });
    case 'sentinel':
      return new Redis({
        ...common,
        ...credentialsOf(topology.credentials),
        sentinels: topology.sentinels.map((node) => ({ ...node })),
        name: topology.masterName,
        role: 'master',
        sentinelUsername: topology.credentials.username,
        sentinelPassword: topology.credentials.password,
        enableTLSForSentinelMode: topology.credentials.tls,
        // Subscribes to the sentinels' +switch-master so a failover is followed at once, not at the next error.
        failoverDetector: true,
        // A demoted master answers READONLY until the switch is noticed: reconnect (through the sentinels) and resend.
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
        sentinelRetryStrategy: options.retryDelayMs,
        lazyConnect: options.lazyConnect ?? false,
        enableOfflineQueue: options.enableOfflineQueue,
        retryStrategy: options.retryDelayMs,
        scripts,
      });
    case 'cluster':
      return new Cluster(
        topology.nodes.map((node) => ({ ...node })),
        {
          lazyConnect: options.lazyConnect ?? false,
          enableOfflineQueue: options.enableOfflineQueue,
          clusterRetryStrategy: options.retryDelayMs,
          // A replica promoted after a master fails answers MOVED/CLUSTERDOWN for a moment: retry shortly.
          retryDelayOnFailover: 100,
          retryDelayOnClusterDown: 100,
          scripts,
          redisOptions: { ...common, ...credentialsOf(topology.credentials) },
        },
      );
  }
}

/** Whether `client` is a Cluster connection (commands on keys of different slots must be sent one by one). */
export function isRedisCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * The masters to iterate for SCAN/KEYS (a Cluster spreads keys over several); the client itself otherwise.
 */
export function redisMasters(client: RedisClient): Redis[] {
  return isRedisCluster(client) ? client.nodes('master') : [client];
}

function credentialsOf(credentials: RedisCredentials): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  return {
    username: credentials.username,
    password: credentials.password,
    tls: credentials.tls ? {} : undefined,
  };
}

export function parseHostPort(entry: string): HostPort {
  const separator = entry.lastIndexOf(':');
  const host = entry.slice(0, separator).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(entry.slice(separator + 1)) };
}
