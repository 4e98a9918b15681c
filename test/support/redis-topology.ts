import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { Cluster, Redis } from 'ioredis';

import { pingRedis } from './redis.js';

/**
 * Real local Redis topologies started from `redis-server` for the high-availability suites: a
 * 3-master Cluster and a Sentinel set (master, replica, 3 sentinels). Nothing is persisted; every
 * process is SIGKILLed by `stop()`. Ports are fixed (7100-7199) so a leftover from a crashed run is
 * seen at once (the start fails on a port in use) instead of being joined by mistake.
 */

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

class Processes {
  private readonly children: ChildProcess[] = [];

  /** Starts `redis-server args` and waits until it answers PING on `port`. */
  async redisServer(port: number, args: readonly string[]): Promise<ChildProcess> {
    if (await pingRedis(`redis://127.0.0.1:${port}`)) throw new Error(`port ${port} already has a Redis: a leftover of an earlier run?`);
    const child = spawn('redis-server', [...args], { stdio: 'ignore' });
    this.children.push(child);
    const deadline = Date.now() + 10_000;
    while (child.exitCode === null && !(await pingRedis(`redis://127.0.0.1:${port}`))) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start`);
      await sleep(50);
    }
    if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (${child.exitCode})`);
    return child;
  }

  async killAll(): Promise<void> {
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
  }
}

const NO_PERSISTENCE = ['--save', '', '--appendonly', 'no', '--daemonize', 'no', '--bind', '127.0.0.1'];

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function command(port: number, ...args: string[]): Promise<string> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return String(await client.call(args[0], ...args.slice(1)));
  } finally {
    client.disconnect();
  }
}

export interface RedisClusterTopology {
  /** `host:port` of the masters. */
  readonly nodes: readonly string[];
  /** The app settings that select this cluster (REDIS_URL is cleared: a runner's own must not leak in). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A client of the test's own (checks and cleanup). */
  connect(): Cluster;
  stop(): Promise<void>;
}

