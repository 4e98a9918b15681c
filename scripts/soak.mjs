#!/usr/bin/env node
/**
 * `npm run soak`: the three apps under a steady load for a long time, watching for memory that keeps
 * growing and for an event loop that keeps slowing down.
 *
 *   node scripts/soak.mjs [--duration S] [--interval S] [--load-fraction F] [--no-build]
 *                         [--max-rss-growth-pct P] [--rss-floor-mb MB] [--max-probe-growth-pct P] [--probe-floor-ms MS]
 *
 * 1. builds the apps (node scripts/build.mjs) unless --no-build;
 * 2. starts the sandbox (profile dev, as `npm start`: 5–25 ms per upstream call) and the three apps as the
 *    benchmark harness does (bench/lib: production flags, NODE_ENV=production, LOG_LEVEL=warn, loopback,
 *    ephemeral ports, never an orphan process), plus `--trace-gc` so the V8 heap can be read from outside;
 * 3. measures capacity: 5 s of the three workloads at once, 50 connections each, as fast as they go; then
 *    keeps that load on until every app has run two full (mark-compact) GCs, at most --warmup-max seconds
 *    (default 180): until then a V8 heap mostly fills up to its working size, which would read as a leak;
 * 4. runs the same workloads for --duration seconds (default 600) at --load-fraction (default 0.5) of the
 *    measured rate of each app (autocannon `overallRate`), and every --interval seconds samples each app;
 * 5. fits a least-squares line through the second half of each app's RSS and probe p99 (the p99 series first
 *    smoothed by a rolling median of 5 samples: a spike of one or two intervals is outside load) and fails (exit 1)
 *    when RSS grows more than --max-rss-growth-pct (default 10) % per 10 minutes and more than --rss-floor-mb
 *    (default 8) MB over the half, or the probe p99 grows more than --max-probe-growth-pct (default 50) % and more
 *    than --probe-floor-ms (default 5) ms over the half, or when any request failed. A run under 5 minutes (CI's
 *    one-minute variant) is a smoke run: its trends are printed, and only failed requests fail it;
 * 6. prints a table over time and writes bench/results/soak-<timestamp>.json.
 *
 * Columns (per app, per interval):
 *   rss     resident set size (VmRSS of /proc/<pid>/status), MB;
 *   heap    V8 heap in use right after the latest garbage collection before the sample, MB (from the app's
 *           --trace-gc lines; the heap is not observed between collections). Reported, not judged: a short
 *           run may see no full collection, and the heap between full collections only grows;
 *   p50/p99 latency of GET /health/live, sent every 50 ms on one keep-alive connection from a separate
 *           thread (nearest rank: with fewer than 100 probes in an interval, p99 is the slowest): what a
 *           trivial request waits for under the load, i.e. the app's event-loop delay plus a near-constant
 *           cost (the apps expose no event-loop metric, and none is added for this);
 *   rps     answered requests per second of the load;
 *   err     failed requests of the load in the interval (non-2xx, socket errors, timeouts) plus failed probes.
 *
 * Exit code: 0 no upward trend and no failed request; 1 a trend or failure (or the harness broke);
 * 2 usage error; 130 Ctrl-C. Child processes are always stopped.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

import autocannon from 'autocannon';

const PROBE_EVERY_MS = 50;
/** Full (mark-compact) collections each app runs during the warm-up. */
const WARMUP_FULL_GCS = 2;
/** Per-interval probe p99s are smoothed over this many samples before the fit (see bench/lib/trend.mjs). */
const PROBE_SMOOTHING = 5;
/**
 * Shorter runs are smoke runs: their trends are printed, not judged. In the first minutes under load V8 grows its
 * spaces (RSS rose 10–33 MB in 30 s with the live heap flat at ~47 MB on a quiet machine), which a fit reads as growth.
 */
const MIN_TREND_DURATION_S = 300;

if (!isMainThread) {
  runProbes(workerData.targets);
} else {
  await main();
}

