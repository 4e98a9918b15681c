#!/usr/bin/env node
// `npm start`: the sandbox upstreams plus the three apps, built, with in-memory defaults (no Redis).
// Prints every URL; Ctrl-C (or SIGTERM) stops everything cleanly and leaves no orphan process.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const basePort = Number(process.env.SANDBOX_BASE_PORT ?? 4100);
const services = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'customers', 'carts', 'orders'];
const upstreamEnv = Object.fromEntries(services.map((s, i) => [`UPSTREAM_${s.toUpperCase()}_URL`, `http://127.0.0.1:${basePort + i + 1}`]));
const apps = [
  { name: 'web-bff', port: 3000 },
  { name: 'mobile-bff', port: 3001 },
  { name: 'partner-bff', port: 3002 },
];

const children = [];
let stopping = false;

function start(name, args, env, onLine) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const prefix = `[${name}]`.padEnd(14);
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        onLine?.(line);
        if (process.env.STACK_QUIET !== '1') process.stdout.write(`${prefix} ${line}\n`);
      }
    });
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    }
  });
  return child;
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    alive.map(
      (c) =>
        new Promise((resolve) => {
          const kill = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('sandbox did not start in 30 s')), 30_000);
  start('sandbox', ['sandbox/src/main.ts', '--profile', process.env.SANDBOX_PROFILE ?? 'dev', '--base-port', String(basePort)], {}, (line) => {
    if (line.includes('SANDBOX READY')) {
      clearTimeout(timer);
      resolve();
    }
  });
});

await Promise.all(
  apps.map(async (app) => {
    start(app.name, [join('dist/apps', app.name, 'main.js')], { ...upstreamEnv, PORT: String(app.port), NODE_ENV: 'development', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', CORS_ORIGINS: process.env.CORS_ORIGINS ?? 'http://localhost:5173' });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${app.port}/health/live`)).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${app.name} did not start in 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }),
).catch(async (error) => {
  console.error(error.message);
  await stop(1);
});

console.log('\nThe BFF platform is up:');
for (const app of apps) {
  console.log(`  ${app.name.padEnd(12)} http://localhost:${app.port}   docs: http://localhost:${app.port}/docs   openapi: http://localhost:${app.port}/docs-json`);
}
console.log('  sandbox      ' + services.map((s, i) => `${s} http://localhost:${basePort + i + 1}`).join(', '));
console.log('\nTry: curl http://localhost:3000/api/v1/pages/product/p-00001\nCtrl-C stops everything.\n');
