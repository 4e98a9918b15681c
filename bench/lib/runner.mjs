// Runs the startup measurements and the scenarios; returns plain data for the reports.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { firstDifference } from './checks.mjs';
import { get, getJson, request, requestJson } from './http.mjs';
import { runLoad } from './load.mjs';
import { cpuTicksOf, memoryOf } from './processes.mjs';
import { median, medianInterval, spreadPct, sum } from './stats.mjs';
import { cpuDelta, cpuTimes } from './system.mjs';
import { sandboxInfo as infoOf, startApp, startSandbox, startTarget } from './targets.mjs';

/** Services whose call counts are checked against each target's `upstreamCalls`. */
const COUNTED_SERVICES = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'orders'];
/** An idle app is measured this long after /health/live first answers. */
const IDLE_SETTLE_MS = 1_000;
/** More than this share of non-2xx answers or socket errors during a run = the target answers wrong. */
const MAX_FAILED_SHARE = 0.01;
/** Flag a measured run as noisy above these. */
export const NOISE = { stealPct: 5, foreignPct: 15, runStealPct: 2, spreadPct: 10, degradedPct: 1 };

export class Runner {
  /** `appEnv(app, sandbox)`: the env each app needs to boot at all (from the scenario module). */
  constructor(procs, options, log, appEnv) {
    this.procs = procs;
    this.options = options;
    this.log = log;
    this.appEnv = appEnv;
    this.sandboxes = new Map();
  }

  async sandbox(profile) {
    let sandbox = this.sandboxes.get(profile);
    if (!sandbox) {
      this.log(`starting the sandbox upstreams (profile ${profile})`);
      sandbox = await startSandbox(this.procs, profile);
      this.sandboxes.set(profile, sandbox);
    }
    return sandbox;
  }

  async stopSandbox(profile) {
    const sandbox = this.sandboxes.get(profile);
    if (!sandbox) return;
    this.sandboxes.delete(profile);
    await this.procs.stop(sandbox.child, 5_000);
  }

  /** Cold start (spawn → /health/live 200) and idle RSS of each app, `spawns` times each, nothing else under load. */
  async startup(apps, profile, targets) {
    const sandbox = await this.sandbox(profile);
    const results = [];
    for (const app of apps) {
      const spawns = [];
      for (let i = 0; i < this.options.spawns; i++) {
        const started = await startApp(this.procs, app, { sandbox, appEnv: this.appEnv, logLevel: this.options.logLevel });
        await sleep(IDLE_SETTLE_MS);
        const { rssKb } = memoryOf(started.pid);
        const exit = await this.procs.stop(started.child);
        spawns.push({
          coldStartMs: started.coldStartMs,
          idleRssKb: rssKb,
          exit: exit.forced ? 'SIGKILL after 15 s' : (exit.signal ?? exit.code),
        });
      }
      const coldStartMs = median(spawns.map((s) => s.coldStartMs));
      const idleRssMb = median(spawns.map((s) => s.idleRssKb)) / 1024;
      const checks = [
        {
          ...targets.coldStartMs,
          actual: coldStartMs,
          unit: 'ms',
          pass: compare(coldStartMs, targets.coldStartMs.op, targets.coldStartMs.value),
        },
        { ...targets.idleRssMb, actual: idleRssMb, unit: 'MB', pass: compare(idleRssMb, targets.idleRssMb.op, targets.idleRssMb.value) },
      ];
      this.log(`  ${app}: cold start ${coldStartMs.toFixed(0)} ms, idle RSS ${idleRssMb.toFixed(1)} MB (median of ${spawns.length})`);
      results.push({ app, spawns, coldStartMs, idleRssMb, checks });
    }
    return results;
  }

  /** Counts of sandbox calls so far, per counted service. */
  async upstreamCounts(sandbox) {
    const entries = await Promise.all(
      COUNTED_SERVICES.filter((s) => sandbox.urls[s]).map(async (service) => {
        const res = await getJson(`${sandbox.urls[service]}/__admin/stats`);
        return [service, Number(res.json?.requests ?? NaN)];
      }),
    );
    return Object.fromEntries(entries);
  }

  /** Everything our run consists of, in CPU ticks: this process, the sandbox, the targets, the baselines. */
  ourTicks() {
    return sum([process.pid, ...this.procs.pids()].map((pid) => cpuTicksOf(pid)).filter(Number.isFinite));
  }

