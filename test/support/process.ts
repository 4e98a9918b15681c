import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** Path of an app's production entry point; `npm test` builds dist/ first. */
export function entryPoint(app: string): string {
  const path = join(ROOT, 'dist', 'apps', app, 'main.js');
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` (npm test does it)`);
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
}

/** Starts `node dist/apps/<app>/main.js` exactly as production does, configured only by env. */
export function spawnApp(app: string, env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [entryPoint(app)], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

export async function startApp(app: string, env: Record<string, string>): Promise<RunningApp> {
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