// ---------------------------------------------------------------------------------------------
// The probe thread: its own event loop, so the load generator's busy loop does not inflate probes.
// ---------------------------------------------------------------------------------------------
function runProbes(targets) {
  const windows = Object.fromEntries(targets.map(({ name }) => [name, { latencies: [], errors: 0 }]));
  for (const { name, url } of targets) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let inFlight = false;
    setInterval(() => {
      // A probe still waiting is the delay being measured: do not stack another behind it.
      if (inFlight) return;
      inFlight = true;
      const started = performance.now();
      const req = request(`${url}/health/live`, { agent, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          inFlight = false;
          if (res.statusCode === 200) windows[name].latencies.push(performance.now() - started);
          else windows[name].errors++;
        });
      });
      req.on('timeout', () => req.destroy(new Error('probe timed out')));
      req.on('error', () => {
        inFlight = false;
        windows[name].errors++;
      });
      req.end();
    }, PROBE_EVERY_MS);
  }
  parentPort.on('message', () => {
    const stats = {};
    for (const [name, window] of Object.entries(windows)) {
      const sorted = window.latencies.sort((a, b) => a - b);
      const at = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
      stats[name] = { count: sorted.length, errors: window.errors, p50: at(50), p99: at(99), max: sorted.at(-1) ?? NaN };
      windows[name] = { latencies: [], errors: 0 };
    }
    parentPort.postMessage(stats);
  });
}

