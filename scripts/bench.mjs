#!/usr/bin/env node
/**
 * `npm run bench`: the performance benchmark (method, targets, how to add a scenario:
 * docs/performance.md).
 *
 *   node scripts/bench.mjs [--quick] [--no-build] [--only <id>[,<id>...]] [--profile <id>]
 *                          [--rounds N] [--duration S] [--warmup S] [--connections N] [--spawns N]
 *                          [--log-level warn] [--scenarios <file>] [--list]
 *
 * 1. builds the apps (node scripts/build.mjs) unless --no-build, and compiles the peers the selected scenarios
 *    use (bench/peers/<name>, always);
 * 2. starts the sandbox upstreams in benchmark mode (profile bench; bench-20ms for the 20 ms scenario);
 * 3. measures each app's cold start and idle RSS, then every scenario: the app started as production
 *    starts it vs its baseline (raw aggregator, raw static, the upstream itself, or the same app with
 *    auth off), alternated A B, B A, A B ...;
 * 4. prints a table and writes bench/results/<timestamp>-<mode>.{json,md} and, for a complete full run,
 *    bench/results/latest.{md,json}.
 *
 * Exit code: 0 when the harness worked — whether or not the numbers meet their targets (CI does not
 * judge numbers); 1 when a target failed to start, answered wrong (status, shape, upstream calls)
 * or anything else broke; 2 on a usage error; 130 on Ctrl-C. Child processes are always stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { profilesOf, topSelfTime } from '../bench/lib/cpuprofile.mjs';
import { stopLoad } from '../bench/lib/load.mjs';
import { Processes, relativeToRoot, ROOT } from '../bench/lib/processes.mjs';
import { consoleReport, RESULTS_DIR, writeReports } from '../bench/lib/report.mjs';
import { fmt, NOISE, Runner } from '../bench/lib/runner.mjs';
import { cpuDelta, cpuTimes, machine } from '../bench/lib/system.mjs';
import { assertBuilt, buildPeers } from '../bench/lib/targets.mjs';

const USAGE = `usage: node scripts/bench.mjs [options]
  --quick              CI mode: 1 round, 3 s per target, 1 s warm-up, 1 spawn per app
  --no-build           skip node scripts/build.mjs (use the existing dist/)
  --only <ids>         run only these scenarios (comma-separated; see --list)
  --profile <id>       run the scenario's app under load with node --cpu-prof, print the top 10 self-time functions
  --rounds <n>         rounds per scenario, targets alternated A B, B A, ... (default 8)
  --duration <s>       measured seconds per target per round (default 4)
  --warmup <s>         warm-up seconds per target (default 3)
  --connections <n>    concurrent connections (default 50)
  --spawns <n>         cold starts per app for the startup table (default 3)
  --log-level <level>  LOG_LEVEL of the apps (default warn)
  --scenarios <file>   scenario module to use instead of bench/scenarios.mjs (same exports)
  --list               list the scenarios and exit`;

function usage(message) {
  if (message) console.error(`bench: ${message}`);
  console.error(USAGE);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      spawns: { type: 'string' },
      'log-level': { type: 'string' },
      scenarios: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  usage(error.message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const scenarioModule = resolve(args.scenarios ?? join(ROOT, 'bench/scenarios.mjs'));
const { APPS, PENDING = [], SCENARIOS, STARTUP_TARGETS, appEnv } = await import(pathToFileURL(scenarioModule).href);

if (args.list) {
  for (const s of SCENARIOS) console.log(`${s.id.padEnd(26)} ${s.title}`);
  for (const p of PENDING) console.log(`${p.id.padEnd(26)} (not measured yet: needs ${p.needs}) ${p.title}`);
  process.exit(0);
}

function positive(name, raw, fallback, { integer = true } = {}) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    usage(`--${name} must be a positive ${integer ? 'integer' : 'number'}`);
  return n;
}

const quick = args.quick;
const options = {
  rounds: positive('rounds', args.rounds, quick ? 1 : 8),
  durationS: positive('duration', args.duration, quick ? 3 : 4, { integer: false }),
  warmupS: positive('warmup', args.warmup, quick ? 1 : 3, { integer: false }),
  connections: positive('connections', args.connections, 50),
  connectionsOverride: args.connections === undefined ? undefined : Number(args.connections),
  spawns: positive('spawns', args.spawns, quick ? 1 : 3),
  logLevel: args['log-level'] ?? 'warn',
};
if (args.profile !== undefined) options.rounds = 1;

const byId = new Map(SCENARIOS.map((s) => [s.id, s]));
const pendingIds = new Set(PENDING.map((p) => p.id));
function scenarioOrExit(id) {
  const s = byId.get(id);
  if (s) return s;
  if (pendingIds.has(id)) usage(`scenario '${id}' is not measurable yet (${PENDING.find((p) => p.id === id).needs})`);
  usage(`unknown scenario '${id}' (known: ${[...byId.keys()].join(', ')})`);
}
const selected =
  args.profile !== undefined
    ? [scenarioOrExit(args.profile)]
    : args.only !== undefined
      ? args.only.split(',').map((id) => scenarioOrExit(id.trim()))
      : SCENARIOS;
if (args.profile !== undefined && selected[0].target.kind !== 'app')
  usage(`--profile needs a scenario whose target is an app ('${selected[0].id}' measures ${selected[0].target.kind})`);

// ---------------------------------------------------------------------------------------------
// Cleanup: every child is stopped on a normal exit, on Ctrl-C/SIGTERM and on a crash.
// ---------------------------------------------------------------------------------------------
const procs = new Processes();
let shuttingDown = false;
/** Never resolves once shutting down: the code after an interrupted step must not go on (nor write reports). */
async function shutdown(code) {
  if (shuttingDown) return new Promise(() => {});
  shuttingDown = true;
  stopLoad();
  await procs.stopAll();
  process.exit(code);
}
process.on('exit', () => procs.killAllSync());
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping every child process`);
    void shutdown(130);
  });
}
process.on('uncaughtException', (error) => {
  console.error(`bench: ${error.stack ?? error}`);
  void shutdown(1);
});
process.on('unhandledRejection', (error) => {
  console.error(`bench: unhandled rejection: ${error?.stack ?? error}`);
  void shutdown(1);
});

const log = (line) => console.log(line);

// ---------------------------------------------------------------------------------------------
// 1. Build
// ---------------------------------------------------------------------------------------------
if (!args['no-build']) {
  log('bench: building (node scripts/build.mjs)');
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('bench: the build failed');
    await shutdown(1);
  }
}
const appsUsed = [
  ...new Set(
    selected
      .filter((s) => s.target.kind === 'app' || s.baseline?.kind === 'app')
      .flatMap((s) => [s.target, s.baseline].filter((t) => t?.kind === 'app').map((t) => t.app)),
  ),
];
const peersUsed = [...new Set(selected.flatMap((s) => [s.target, s.baseline].filter((t) => t?.kind === 'peer').map((t) => t.peer)))];
try {
  assertBuilt(appsUsed);
  // The peers are part of the harness: compiled on every run that uses one, --no-build included.
  if (peersUsed.length) log(`bench: compiling the peers (${peersUsed.join(', ')})`);
  buildPeers(peersUsed);
} catch (error) {
  console.error(`bench: ${error.message}`);
  await shutdown(1);
}

const runner = new Runner(procs, options, log, appEnv);

// ---------------------------------------------------------------------------------------------
// --profile: the scenario's app under load with --cpu-prof, then the top 10 self-time functions.
// ---------------------------------------------------------------------------------------------
if (args.profile !== undefined) {
  const scenario = selected[0];
  const dir = join(RESULTS_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  log(
    `bench: profiling ${scenario.target.label} in '${scenario.id}' (${options.durationS} s under ${scenario.connections ?? options.connections} connections, after ${options.warmupS} s warm-up)`,
  );
  const result = await runner.scenario(scenario, { profileNodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] });
  await runner.stopAll();
  for (const e of result.errors) console.error(`bench: ${e}`);
  const t = result.targets[0];
  if (t) {
    const s = t.summary;
    log(`\nunder the profiler (not comparable with normal runs): ${fmt(s.rps, 0)} req/s, p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms`);
  }
  const pid = result.stopped[0]?.pid;
  const files = pid === undefined ? [] : profilesOf(dir, pid);
  if (files.length === 0) {
    console.error(
      `bench: no .cpuprofile for pid ${pid} in ${relativeToRoot(dir)} (the app must exit cleanly on SIGTERM for V8 to write it; exit: ${JSON.stringify(result.stopped[0]?.exit)})`,
    );
    await shutdown(1);
  }
  for (const file of files) {
    const top = topSelfTime(file, 10);
    log(`\n${relativeToRoot(file)}: ${fmt(top.totalMs, 0)} ms sampled, ${fmt(top.busyMs, 0)} ms busy (${fmt(top.idleMs, 0)} ms idle)`);
    log('top 10 functions by self time (share of busy time):');
    top.top.forEach((f, i) =>
      log(
        `${String(i + 1).padStart(3)}. ${fmt(f.selfMs, 1).padStart(9)} ms ${fmt(f.pctOfBusy, 1).padStart(5)}%  ${f.name}${f.location ? `  ${f.location}` : ''}`,
      ),
    );
    log('\nOpen the file in Chrome DevTools (Performance → Load profile) or VS Code for the full call tree.');
  }
  await shutdown(result.status === 'failed' ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// 2–3. Startup measurements and scenarios
// ---------------------------------------------------------------------------------------------
function git() {
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' });
  return {
    commit: commit.status === 0 ? commit.stdout.trim() : undefined,
    uncommitted: status.status === 0 ? status.stdout.split('\n').filter(Boolean).length : undefined,
  };
}

const run = {
  startedAt: new Date().toISOString(),
  finishedAt: undefined,
  mode: quick ? 'quick' : 'full',
  argv: process.argv.slice(2),
  options,
  machine: machine(),
  git: git(),
  noise: {},
  startup: [],
  scenarios: [],
  pending: args.only === undefined ? PENDING : [],
  failures: [],
};
const machineStart = cpuTimes();

try {
  if (appsUsed.length) {
    log(`bench: startup — cold start and idle RSS, ${options.spawns} spawn(s) per app`);
    const profile = selected.find((s) => s.profile === 'bench')?.profile ?? selected[0].profile;
    run.startup = await runner.startup(
      APPS.filter((a) => appsUsed.includes(a)),
      profile,
      STARTUP_TARGETS,
    );
  }
  for (const [i, scenario] of selected.entries()) {
    if (shuttingDown) await shutdown(130);
    log(`\nbench: scenario ${scenario.id} — ${scenario.title}`);
    const result = await runner.scenario(scenario);
    for (const e of result.errors) console.error(`  ERROR: ${e}`);
    run.scenarios.push(result);
    // A sandbox no later scenario needs is stopped now.
    if (!selected.slice(i + 1).some((s) => s.profile === scenario.profile)) await runner.stopSandbox(scenario.profile);
  }
} catch (error) {
  run.failures.push(error.message);
  console.error(`bench: ${error.message}`);
} finally {
  await runner.stopAll();
}

// ---------------------------------------------------------------------------------------------
// 4. Noise, reports, exit code (an interrupted run writes no report)
// ---------------------------------------------------------------------------------------------
if (shuttingDown) await shutdown(130);
const overall = cpuDelta(machineStart, cpuTimes());
const measuredRounds = run.scenarios.flatMap((s) => s.targets.flatMap((t) => t.rounds));
const maxStealPct = Math.max(0, ...measuredRounds.map((r) => r.stealPct));
const maxForeignPct = Math.max(0, ...measuredRounds.map((r) => r.foreignPct));
const flags = [];
if (overall.stealPct >= NOISE.runStealPct) flags.push(`CPU steal ${fmt(overall.stealPct, 1)}% over the run (≥ ${NOISE.runStealPct}%)`);
if (maxStealPct >= NOISE.stealPct) flags.push(`CPU steal up to ${fmt(maxStealPct, 1)}% during a measured run (≥ ${NOISE.stealPct}%)`);
if (maxForeignPct >= NOISE.foreignPct)
  flags.push(`other processes used up to ${fmt(maxForeignPct, 0)}% of the machine's CPU during a measured run (≥ ${NOISE.foreignPct}%)`);
run.noise = { stealPct: overall.stealPct, maxStealPct, maxForeignPct, noisy: flags.length > 0, flags };
run.finishedAt = new Date().toISOString();

console.log(consoleReport(run));
try {
  // latest.md is the latest complete full run: not a quick, partial or other-module (bench-ab) run.
  const paths = writeReports(run, { latest: !quick && args.only === undefined && args.scenarios === undefined });
  console.log(`\nreports: ${[paths.md, paths.json, paths.latest].filter(Boolean).map(relativeToRoot).join(', ')}`);
} catch (error) {
  run.failures.push(`could not write the reports: ${error.message}`);
  console.error(`bench: could not write the reports: ${error.message}`);
}

const failed = run.failures.length > 0 || run.scenarios.some((s) => s.status === 'failed');
await shutdown(failed ? 1 : 0);
