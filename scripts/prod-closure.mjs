#!/usr/bin/env node
/**
 * Proves that the built apps run with production dependencies only — what the
 * Docker image ships (`npm ci --omit=dev --ignore-scripts` + dist/) — without
 * needing Docker.
 *
 *   npm run build && node scripts/prod-closure.mjs [app ...] [--keep]
 *
 * Steps:
 *   1. copy package.json, package-lock.json and dist/ into a fresh temp dir;
 *   2. `npm ci --omit=dev --ignore-scripts --no-audit --no-fund` there;
 *   3. for each app: start `node <entry>` from the temp dir on a free port with
 *      a minimal environment, poll GET /health/live until 200 (20 s), send
 *      SIGTERM and require exit code 0 within 15 s.
 * Prints PASS/FAIL per app; exits 1 on any failure. Child processes and the
 * temp dir are always cleaned up (`--keep` keeps the temp dir for debugging).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';

import { PRODUCTION_NODE_FLAGS } from './production-node-flags.ts';

// ---------------------------------------------------------------------------
// Contract with the build: which apps exist and where their entry point is
// (relative to the repo root / the temp install dir).
// ---------------------------------------------------------------------------
const APPS = {
  'web-bff': 'dist/apps/web-bff/main.js',
  'mobile-bff': 'dist/apps/mobile-bff/main.js',
  'partner-bff': 'dist/apps/partner-bff/main.js',
};

const HEALTH_PATH = '/health/live';
const READY_TIMEOUT_MS = 20_000;
const EXIT_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 200;
const UPSTREAMS = ['CATALOG', 'PRICING', 'INVENTORY', 'REVIEWS', 'RECOMMENDATIONS', 'CUSTOMERS', 'CARTS', 'ORDERS'];
/** Never contacted by /health/live; port 9 (discard) on loopback is simply unreachable. */
const UNREACHABLE_UPSTREAM = 'http://127.0.0.1:9';
const OUTPUT_TAIL_CHARS = 4_000;

const ROOT = resolve(import.meta.dirname, '..');

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------
const args = process.argv.slice(2);
const keepTemp = args.includes('--keep');
const requested = args.filter((arg) => !arg.startsWith('--'));
const unknown = requested.filter((app) => !(app in APPS));
if (unknown.length > 0) {
  console.error(`prod-closure: unknown app(s): ${unknown.join(', ')} (known: ${Object.keys(APPS).join(', ')})`);
  process.exit(2);
}
const selected = requested.length > 0 ? requested : Object.keys(APPS);

// ---------------------------------------------------------------------------
// Cleanup bookkeeping: always kill children and remove the temp dir.
// ---------------------------------------------------------------------------
/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
let tempDir;

function cleanup() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  children.clear();
  if (tempDir && !keepTemp) {
    rmSync(tempDir, { recursive: true, force: true });
    tempDir = undefined;
  }
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`\nprod-closure: received ${signal}, cleaning up`);
    cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------
function fail(message) {
  console.error(`prod-closure: ${message}`);
  process.exit(1);
}

/** Keeps the last `OUTPUT_TAIL_CHARS` of a stream for diagnostics. */
function tail(stream) {
  const buffer = { text: '' };
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk) => {
    buffer.text = (buffer.text + chunk).slice(-OUTPUT_TAIL_CHARS);
  });
  return buffer;
}

/** Resolves when the child exits: { code, signal }. */
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