  async scenario(scenario, { profileNodeArgs } = {}) {
    const o = this.options;
    const connections = o.connectionsOverride ?? scenario.connections ?? o.connections;
    const result = {
      id: scenario.id,
      title: scenario.title,
      profile: scenario.profile,
      path: scenario.path,
      method: scenario.method ?? 'GET',
      connections,
      rounds: o.rounds,
      durationS: o.durationS,
      warmupS: o.warmupS,
      status: 'ok',
      errors: [],
      warnings: [],
      targets: [],
      ratios: undefined,
      checks: [],
    };
    const defs = [scenario.target, ...(scenario.baseline && !profileNodeArgs ? [scenario.baseline] : [])];
    const running = [];
    try {
      const sandbox = await this.sandbox(scenario.profile);

      // 1. Start every target (one after the other: cold starts are not measured against each other).
      const sandboxInfo = infoOf(sandbox);
      for (const def of defs) {
        // prepare: before the process exists (e.g. a key pair whose public half the app reads from env).
        const state = {};
        const prepared = def.prepare ? ((await def.prepare({ sandbox: sandboxInfo, state })) ?? {}) : {};
        this.log(`  starting ${def.label}`);
        const started = await startTarget(
          this.procs,
          { ...def, env: { ...def.env, ...(prepared.env ?? {}) } },
          {
            sandbox,
            appEnv: this.appEnv,
            logLevel: o.logLevel,
            nodeArgs: def === scenario.target && profileNodeArgs ? profileNodeArgs : [],
          },
        );
        running.push({
          def,
          ...started,
          state,
          path: def.path ?? scenario.path,
          check: def.check ?? scenario.check,
          headers: {},
          ...requestOf(scenario),
        });
      }

      // 2. Setup hooks, then verification: 200, JSON, the expected shape, nothing degraded.
      for (const t of running) {
        const setup = t.def.setup
          ? ((await t.def.setup({
              baseUrl: t.baseUrl,
              path: t.path,
              sandbox: sandboxInfo,
              state: t.state,
              get,
              getJson,
              request,
              requestJson,
            })) ?? {})
          : {};
        t.headers = { ...(setup.headers ?? {}), ...(t.body === undefined ? {} : { 'content-type': 'application/json' }) };
        const res = await requestJson(`${t.baseUrl}${t.path}`, {
          method: t.method,
          body: t.body,
          headers: { ...t.headers, ...(t.uniqueHeader === undefined ? {} : { [t.uniqueHeader]: randomUUID() }) },
        });
        const problem =
          res.status !== t.status
            ? `answered ${res.status} (expected ${t.status}): ${res.text.slice(0, 300)}`
            : res.json === undefined
              ? `answered a body that is not JSON: ${res.text.slice(0, 120)}`
              : (t.check?.(res.json) ??
                (Array.isArray(res.json?.meta?.degraded) && res.json.meta.degraded.length > 0
                  ? `answered degraded sections ${JSON.stringify(res.json.meta.degraded)} with no load at all`
                  : undefined));
        if (problem) throw new Error(`${t.def.label} ${t.method} ${t.path} ${problem}`);
        t.verified = res.json;
        this.log(`  ${t.def.label}: ${t.method} ${t.path} → ${t.status}, shape ok`);
      }
      if (scenario.sameBody && running.length === 2) {
        const except = scenario.sameBody === true ? [] : (scenario.sameBody.except ?? []);
        const diff = firstDifference(withoutKeys(running[0].verified, except), withoutKeys(running[1].verified, except));
        if (diff)
          result.warnings.push(
            `${running[1].def.label} does not answer the same JSON as ${running[0].def.label} (first difference at ${diff}); update bench/baselines/retail.mjs`,
          );
        else this.log(`  ${running[1].def.label} answers the same JSON as ${running[0].def.label}`);
      }

      // 3. Warm-up, then the rounds, in pairs alternated A B, B A, A B ... so that a machine that drifts
      //    (this VM's speed moves by ±20 % within seconds) favours neither side.
      for (const t of running) {
        this.log(`  warm-up ${t.def.label} ${o.warmupS} s`);
        await runLoad({ ...loadRequestOf(t), connections, durationS: o.warmupS, check: t.check });
      }
      const rounds = new Map(running.map((t) => [t, []]));
      for (let round = 1; round <= o.rounds; round++) {
        for (const t of round % 2 === 1 ? running : [...running].reverse()) {
          const measured = await this.measure(t, sandbox, connections, o.durationS);
          measured.round = round;
          rounds.get(t).push(measured);
          this.log(
            `  round ${round}/${o.rounds} ${t.def.label.padEnd(24)} ${fmt(measured.rps, 0).padStart(7)} req/s  p50 ${fmt(measured.p50, 2)} ms  p99 ${fmt(measured.p99, 2)} ms` +
              `  errors ${measured.errors + measured.timeouts}  non-2xx ${measured.non2xx}  steal ${fmt(measured.stealPct, 1)}%  other CPU ${fmt(measured.foreignPct, 1)}%`,
          );
        }
      }

      // 4. Summaries, failures and ratios.
      for (const t of running) {
        const summary = summarize(rounds.get(t));
        const entry = {
          label: t.def.label,
          kind: t.def.kind,
          app: t.def.app,
          service: t.def.service,
          env: t.def.env,
          coldStartMs: t.coldStartMs,
          pid: t.pid,
          summary,
          rounds: rounds.get(t),
        };
        result.targets.push(entry);
        for (const r of rounds.get(t)) {
          const failed = r.errors + r.timeouts + r.non2xx;
          if (r.completed === 0) result.errors.push(`${t.def.label} round ${r.round}: no request completed`);
          else if (failed / r.completed > MAX_FAILED_SHARE)
            result.errors.push(
              `${t.def.label} round ${r.round}: ${failed} of ${r.completed} requests failed (${JSON.stringify(r.statusCodes)}, ${r.errors} socket errors, ${r.timeouts} timeouts)`,
            );
          if (r.wrong > 0)
            result.errors.push(`${t.def.label} round ${r.round}: ${r.wrong} of ${r.sampled} sampled bodies were wrong (${r.firstWrong})`);
          const callProblem = upstreamCallProblem(t.def.upstreamCalls, r, connections);
          if (callProblem) result.errors.push(`${t.def.label} round ${r.round}: ${callProblem}`);
        }
        const degradedPct = summary.sampled ? (100 * summary.degradedSampled) / summary.sampled : 0;
        if (degradedPct > NOISE.degradedPct)
          result.warnings.push(
            `${t.def.label}: ${fmt(degradedPct, 1)}% of sampled answers had degraded sections under load (fast-but-partial answers inflate req/s)`,
          );
        if (summary.rpsSpreadPct > NOISE.spreadPct)
          result.warnings.push(`${t.def.label}: req/s varies ${fmt(summary.rpsSpreadPct, 0)}% between rounds (unstable measurement)`);
      }
      if (result.targets.length === 2) result.ratios = pairedRatios(result.targets[0].rounds, result.targets[1].rounds);
      for (const target of scenario.targets ?? []) {
        const actual = target.compare === 'ratio' ? result.ratios?.[target.metric] : result.targets[0]?.summary[target.metric];
        // For a ratio: the 90 % interval of its median over the rounds. When the target's threshold lies inside
        // it, this run cannot tell the two sides of the threshold apart (the verdict is still the median's).
        const interval = target.compare === 'ratio' ? result.ratios?.intervals?.[target.metric] : undefined;
        const withinNoise = interval !== undefined && interval.low <= target.value && target.value <= interval.high;
        result.checks.push({
          ...target,
          actual,
          interval,
          withinNoise,
          pass: Number.isFinite(actual) ? compare(actual, target.op, target.value) : undefined,
        });
      }
      if (result.errors.length) result.status = 'failed';
    } catch (error) {
      result.status = 'failed';
      result.errors.push(error.message);
    } finally {
      for (const t of running) {
        if (t.shared) continue;
        const exit = await this.procs.stop(t.child);
        t.exit = exit;
      }
    }
    result.stopped = running.filter((t) => !t.shared).map((t) => ({ label: t.def.label, pid: t.pid, exit: t.exit }));
    return result;
  }

