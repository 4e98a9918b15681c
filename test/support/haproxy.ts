import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Debian package's binary (CI installs `haproxy`). */
export const HAPROXY_BINARY = '/usr/sbin/haproxy';
/** The reference configuration the suites run unchanged; its addresses come from the environment. */
export const HAPROXY_CONFIG = join(import.meta.dirname, '..', '..', 'deploy', 'haproxy', 'haproxy.cfg');
/** How many `server` lines the reference configuration declares (web1 … web3). */
export const HAPROXY_SERVER_SLOTS = 3;

/** One row of the runtime API's `show stat` (a frontend, a backend, or one server). */
export interface HaproxyStat {
  readonly proxy: string;
  /** `FRONTEND`, `BACKEND` or the server's name. */
  readonly name: string;
  /** `UP`, `DOWN`, `DOWN 1/2` (rising), `UP 1/1` (falling), `MAINT`, `OPEN`... */
  readonly status: string;
  /** Sessions (requests, in HTTP mode) sent to it since HAProxy started. */
  readonly sessions: number;
  /** 2xx responses it returned. */
  readonly responses2xx: number;
  /** Requests HAProxy retried (conn-failure and layer-7 retries) and redispatched to another server. */
  readonly retries: number;
  readonly redispatches: number;
}

export interface RunningHaproxy {
  readonly url: string;
  readonly child: ChildProcess;
  /** What HAProxy printed (one log line per request, state changes of the servers). */
  output(): string;
  stats(): Promise<HaproxyStat[]>;
  server(name: string): Promise<HaproxyStat>;
  /** Waits until every named server has exactly `status` (e.g. `UP` once its rise checks passed). */
  waitForStatus(names: readonly string[], status: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface StartHaproxyOptions {
  readonly port: number;
  /** `host:port` of each server slot, in order; unused slots point at a closed port (reported DOWN). */
  readonly servers: readonly string[];
}

/** Runs `haproxy -f deploy/haproxy/haproxy.cfg -db` (foreground, logs on stdout) with the test's addresses. */
export async function startHaproxy(options: StartHaproxyOptions): Promise<RunningHaproxy> {
  if (!existsSync(HAPROXY_BINARY)) throw new Error(`${HAPROXY_BINARY} is missing: apt-get install haproxy`);
  if (options.servers.length > HAPROXY_SERVER_SLOTS) throw new Error(`the reference configuration has ${HAPROXY_SERVER_SLOTS} servers`);
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-'));
  const socket = join(dir, 'admin.sock');
  const servers = Object.fromEntries(
    Array.from({ length: HAPROXY_SERVER_SLOTS }, (_, i) => [`WEB_BFF_${i + 1}`, options.servers[i] ?? '127.0.0.1:1']),
  );
  const child = spawn(HAPROXY_BINARY, ['-f', HAPROXY_CONFIG, '-db'], {
    env: { PATH: process.env.PATH ?? '', WEB_BFF_BIND: `127.0.0.1:${options.port}`, HAPROXY_STATS_SOCKET: socket, ...servers },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stats = async (): Promise<HaproxyStat[]> => parseShowStat(await runtimeCommand(socket, 'show stat'));
  const server = async (name: string): Promise<HaproxyStat> => {
    const row = (await stats()).find((stat) => stat.proxy === 'web_bff' && stat.name === name);
    if (!row) throw new Error(`HAProxy has no server ${name}`);
    return row;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}): ${output}`);
    if (existsSync(socket) && (await stats().catch(() => undefined))) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not start in 10 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url: `http://127.0.0.1:${options.port}`,
    child,
    output: () => output,
    stats,
    server,
    async waitForStatus(names, status, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const rows = await Promise.all(names.map((name) => server(name)));
        if (rows.every((row) => row.status === status)) return;
        if (Date.now() > until) {
          throw new Error(`servers not ${status} after ${timeoutMs} ms: ${rows.map((row) => `${row.name}=${row.status}`).join(', ')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop,
  };
}

/** One command on HAProxy's runtime API (the stats socket): it answers and closes the connection. */
function runtimeCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let answer = '';
    socket.setTimeout(3_000, () => socket.destroy(new Error(`no answer to '${command}'`)));
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** `show stat` is CSV whose first line, `# pxname,svname,...`, names the columns. */
function parseShowStat(csv: string): HaproxyStat[] {
  const [header = '', ...lines] = csv.trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const column = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cells = line.split(',');
      return {
        proxy: column(cells, 'pxname'),
        name: column(cells, 'svname'),
        status: column(cells, 'status'),
        sessions: Number(column(cells, 'stot')),
        responses2xx: Number(column(cells, 'hrsp_2xx')),
        retries: Number(column(cells, 'wretr')),
        redispatches: Number(column(cells, 'wredis')),
      };
    });
}