// ---------------------------------------------------------------------------------------------
// The soak run.
// ---------------------------------------------------------------------------------------------
async function main() {
  const { mobileAccessToken, partnerApiKey } = await import('../bench/lib/oauth.mjs');
  const { memoryOf, Processes, ROOT } = await import('../bench/lib/processes.mjs');
  const { RESULTS_DIR } = await import('../bench/lib/report.mjs');
  const { machine } = await import('../bench/lib/system.mjs');
  const { assertBuilt, startApp, startSandbox } = await import('../bench/lib/targets.mjs');
  const { exceeds, rollingMedian, secondHalfTrend } = await import('../bench/lib/trend.mjs');
  const { APPS, appEnv } = await import('../bench/scenarios.mjs');

  const USAGE = `usage: node scripts/soak.mjs [options]
  --duration <s>               soak duration (default 600; 10 … 3300: the mobile token lives an hour)
  --interval <s>               sampling interval (default: duration / 30, between 2 and 10)
  --load-fraction <f>          share of the measured capacity to run at (default 0.5)
  --max-rss-growth-pct <p>     RSS growth per 10 minutes that fails the run (default 10)
  --rss-floor-mb <mb>          ... only when RSS also grew more than this over the second half (default 8)
  --max-probe-growth-pct <p>   probe p99 growth over the second half that fails the run (default 50)
  --probe-floor-ms <ms>        ... only when it also grew more than this (default 5)
  --warmup-max <s>             longest warm-up at full speed, until every app has run two full GCs (default 180; 0: none)
  --no-build                   skip node scripts/build.mjs (use the existing dist/)`;
  const usage = (message) => {
    if (message) console.error(`soak: ${message}`);
    console.error(USAGE);
    process.exit(2);
  };

  let args;
  try {
    ({ values: args } = parseArgs({
      options: {
        duration: { type: 'string', default: '600' },
        interval: { type: 'string' },
        'load-fraction': { type: 'string', default: '0.5' },
        'max-rss-growth-pct': { type: 'string', default: '10' },
        'rss-floor-mb': { type: 'string', default: '8' },
        'max-probe-growth-pct': { type: 'string', default: '50' },
        'probe-floor-ms': { type: 'string', default: '5' },
        'warmup-max': { type: 'string', default: '180' },
        'no-build': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    usage(error.message);
  }
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const number = (name, min, max) => {
    const value = Number(args[name]);
    if (!Number.isFinite(value) || value < min || value > max) usage(`--${name} must be a number between ${min} and ${max}`);
    return value;
  };
  const durationS = number('duration', 10, 3_300);
  const intervalS = args.interval === undefined ? Math.min(10, Math.max(2, Math.round(durationS / 30))) : number('interval', 1, 600);
  const options = {
    durationS,
    intervalS,
    loadFraction: number('load-fraction', 0.05, 1),
    capacityS: 5,
    warmupMaxS: number('warmup-max', 0, 1_800),
    capacityConnections: 50,
    soakConnections: 16,
    limits: {
      rss: { relative: 'per10MinPct', maxPct: number('max-rss-growth-pct', 0, 1_000), floor: number('rss-floor-mb', 0, 10_000) },
      probe: { relative: 'growthPct', maxPct: number('max-probe-growth-pct', 0, 10_000), floor: number('probe-floor-ms', 0, 60_000) },
    },
  };
  if (intervalS * 6 > durationS) usage('--duration must hold at least 6 intervals (the trend is fitted over the second half)');

  // Cleanup: every child is stopped on a normal exit, on Ctrl-C/SIGTERM and on a crash.
  const procs = new Processes();
  const loads = new Set();
  let probeWorker;
  let shuttingDown = false;
  const shutdown = async (code) => {
    if (shuttingDown) return new Promise(() => {});
    shuttingDown = true;
    for (const load of loads) load.stop();
    await probeWorker?.terminate();
    await procs.stopAll();
    process.exit(code);
  };
  process.on('exit', () => procs.killAllSync());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      console.error(`\nsoak: ${signal}, stopping every child process`);
      void shutdown(130);
    });
  }
  process.on('uncaughtException', (error) => {
    console.error(`soak: ${error.stack ?? error}`);
    void shutdown(1);
  });
  process.on('unhandledRejection', (error) => {
    console.error(`soak: unhandled rejection: ${error?.stack ?? error}`);
    void shutdown(1);
  });
  const log = (line) => console.log(line);

  if (!args['no-build']) {
    log('soak: building (node scripts/build.mjs)');
    if (spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0) {
      console.error('soak: the build failed');
      await shutdown(1);
    }
  }
  try {
    assertBuilt(APPS);
  } catch (error) {
    console.error(`soak: ${error.message}`);
    await shutdown(1);
  }

  // ---- the stack -----------------------------------------------------------------------------
  log('soak: starting the sandbox (profile dev) and the apps');
  const sandbox = await startSandbox(procs, 'dev');
  const partnerKey = partnerApiKey({ partner: 'soak-partner', scopes: ['catalog:read'] });
  const extraEnv = { 'partner-bff': { PARTNER_API_KEYS: JSON.stringify([partnerKey.record]) } };
  const apps = {};
  for (const name of APPS) {
    apps[name] = await startApp(procs, name, {
      sandbox,
      appEnv,
      env: extraEnv[name] ?? {},
      logLevel: 'warn',
      nodeArgs: ['--trace-gc'],
    });
  }
  const gc = Object.fromEntries(APPS.map((name) => [name, watchGc(apps[name].child)]));
  const mobileToken = await mobileAccessToken(sandbox.idp.issuer, { scope: 'catalog:read' });

  const ids = Array.from({ length: 12 }, (_, i) => `p-${String(i + 1).padStart(5, '0')}`);
  const json = { 'content-type': 'application/json' };
  const workloads = {
    'web-bff': {
      headers: { 'x-csrf': '1' },
      requests: [
        ...ids.map((id) => ({ method: 'GET', path: `/api/v1/pages/product/${id}` })),
        { method: 'POST', path: '/api/v1/products/availability', headers: json, body: JSON.stringify({ ids: ids.slice(0, 5) }) },
      ],
    },
    'mobile-bff': {
      headers: { authorization: `Bearer ${mobileToken}` },
      requests: [
        ...ids.map((id) => ({ method: 'GET', path: `/api/v1/products/${id}` })),
        { method: 'POST', path: '/api/v1/products/cards', headers: json, body: JSON.stringify({ ids: ids.slice(0, 5) }) },
      ],
    },
    'partner-bff': {
      headers: { 'x-api-key': partnerKey.key },
      requests: [
        { method: 'GET', path: '/v1/catalog?limit=20' },
        { method: 'GET', path: '/v1/catalog?limit=5' },
        { method: 'POST', path: '/v1/catalog/lookup', headers: json, body: JSON.stringify({ ids: ids.slice(0, 5) }) },
      ],
    },
  };

  // Every request of every workload answers 2xx before any load.
  for (const name of APPS) {
    const { headers, requests } = workloads[name];
    for (const r of requests) {
      const res = await fetch(`${apps[name].baseUrl}${r.path}`, { method: r.method, headers: { ...headers, ...r.headers }, body: r.body });
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) {
        console.error(`soak: ${name} ${r.method} ${r.path} answered ${res.status} before the load`);
        await shutdown(1);
      }
    }
  }

  /** One autocannon run per app, counting answers and failures as they happen. */
  const runLoad = (name, { connections, durationS: seconds, rate }) => {
    const counters = { responses: 0, non2xx: 0, errors: 0 };
    const instance = autocannon({
      url: apps[name].baseUrl,
      connections,
      duration: seconds,
      pipelining: 1,
      timeout: 10,
      headers: workloads[name].headers,
      requests: workloads[name].requests,
      ...(rate === undefined ? {} : { overallRate: rate }),
    });
    instance.on('response', (_client, status) => {
      counters.responses++;
      if (status < 200 || status > 299) counters.non2xx++;
    });
    instance.on('reqError', () => counters.errors++);
    loads.add(instance);
    const done = instance.then((result) => {
      loads.delete(instance);
      return result;
    });
    return { counters, done, stop: () => instance.stop() };
  };

  // ---- capacity ------------------------------------------------------------------------------
  log(`soak: measuring capacity (${options.capacityS} s, the three workloads at once, ${options.capacityConnections} connections each)`);
  const capacityRuns = Object.fromEntries(
    APPS.map((name) => [name, runLoad(name, { connections: options.capacityConnections, durationS: options.capacityS })]),
  );
  const capacity = {};
  for (const name of APPS) {
    const result = await capacityRuns[name].done;
    capacity[name] = result.requests.total / (result.duration || options.capacityS);
  }
  const rates = Object.fromEntries(APPS.map((name) => [name, Math.max(1, Math.round(capacity[name] * options.loadFraction))]));

  log(
    `soak: capacity ${APPS.map((n) => `${n} ${Math.round(capacity[n])} req/s`).join(', ')}; soak rate (× ${options.loadFraction}) ${APPS.map((n) => `${rates[n]}`).join(' / ')} req/s for ${durationS} s, sampled every ${intervalS} s`,
  );

  // Warm-up: V8 lets the old generation grow to its working size before the first full collection, and
  // past its previous peak once more before the second; memory measured before that only shows the heap
  // filling up. At a moderate rate that takes minutes, at full speed much less.
  const warmup = { seconds: 0, fullGcs: {} };
  if (options.warmupMaxS > 0) {
    const before = Object.fromEntries(APPS.map((name) => [name, gc[name].fullGcs]));
    const fullGcsSince = () => Object.fromEntries(APPS.map((name) => [name, gc[name].fullGcs - before[name]]));
    log(`soak: warming up at full speed until every app has run ${WARMUP_FULL_GCS} full GCs (at most ${options.warmupMaxS} s)`);
    const began = performance.now();
    const runs = APPS.map((name) => runLoad(name, { connections: options.capacityConnections, durationS: options.warmupMaxS }));
    while (
      performance.now() - began < options.warmupMaxS * 1000 &&
      Object.values(fullGcsSince()).some((count) => count < WARMUP_FULL_GCS)
    ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    for (const run of runs) run.stop();
    await Promise.all(runs.map((run) => run.done));
    warmup.seconds = (performance.now() - began) / 1000;
    warmup.fullGcs = fullGcsSince();
    const missing = APPS.filter((name) => warmup.fullGcs[name] < WARMUP_FULL_GCS);
    log(
      `soak: warmed up in ${warmup.seconds.toFixed(0)} s (full GCs: ${APPS.map((n) => `${n} ${warmup.fullGcs[n]}`).join(', ')})${missing.length ? `; fewer in ${missing.join(', ')}: their memory may still be filling up` : ''}`,
    );
  }

  // ---- soak ----------------------------------------------------------------------------------
  probeWorker = new Worker(new URL(import.meta.url), {
    workerData: { targets: APPS.map((name) => ({ name, url: apps[name].baseUrl })) },
  });
  const probeStats = () =>
    new Promise((resolve) => {
      probeWorker.once('message', resolve);
      probeWorker.postMessage('flush');
    });
  await probeStats(); // discard what the probes saw before the load

  const soakRuns = Object.fromEntries(
    APPS.map((name) => [name, runLoad(name, { connections: options.soakConnections, durationS, rate: rates[name] })]),
  );
  const started = performance.now();
  const previous = Object.fromEntries(APPS.map((name) => [name, { responses: 0, non2xx: 0, errors: 0 }]));
  const samples = [];
  const cell = (value, width, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–').padStart(width);
  log(
    `\n${'t (s)'.padStart(6)} | ${APPS.map((n) => `${n.padEnd(10)}  rss   heap   p50    p99    rps  err`).join(' | ')}\n${'-'.repeat(6)}-+-${APPS.map(() => '-'.repeat(52)).join('-+-')}`,
  );
  for (let tick = 1; tick * intervalS <= durationS; tick++) {
    const wait = started + tick * intervalS * 1000 - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const probes = await probeStats();
    const t = (performance.now() - started) / 1000;
    const sample = { t, apps: {} };
    for (const name of APPS) {
      const counters = soakRuns[name].counters;
      const last = previous[name];
      const answered = counters.responses - last.responses;
      const non2xx = counters.non2xx - last.non2xx;
      const errors = counters.errors - last.errors;
      previous[name] = { ...counters };
      const rssMb = memoryOf(apps[name].pid).rssKb / 1024;
      sample.apps[name] = {
        rssMb,
        heapMb: gc[name].lastHeapMb(),
        fullGcHeapMb: gc[name].lastFullGcHeapMb,
        probe: probes[name],
        rps: answered / intervalS,
        non2xx,
        errors,
        probeErrors: probes[name].errors,
      };
    }
    samples.push(sample);
    log(
      `${cell(t, 6, 0)} | ${APPS.map((n) => {
        const a = sample.apps[n];
        return `${' '.repeat(10)}${cell(a.rssMb, 5)} ${cell(a.heapMb, 6)} ${cell(a.probe.p50, 5)} ${cell(a.probe.p99, 6)} ${cell(a.rps, 6, 0)} ${cell(a.non2xx + a.errors + a.probeErrors, 4, 0)}`;
      }).join(' | ')}`,
    );
  }
  await Promise.all(APPS.map((name) => soakRuns[name].done));
  await probeWorker.terminate();
  probeWorker = undefined;

  // ---- verdict -------------------------------------------------------------------------------
  const failures = [];
  const trends = {};
  const judgeTrends = options.durationS >= MIN_TREND_DURATION_S;
  for (const name of APPS) {
    const series = (pick) => samples.map((s) => ({ t: s.t, value: pick(s.apps[name]) }));
    const rss = secondHalfTrend(series((a) => a.rssMb));
    const heap = secondHalfTrend(series((a) => a.heapMb));
    // One or two slow intervals are the machine's other work, not a trend: the p99s are smoothed first.
    const probe = secondHalfTrend(
      rollingMedian(
        series((a) => a.probe.p99),
        PROBE_SMOOTHING,
      ),
    );
    trends[name] = { rss, heap, probe };
    if (judgeTrends && exceeds(rss, options.limits.rss))
      failures.push(
        `${name}: RSS grows ${rss.per10MinPct.toFixed(1)} % per 10 minutes (+${rss.growth.toFixed(1)} MB over the second half; limit ${options.limits.rss.maxPct} % and ${options.limits.rss.floor} MB)`,
      );
    if (judgeTrends && exceeds(probe, options.limits.probe))
      failures.push(
        `${name}: probe p99 (smoothed) grows ${probe.growthPct.toFixed(0)} % over the second half (${probe.start.toFixed(1)} → ${probe.end.toFixed(1)} ms; limit ${options.limits.probe.maxPct} % and ${options.limits.probe.floor} ms)`,
      );
    const counters = soakRuns[name].counters;
    const probeErrors = samples.reduce((sum, s) => sum + s.apps[name].probeErrors, 0);
    if (counters.non2xx + counters.errors + probeErrors > 0)
      failures.push(`${name}: ${counters.non2xx} non-2xx answers, ${counters.errors} request errors, ${probeErrors} failed probes`);
  }

  const fmtTrend = (trend, unit, relative) =>
    trend
      ? `${trend.start.toFixed(1)} → ${trend.end.toFixed(1)} ${unit} (${trend[relative] >= 0 ? '+' : ''}${trend[relative].toFixed(1)} %)`
      : '–';
  log(`\nsoak: trends over the second half (${samples.length - Math.floor(samples.length / 2)} samples)`);
  if (!judgeTrends) log(`soak: a smoke run (under ${MIN_TREND_DURATION_S} s): trends are shown, not judged; only failed requests fail it`);
  for (const name of APPS) {
    const { rss, probe } = trends[name];
    const total = soakRuns[name].counters;
    const fullGcHeap = samples.at(-1)?.apps[name].fullGcHeapMb;
    log(
      `  ${name.padEnd(12)} RSS ${fmtTrend(rss, 'MB', 'per10MinPct')} per 10 min · probe p99 (smoothed) ${fmtTrend(probe, 'ms', 'growthPct')} · heap after the latest full GC ${Number.isFinite(fullGcHeap) ? `${fullGcHeap.toFixed(1)} MB` : '–'} · ${total.responses} requests, ${total.non2xx + total.errors} failed`,
    );
  }

  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reportPath = join(RESULTS_DIR, `soak-${stamp}.json`);
  writeFileSync(
    reportPath,
    `${JSON.stringify(
      {
        startedAt: new Date(Date.now() - (performance.now() - started)).toISOString(),
        machine: machine(),
        options,
        capacity,
        warmup,
        rates,
        samples,
        totals: Object.fromEntries(APPS.map((name) => [name, soakRuns[name].counters])),
        trends,
        failures,
      },
      null,
      2,
    )}\n`,
  );
  log(`soak: report ${reportPath}`);
  if (failures.length) {
    for (const failure of failures) console.error(`soak: FAIL ${failure}`);
  } else {
    log(judgeTrends ? 'soak: PASS (no upward trend, no failed request)' : 'soak: PASS (smoke run: no failed request)');
  }
  await shutdown(failures.length ? 1 : 0);
}

/**
 * Follows an app's `--trace-gc` lines ("… Scavenge 12.3 (15.0) -> 11.9 (15.0) MB, …"): the heap in use
 * after the latest collection, and after the latest full (mark-compact) collection.
 */
function watchGc(child) {
  const state = { lastFullGcHeapMb: NaN, latest: NaN, fullGcs: 0 };
  child.lineListeners.add((line) => {
    const match = /ms: (.+?) [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/.exec(line);
    if (!match) return;
    const after = Number(match[2]);
    state.latest = after;
    if (/Mark-Compact/.test(match[1])) {
      state.lastFullGcHeapMb = after;
      state.fullGcs++;
    }
  });
  return {
    get lastFullGcHeapMb() {
      return state.lastFullGcHeapMb;
    },
    /** Full (mark-compact) collections so far. */
    get fullGcs() {
      return state.fullGcs;
    },
    /** After the latest collection; NaN when none happened yet. */
    lastHeapMb: () => state.latest,
  };
}