  /** One measured run of one target, with what the machine and the upstreams did meanwhile. */
  async measure(t, sandbox, connections, durationS) {
    const countsBefore = t.def.upstreamCalls ? await this.upstreamCounts(sandbox) : undefined;
    const targetBefore = cpuTicksOf(t.pid);
    const oursBefore = this.ourTicks();
    const machineBefore = cpuTimes();
    const load = await runLoad({ ...loadRequestOf(t), connections, durationS, check: t.check });
    const machineAfter = cpuTimes();
    const oursAfter = this.ourTicks();
    const targetAfter = cpuTicksOf(t.pid);
    const { rssKb, hwmKb } = memoryOf(t.pid);
    const countsAfter = countsBefore ? await this.upstreamCounts(sandbox) : undefined;

    const machine = cpuDelta(machineBefore, machineAfter);
    const foreignTicks = Math.max(0, machine.busyTicks - (oursAfter - oursBefore));
    const msPerTick = 1_000 / 100; // USER_HZ is 100 on Linux
    const upstreamCallsPerReq = countsBefore
      ? Object.fromEntries(Object.keys(countsBefore).map((s) => [s, (countsAfter[s] - countsBefore[s]) / Math.max(1, load.completed)]))
      : undefined;
    return {
      ...load,
      rssKb,
      hwmKb,
      cpuUsPerReq: load.completed ? ((targetAfter - targetBefore) * msPerTick * 1_000) / load.completed : NaN,
      stealPct: machine.stealPct,
      busyPct: machine.busyPct,
      foreignPct: machine.totalTicks ? (100 * foreignTicks) / machine.totalTicks : 0,
      upstreamCallsPerReq,
    };
  }

