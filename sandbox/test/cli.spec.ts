import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { getJson } from './support.ts';

const mainTs = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function launch(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [mainTs, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
}

function waitForReady(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no SANDBOX READY within 10s:\n${output}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('SANDBOX READY\n')) {
        clearTimeout(timer);
        resolve(output);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}:\n${output}`));
    });
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('CLI (node sandbox/src/main.ts)', () => {
  it('prints every service URL, serves them, and exits 0 on SIGTERM', async () => {
    const child = launch(['--profile', 'bench', '--base-port', '0']);
    const output = await waitForReady(child);
    const urls = [...output.matchAll(/^\s+(\w+)\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(\2\/openapi\.json\)$/gm)];
    expect(urls.map((m) => m[1])).toEqual([
      'catalog',
      'pricing',
      'inventory',
      'reviews',
      'recommendations',
      'customers',
      'carts',
      'orders',
    ]);
    for (const match of urls) {
      expect((await getJson(`${match[2]}/health`)).body).toEqual({ status: 'ok' });
    }
    expect(output).toContain('profile=bench');
    const exited = exitCode(child);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('reads SANDBOX_PROFILE / SANDBOX_BASE_PORT and exits 0 on SIGINT', async () => {
    const child = launch([], { SANDBOX_PROFILE: 'test', SANDBOX_BASE_PORT: '0' });
    const output = await waitForReady(child);
    expect(output).toContain('profile=test');
    const exited = exitCode(child);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('rejects an unknown profile with exit code 2', async () => {
    const child = launch(['--profile', 'nope', '--base-port', '0']);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    expect(await exitCode(child)).toBe(2);
    expect(stderr).toContain("unknown profile 'nope'");
  });
});