/** Runs a command to completion, inheriting stdio. */
async function run(command, commandArgs, options) {
  const child = spawn(command, commandArgs, { stdio: 'inherit', ...options });
  children.add(child);
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  const { code, signal } = await Promise.race([exited(child), spawnError]);
  children.delete(child);
  if (code !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${signal ?? `exit code ${code}`})`);
  }
}

/** Asks the OS for a free loopback port. */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** node_modules directories above `dir` that Node's resolver would also search. */
function ancestorNodeModules(dir) {
  const found = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    const candidate = join(current, 'node_modules');
    if (existsSync(candidate)) found.push(candidate);
    if (dirname(current) === current) break;
  }
  return found;
}

/** Minimal, explicit environment: nothing from the dev shell (NODE_OPTIONS, NODE_PATH, ...) leaks in. */
function appEnv(port) {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? tempDir,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    // An ephemeral management port: the closure check may run beside other apps.
    METRICS_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  for (const upstream of UPSTREAMS) env[`UPSTREAM_${upstream}_URL`] = UNREACHABLE_UPSTREAM;
  // mobile-bff's bearer-JWT settings; its IdP keys are fetched lazily, so an unreachable issuer still boots.
  env.JWT_ISSUER = UNREACHABLE_UPSTREAM;
  env.JWT_AUDIENCE = 'mobile-bff';
  // web-bff's session client; the IdP is discovered lazily (a failed prefetch is only logged), so it boots too.
  env.OIDC_ISSUER_URL = UNREACHABLE_UPSTREAM;
  env.OIDC_CLIENT_ID = 'web-bff';
  env.OIDC_CLIENT_SECRET = 'prod-closure-placeholder-secret';
  env.OIDC_REDIRECT_URI = 'https://shop.example.com/auth/callback';
  env.UPSTREAM_AUTH_ISSUER = UNREACHABLE_UPSTREAM;
  env.UPSTREAM_AUTH_CLIENT_ID = 'partner-gateway';
  env.UPSTREAM_AUTH_CLIENT_SECRET = 'prod-closure-placeholder-secret';
  return env;
}

async function checkApp(app, entry) {
  const started = Date.now();
  const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

  if (!existsSync(join(tempDir, entry))) {
    return { ok: false, detail: `${entry} not found in dist/ (not built, or the build layout changed)` };
  }

  const port = await freePort();
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, entry], {
    cwd: tempDir,
    env: appEnv(port),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const output = () =>
    [
      stdout.text.trim() && `--- stdout (tail) ---\n${stdout.text.trim()}`,
      stderr.text.trim() && `--- stderr (tail) ---\n${stderr.text.trim()}`,
    ]
      .filter(Boolean)
      .join('\n');
  let spawnError;
  child.once('error', (error) => {
    spawnError = error;
  });

  try {
    // 1) Wait for liveness.
    const url = `http://127.0.0.1:${port}${HEALTH_PATH}`;
    let lastProblem = 'no response';
    let live = false;
    while (Date.now() - started < READY_TIMEOUT_MS) {
      if (spawnError) return { ok: false, detail: `spawn failed: ${spawnError.message}` };
      if (child.exitCode !== null || child.signalCode !== null) {
        return {
          ok: false,
          detail: `exited before becoming live (${child.signalCode ?? `exit code ${child.exitCode}`}) after ${seconds()}`,
          output: output(),
        };
      }
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
        await response.body?.cancel();
        if (response.status === 200) {
          live = true;
          break;
        }
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = error.cause?.code ?? error.name ?? String(error);
      }
      await sleep(POLL_INTERVAL_MS);
    }
    if (!live) {
      return {
        ok: false,
        detail: `GET ${HEALTH_PATH} not 200 within ${READY_TIMEOUT_MS / 1000}s (last: ${lastProblem})`,
        output: output(),
      };
    }
    const liveAfter = seconds();

    // 2) Graceful shutdown on SIGTERM.
    const stopAt = Date.now();
    child.kill('SIGTERM');
    const result = await Promise.race([exited(child), sleep(EXIT_TIMEOUT_MS).then(() => 'timeout')]);
    if (result === 'timeout') {
      return {
        ok: false,
        detail: `live after ${liveAfter}, but did not exit within ${EXIT_TIMEOUT_MS / 1000}s of SIGTERM`,
        output: output(),
      };
    }
    const stoppedIn = `${((Date.now() - stopAt) / 1000).toFixed(1)}s`;
    if (result.code !== 0) {
      return {
        ok: false,
        detail: `live after ${liveAfter}, but SIGTERM ended it with ${result.signal ?? `exit code ${result.code}`} (expected exit code 0)`,
        output: output(),
      };
    }
    return { ok: true, detail: `live after ${liveAfter} on port ${port}; SIGTERM -> exit 0 in ${stoppedIn}` };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    children.delete(child);
  }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------
for (const file of ['package.json', 'package-lock.json']) {
  if (!existsSync(join(ROOT, file))) fail(`${file} not found in ${ROOT}`);
}
if (!existsSync(join(ROOT, 'dist'))) fail('dist/ not found — run `npm run build` first.');

tempDir = mkdtempSync(join(tmpdir(), 'bff-prod-closure-'));
console.log(`prod-closure: temp dir ${tempDir}${keepTemp ? ' (kept: --keep)' : ''}`);

const leaks = ancestorNodeModules(tempDir);
if (leaks.length > 0) {
  fail(
    `node_modules found above the temp dir (${leaks.join(', ')}); Node would resolve packages from there ` +
      'and the check would not be hermetic. Set TMPDIR to a clean location.',
  );
}

cpSync(join(ROOT, 'package.json'), join(tempDir, 'package.json'));
cpSync(join(ROOT, 'package-lock.json'), join(tempDir, 'package-lock.json'));
cpSync(join(ROOT, 'dist'), join(tempDir, 'dist'), { recursive: true });

console.log('prod-closure: npm ci --omit=dev --ignore-scripts --no-audit --no-fund');
try {
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], {
    cwd: tempDir,
    env: { ...process.env, NODE_ENV: 'production' },
  });
} catch (error) {
  fail(error.message);
}
const nodeModules = join(tempDir, 'node_modules');
const installed = existsSync(nodeModules) ? readdirSync(nodeModules).filter((name) => !name.startsWith('.')) : [];
console.log(`prod-closure: production install has ${installed.length} top-level entries in node_modules`);

let failures = 0;
for (const app of selected) {
  const entry = APPS[app];
  let result;
  try {
    result = await checkApp(app, entry);
  } catch (error) {
    result = { ok: false, detail: `unexpected error: ${error.stack ?? error}` };
  }
  if (result.ok) {
    console.log(`PASS  ${app}  ${result.detail}`);
  } else {
    failures++;
    console.error(`FAIL  ${app}  ${result.detail}`);
    if (result.output) console.error(result.output.replace(/^/gm, '      '));
  }
}

cleanup();
if (failures > 0) {
  console.error(`\nprod-closure: ${failures}/${selected.length} app(s) failed`);
  process.exit(1);
}
console.log(`\nprod-closure: all ${selected.length} app(s) run on production dependencies only`);