  async stopAll() {
    for (const profile of [...this.sandboxes.keys()]) await this.stopSandbox(profile);
  }
}

/** A scenario's request: GET and 200 unless it names its `method`, JSON `body`, `uniqueHeader` and `status`. */
function requestOf(scenario) {
  return {
    method: scenario.method ?? 'GET',
    body: scenario.body === undefined ? undefined : JSON.stringify(scenario.body),
    uniqueHeader: scenario.uniqueHeader,
    status: scenario.status ?? 200,
  };
}

/** What runLoad needs to send a running target's request. */
function loadRequestOf(t) {
  return { url: t.baseUrl, path: t.path, method: t.method, body: t.body, uniqueHeader: t.uniqueHeader, headers: t.headers };
}

/** A top-level JSON object without the given keys (values each answer differs in, such as a new order's id). */
function withoutKeys(json, keys) {
  if (keys.length === 0 || typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  return Object.fromEntries(Object.entries(json).filter(([k]) => !keys.includes(k)));
}

/** Compares measured calls per request with the declared ones; in-flight requests at the end of a run are allowed for. */
function upstreamCallProblem(expected, round, connections) {
  if (!expected || !round.upstreamCallsPerReq) return undefined;
  const perRequestTotal = sum(Object.values(expected));
  const inFlight = (connections * Math.max(1, perRequestTotal)) / Math.max(1, round.completed);
  const off = [];
  for (const [service, actual] of Object.entries(round.upstreamCallsPerReq)) {
    const want = expected[service] ?? 0;
    if (Math.abs(actual - want) > 0.1 * Math.max(want, 1) + inFlight) off.push(`${service} ${actual.toFixed(2)} (expected ${want})`);
  }
  return off.length ? `upstream calls per request do not match the scenario: ${off.join(', ')}` : undefined;
}

/**
 * Target ÷ baseline, per metric: the median of the ratios within each round (both sides measured back
 * to back), not the ratio of the two medians — slow drift of the machine cancels out within a pair.
 * `rpsWithinRounds` keeps every round's req/s ratio for the report; `intervals` holds each median's 90 %
 * distribution-free confidence interval (stats.mjs medianInterval), when there are rounds enough for one.
 */
function pairedRatios(a, b) {
  const within = (k) => a.map((r, i) => r[k] / b[i]?.[k]).filter(Number.isFinite);
  const series = { rps: within('rps'), p50: within('p50'), p99: within('p99'), cpuPerReq: within('cpuUsPerReq') };
  const intervals = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, medianInterval(v, 0.9)]));
  return {
    rps: median(series.rps),
    p50: median(series.p50),
    p99: median(series.p99),
    cpuPerReq: median(series.cpuPerReq),
    rpsWithinRounds: series.rps,
    intervals,
  };
}

function summarize(rounds) {
  const pick = (k) => rounds.map((r) => r[k]);
  return {
    rps: median(pick('rps')),
    p50: median(pick('p50')),
    p90: median(pick('p90')),
    p99: median(pick('p99')),
    max: Math.max(...pick('max')),
    cpuUsPerReq: median(pick('cpuUsPerReq')),
    rssAfterMb: median(pick('rssKb')) / 1024,
    peakRssMb: Math.max(...pick('hwmKb')) / 1024,
    completed: sum(pick('completed')),
    errors: sum(pick('errors')) + sum(pick('timeouts')),
    non2xx: sum(pick('non2xx')),
    sampled: sum(pick('sampled')),
    wrong: sum(pick('wrong')),
    degradedSampled: sum(pick('degradedSampled')),
    rpsSpreadPct: spreadPct(pick('rps')),
    maxStealPct: Math.max(...pick('stealPct')),
    maxForeignPct: Math.max(...pick('foreignPct')),
    upstreamCallsPerReq: rounds[0]?.upstreamCallsPerReq
      ? Object.fromEntries(Object.keys(rounds[0].upstreamCallsPerReq).map((s) => [s, median(rounds.map((r) => r.upstreamCallsPerReq[s]))]))
      : undefined,
  };
}

export function compare(actual, op, value) {
  return op === '>=' ? actual >= value : op === '<=' ? actual <= value : undefined;
}

export function fmt(n, digits = 0) {
  if (!Number.isFinite(n)) return '–';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
