// Starting what a scenario measures: the sandbox upstreams, the apps (exactly as production starts
// them) and the raw baselines, each on a free loopback port.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { PRODUCTION_NODE_FLAGS } from '../../scripts/production-node-flags.ts';
import { waitLive } from './http.mjs';
import { ROOT } from './processes.mjs';

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 30_000;

/** Asks the OS for a free loopback port (for the apps, which take PORT from the environment). */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** The production entry point of an app: this checkout's build, or the build in another checkout's `root`. */
export function appEntry(app, root) {
  return root === undefined ? join('dist', 'apps', app, 'main.js') : join(root, 'dist', 'apps', app, 'main.js');
}

export function assertBuilt(apps) {
  const missing = apps.map((app) => appEntry(app)).filter((entry) => !existsSync(join(ROOT, entry)));
  if (missing.length) throw new Error(`${missing.join(', ')} missing: build first (drop --no-build, or run npm run build)`);
}

/** A peer under bench/peers/<name>/: its own tsconfig.json compiles src/ into its (git-ignored) dist/. */
function peerDir(peer) {
  return join('bench', 'peers', peer);
}

/**
 * Compiles each peer with tsc (Nest's decorators need a compile step). The peers belong to the harness, so
 * they are compiled on every run that uses one, --no-build included; a failed compile throws with tsc's output.
 */
export function buildPeers(peers) {
  for (const peer of peers) {
    rmSync(join(ROOT, peerDir(peer), 'dist'), { recursive: true, force: true });
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(peerDir(peer), 'tsconfig.json')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (tsc.status !== 0) throw new Error(`compiling ${peerDir(peer)} failed:\n${tsc.stdout}${tsc.stderr}`);
  }
}

/** The sandbox upstreams in their own process (bench/lib/sandbox-server.mjs), ephemeral ports. */
export async function startSandbox(procs, profile) {
  const child = procs.spawnNode(`sandbox (${profile})`, 'bench/lib/sandbox-server.mjs', { args: [profile], keepStdin: true });
  try {
    const ready = await child.waitForJsonLine((j) => typeof j?.urls === 'object', START_TIMEOUT_MS);
    return { profile, urls: ready.urls, idp: ready.idp ?? undefined, child, pid: child.pid };
  } catch (error) {
    await procs.stop(child, 2_000);
    throw error;
  }
}

export function upstreamEnv(sandbox) {
  return Object.fromEntries(Object.entries(sandbox.urls).map(([service, url]) => [`UPSTREAM_${service.toUpperCase()}_URL`, url]));
}

/** What hooks and appEnv() see of the sandbox: { profile, urls, idp: { issuer, url } | undefined }. */
export function sandboxInfo(sandbox) {
  return { profile: sandbox.profile, urls: sandbox.urls, idp: sandbox.idp };
}

/**
 * node <production flags> [nodeArgs] dist/apps/<app>/main.js with NODE_ENV=production, a production log level, PORT,
 * UPSTREAM_*_URL, the app's boot env (`appEnv(app, sandbox)`: what it needs to start at all) and `env`.
 */
export async function startApp(procs, app, { sandbox, appEnv, env = {}, logLevel, nodeArgs = [], label = app, root }) {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const baseUrl = `http://${HOST}:${port}`;
    const child = procs.spawnNode(label, appEntry(app, root), {
      nodeArgs: [...PRODUCTION_NODE_FLAGS, ...nodeArgs],
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: logLevel,
        HOST,
        PORT: String(port),
        // The management port runs as in production, on an ephemeral port: apps measured side by side never collide.
        METRICS_PORT: '0',
        ...upstreamEnv(sandbox),
        ...(appEnv?.(app, sandboxInfo(sandbox)) ?? {}),
        ...env,
      },
    });
    try {
      const coldStartMs = await waitLive(child, baseUrl, { timeoutMs: START_TIMEOUT_MS });
      return { child, pid: child.pid, baseUrl, coldStartMs };
    } catch (error) {
      await procs.stop(child, 2_000);
      // Another process may have taken the port between freePort() and the app's listen().
      if (attempt < 3 && /EADDRINUSE/.test(child.output())) continue;
      throw error;
    }
  }
}

/**
 * A baseline script under bench/baselines/ (or a compiled peer) that listens on port 0 and prints {"listening": url}. It runs
 * with the apps' production node flags: the comparison is about the framework, not the runtime's settings.
 */
async function startBaseline(procs, script, { sandbox, env = {}, label }) {
  const child = procs.spawnNode(label, script, {
    keepStdin: true,
    nodeArgs: [...PRODUCTION_NODE_FLAGS],
    env: { HOST, PORT: '0', ...upstreamEnv(sandbox), ...env },
  });
  try {
    const { listening } = await child.waitForJsonLine((j) => typeof j?.listening === 'string', START_TIMEOUT_MS);
    const coldStartMs = await waitLive(child, listening, { timeoutMs: START_TIMEOUT_MS });
    return { child, pid: child.pid, baseUrl: listening, coldStartMs };
  } catch (error) {
    await procs.stop(child, 2_000);
    throw error;
  }
}

/** Starts one scenario target (see bench/scenarios.mjs); `shared` targets are not ours to stop. */
export async function startTarget(procs, def, { sandbox, appEnv, logLevel, nodeArgs = [] }) {
  switch (def.kind) {
    case 'app':
      return {
        ...(await startApp(procs, def.app, {
          sandbox,
          appEnv,
          env: def.env,
          logLevel,
          nodeArgs: [...(def.nodeArgs ?? []), ...nodeArgs],
          label: def.label,
          root: def.root,
        })),
        shared: false,
      };
    case 'raw-aggregator':
      return {
        ...(await startBaseline(procs, 'bench/baselines/raw-aggregator.mjs', { sandbox, env: def.env, label: def.label })),
        shared: false,
      };
    case 'raw-static':
      return {
        ...(await startBaseline(procs, 'bench/baselines/raw-static.mjs', { sandbox, env: def.env, label: def.label })),
        shared: false,
      };
    case 'peer':
      return {
        ...(await startBaseline(procs, join(peerDir(def.peer), 'dist', 'main.js'), { sandbox, env: def.env, label: def.label })),
        shared: false,
      };
    case 'upstream': {
      const baseUrl = sandbox.urls[def.service];
      if (!baseUrl) throw new Error(`the sandbox has no service '${def.service}'`);
      return { child: sandbox.child, pid: sandbox.pid, baseUrl, coldStartMs: undefined, shared: true };
    }
    default:
      throw new Error(`unknown target kind '${def.kind}'`);
  }
}