/** Three masters (slots split by `redis-cli --cluster create`), no replicas; ready when every node says cluster_state:ok. */
export async function startRedisCluster(ports: readonly [number, number, number] = [7100, 7101, 7102]): Promise<RedisClusterTopology> {
  const processes = new Processes();
  const dir = await mkdtemp(join(tmpdir(), 'bff-redis-cluster-'));
  const stop = async () => {
    await processes.killAll();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      ports.map((port) =>
        processes.redisServer(port, [
          '--port',
          String(port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--dir',
          dir,
          ...NO_PERSISTENCE,
        ]),
      ),
    );
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-yes'], { timeout: 30_000 });
    for (const port of ports) {
      await until(async () => (await command(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), 20_000, `cluster_state:ok on ${port}`);
    }
    return {
      nodes,
      env: { REDIS_URL: undefined, REDIS_MODE: 'cluster', REDIS_CLUSTER_NODES: nodes.join(',') },
      connect: () => {
        const cluster = new Cluster(
          ports.map((port) => ({ host: '127.0.0.1', port })),
          { redisOptions: { maxRetriesPerRequest: 1 } },
        );
        cluster.on('error', () => undefined);
        return cluster;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface RedisSentinelTopology {
  readonly masterName: string;
  /** `host:port` of the three sentinels. */
  readonly sentinels: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The port of the current master, as the sentinels report it. */
  masterPort(): Promise<number>;
  /**
   * `SENTINEL FAILOVER`: the replica is promoted and the old master becomes its replica. Resolves
   * once the sentinels name the new master and it answers as a master; returns the ports.
   */
  failover(): Promise<{ from: number; to: number }>;
  /** Resolves once the replica has every write the master has (replication is asynchronous). */
  replicated(): Promise<void>;
  /** A client of the test's own, through the sentinels. */
  connect(): Redis;
  stop(): Promise<void>;
}

/**
 * Master + replica + 3 sentinels (quorum 2). `down-after-milliseconds` 1000 and `failover-timeout`
 * 5000, so a failover (forced or after the master dies) completes in a few seconds.
 */
export async function startRedisSentinel(
  options: { masterPort?: number; replicaPort?: number; sentinelPorts?: readonly [number, number, number]; masterName?: string } = {},
): Promise<RedisSentinelTopology> {
  const masterPort = options.masterPort ?? 7110;
  const replicaPort = options.replicaPort ?? 7111;
  const sentinelPorts = options.sentinelPorts ?? [7120, 7121, 7122];
  const masterName = options.masterName ?? 'bff-ha';
  const processes = new Processes();
  const dir = await mkdtemp(join(tmpdir(), 'bff-redis-sentinel-'));
  const stop = async () => {
    await processes.killAll();
    await rm(dir, { recursive: true, force: true });
  };
  const sentinels = sentinelPorts.map((port) => `127.0.0.1:${port}`);
  const masterPortNow = async (): Promise<number> => {
    const answer = await askSentinel(sentinelPorts[0], masterName);
    return answer;
  };
  try {
    await processes.redisServer(masterPort, ['--port', String(masterPort), '--dir', dir, ...NO_PERSISTENCE]);
    await processes.redisServer(replicaPort, [
      '--port',
      String(replicaPort),
      '--replicaof',
      '127.0.0.1',
      String(masterPort),
      '--dir',
      dir,
      ...NO_PERSISTENCE,
    ]);
    await until(
      async () => (await command(replicaPort, 'INFO', 'replication')).includes('master_link_status:up'),
      10_000,
      'the replica to sync',
    );
    for (const port of sentinelPorts) {
      const file = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its config file (known sentinels, current master): one writable file each.
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 1`,
          '',
        ].join('\n'),
      );
      await processes.redisServer(port, [file, '--sentinel']);
    }
    // Each sentinel must know the others and the replica before a failover can be agreed on.
    for (const port of sentinelPorts) {
      await until(
        async () => {
          const master = await sentinelMaster(port, masterName);
          return Number(master['num-other-sentinels']) === 2 && Number(master['num-slaves']) === 1;
        },
        20_000,
        `sentinel ${port} to see the other sentinels and the replica`,
      );
    }
    return {
      masterName,
      sentinels,
      env: { REDIS_URL: undefined, REDIS_MODE: 'sentinel', REDIS_SENTINELS: sentinels.join(','), REDIS_SENTINEL_NAME: masterName },
      masterPort: masterPortNow,
      async failover() {
        const from = await masterPortNow();
        await command(sentinelPorts[0], 'SENTINEL', 'FAILOVER', masterName);
        let to = from;
        await until(
          async () => {
            to = await masterPortNow();
            return to !== from && (await command(to, 'ROLE')).startsWith('master');
          },
          20_000,
          'the sentinels to promote the replica',
        );
        return { from, to };
      },
      async replicated() {
        const master = await masterPortNow();
        const replica = master === masterPort ? replicaPort : masterPort;
        const offsetOf = async (port: number, field: string) =>
          Number(new RegExp(`${field}:(\\d+)`).exec(await command(port, 'INFO', 'replication'))?.[1] ?? -1);
        await until(
          async () => (await offsetOf(replica, 'slave_repl_offset')) >= (await offsetOf(master, 'master_repl_offset')),
          10_000,
          'the replica to catch up',
        );
      },
      connect: () => {
        const client = new Redis({
          sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })),
          name: masterName,
          maxRetriesPerRequest: 1,
        });
        client.on('error', () => undefined);
        return client;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function sentinelMaster(port: number, masterName: string): Promise<Record<string, string>> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const flat = (await client.call('SENTINEL', 'MASTER', masterName)) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]] = flat[i + 1]!;
    return fields;
  } finally {
    client.disconnect();
  }
}

async function askSentinel(port: number, masterName: string): Promise<number> {
  const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const [, masterPort] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
    return Number(masterPort);
  } finally {
    client.disconnect();
  }
}
