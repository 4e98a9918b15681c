import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { PRODUCTION_NODE_FLAGS } from '../../scripts/production-node-flags.ts';

const ROOT = join(import.meta.dirname, '..', '..');

/** Path of an app's production entry point; `npm test` builds dist/ first. */
export function entryPoint(app: string): string {
  const path = join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (npm test does it)`);
  return path;
}

/**
 * A loopback port that is free now, for servers that must know their port before they listen (an
 * app spawned with PORT=, a redirect URI registered at the IdP first). It is picked at random BELOW
 * the kernel's ephemeral range: `listen(0)` and every outgoing connection (of this and any parallel
 * test file) take their ports from that range, so between this check and the real listen() only
 * another random pick in the same window can collide. Callers that cannot tolerate even that retry
 * on EADDRINUSE (see startApp, startWebAuthStack).
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  const floor = 10_000;
  const ceiling = Math.max(floor + 1_000, low - 1);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = floor + Math.floor(Math.random() * (ceiling - floor));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free loopback port found between ${floor} and ${ceiling}`);
}

/** True when EADDRINUSE (or similar) happened: the port was taken between freePort() and listen(). */
export function isAddressInUse(error: unknown): boolean {
  return /EADDRINUSE/.test(String((error as { code?: string } | undefined)?.code ?? '') + String(error));
}

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
  } catch {
    // not Linux: use the IANA dynamic range
  }
  return [49_152, 65_535];
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface RunningApp {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts `node <production flags> dist/apps/<app>/main.js` exactly as production does, configured only by env. */
export function spawnApp(
  app: string,
  env: Record<string, string>,
): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, entryPoint(app)], {
    cwd: ROOT,
    // METRICS_PORT=0: an ephemeral management port, so apps spawned by parallel suites never collide on 9464.
    env: { PATH: process.env.PATH ?? '', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

export async function startApp(app: string, env: Record<string, string>): Promise<RunningApp> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startAppOnce(app, env);
    } catch (error) {
      // Another process took the port between freePort() and the app's listen(): pick another one.
      if (attempt < 3 && isAddressInUse(error)) continue;
      throw error;
    }
  }
}

async function startAppOnce(app: string, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  const proc = spawnApp(app, { HOST: '127.0.0.1', PORT: String(port), ...env });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.child.exitCode !== null) throw new Error(`${app} exited early (${proc.child.exitCode}): ${proc.err()}`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      proc.child.kill('SIGKILL');
      throw new Error(`${app} did not become live in 20 s: ${proc.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child: proc.child, url, stdout: proc.out, stderr: proc.err, exited: proc.exited };
}
