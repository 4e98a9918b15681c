// The reports: a table on stdout, and JSON + Markdown under bench/results/ (timestamped, plus
// latest.md / latest.json).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT } from './processes.mjs';
import { fmt } from './runner.mjs';

export const RESULTS_DIR = join(ROOT, 'bench', 'results');

const mark = (pass) => (pass === undefined ? 'n/a ' : pass ? 'PASS' : 'MISS');
const mb = (n) => (Number.isFinite(n) ? `${fmt(n, 1)} MB` : '–');
const ms = (n) => fmt(n, n < 10 ? 2 : 1);
const ratio = (n) => (Number.isFinite(n) ? `${fmt(n, 2)}×` : '–');

/** ' (90 % interval 0.74–0.88×)': where the median of a ratio may lie, given how much the rounds disagree. */
function interval(i) {
  return i ? ` (${fmt(100 * i.coverage, 0)} % interval ${fmt(i.low, 2)}–${ratio(i.high)})` : '';
}

function value(check) {
  if (check.compare === 'ratio') {
    const noise = check.withinNoise ? `; within noise: the interval holds ${check.value}` : '';
    return `${ratio(check.actual)}${interval(check.interval)}${noise}`;
  }
  if (check.unit === 'MB') return mb(check.actual);
  if (check.unit === 'ms' || check.metric === 'p50' || check.metric === 'p99') return `${fmt(check.actual, check.actual < 10 ? 2 : 0)} ms`;
  return fmt(check.actual, 2);
}

/** Plain-text table: first row is the header. */
function textTable(rows, rightAligned = new Set()) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (rightAligned.has(i) ? String(cell).padStart(widths[i]) : String(cell).padEnd(widths[i])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function mdTable(rows) {
  const esc = (c) => String(c).replaceAll('|', '\\|');
  return [
    `| ${rows[0].map(esc).join(' | ')} |`,
    `|${rows[0].map(() => '---').join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function startupRows(run) {
  return [
    ['app', 'cold start (median)', 'target', 'idle RSS (median)', 'target', 'spawns (cold start ms / idle MB)'],
    ...run.startup.map((s) => [
      s.app,
      `${fmt(s.coldStartMs, 0)} ms`,
      `${mark(s.checks[0].pass)} ≤ ${fmt(s.checks[0].value, 0)} ms`,
      mb(s.idleRssMb),
      `${mark(s.checks[1].pass)} ≤ ${s.checks[1].value} MB`,
      s.spawns.map((p) => `${fmt(p.coldStartMs, 0)}/${fmt(p.idleRssKb / 1024, 0)}`).join(', '),
    ]),
  ];
}

function targetRows(scenario) {
  return [
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'cpu µs/req', 'RSS after', 'errors', 'non-2xx', 'degraded', 'req/s per round'],
    ...scenario.targets.map((t) => {
      const s = t.summary;
      return [
        t.label,
        fmt(s.rps, 0),
        ms(s.p50),
        ms(s.p99),
        fmt(s.cpuUsPerReq, 0),
        mb(s.rssAfterMb),
        fmt(s.errors, 0),
        fmt(s.non2xx, 0),
        s.sampled ? `${fmt((100 * s.degradedSampled) / s.sampled, 1)}%` : '–',
        t.rounds.map((r) => fmt(r.rps, 0)).join(' / '),
      ];
    }),
  ];
}

function ratioLine(scenario) {
  const r = scenario.ratios;
  if (!r) return undefined;
  const [a, b] = scenario.targets.map((t) => t.label);
  const within = r.rpsWithinRounds ?? [];
  const paired = within.length > 1 ? ` (req/s ratio within each round: ${within.map(ratio).join(' / ')})` : '';
  const i = r.intervals ?? {};
  return `ratios ${a} ÷ ${b} (medians of the ratios within each round): req/s ${ratio(r.rps)}${interval(i.rps)}, p50 ${ratio(r.p50)}, p99 ${ratio(r.p99)}${interval(i.p99)}, CPU per request ${ratio(r.cpuPerReq)}${interval(i.cpuPerReq)}${paired}`;
}

function callsLine(t) {
  const calls = t.summary.upstreamCallsPerReq;
  if (!calls) return undefined;
  const used = Object.entries(calls).filter(([, v]) => v > 0.005);
  return `${t.label}: ${used.length ? used.map(([s, v]) => `${s} ${fmt(v, 2)}`).join(', ') : 'none'}`;
}

function header(run) {
  const o = run.options;
  const m = run.machine;
  return [
    `mode: ${run.mode} — ${o.rounds} round(s) × ${o.durationS} s per target, warm-up ${o.warmupS} s, ${o.connectionsOverride ?? `${o.connections} (default)`} connections, target and baseline alternated A B, B A, A B ...; per target: medians over rounds; ratios: medians of the ratios within each round`,
    `machine: ${m.cpuModel}, ${m.cpus} CPUs${m.cpuMHz ? ` @ ${fmt(m.cpuMHz, 0)} MHz` : ''}, ${m.memoryGiB} GiB, ${m.kernel} ${m.arch}, node ${m.node}; load average at start ${m.loadAverage.join(' ')}`,
    `git: ${run.git.commit ?? 'unknown'}${run.git.uncommitted ? ` (+${run.git.uncommitted} uncommitted file(s))` : ''}; apps: NODE_ENV=production LOG_LEVEL=${o.logLevel}`,
    `noise: CPU steal ${fmt(run.noise.stealPct, 2)}% over the run; max other-process CPU during a measured run ${fmt(run.noise.maxForeignPct, 1)}% of the machine → ${run.noise.noisy ? `NOISY (${run.noise.flags.join('; ')})` : 'quiet'}`,
  ];
}

export function consoleReport(run) {
  const out = [];
  out.push('', `=== BFF benchmark ${run.startedAt} ===`, ...header(run));
  if (run.startup.length) {
    out.push('', 'Startup (each app spawned alone, nothing under load):', textTable(startupRows(run), new Set([1, 3])));
  }
  for (const s of run.scenarios) {
    out.push(
      '',
      `--- ${s.id}: ${s.title} [profile ${s.profile}, ${s.method ?? 'GET'} ${s.path}, ${s.connections} connections] ${s.status === 'failed' ? 'FAILED' : ''}`.trimEnd(),
    );
    if (s.targets.length) out.push(textTable(targetRows(s), new Set([1, 2, 3, 4, 5, 6, 7, 8])));
    const rl = ratioLine(s);
    if (rl) out.push(rl);
    for (const c of s.checks) out.push(`  ${mark(c.pass)}  ${c.label}: ${value(c)}`);
    const calls = s.targets.map(callsLine).filter(Boolean);
    if (calls.length) out.push(`upstream calls per request — ${calls.join('; ')}`);
    for (const w of s.warnings) out.push(`  warning: ${w}`);
    for (const e of s.errors) out.push(`  ERROR: ${e}`);
  }
  if (run.pending.length) {
    out.push('', 'Not measured yet (the feature does not exist yet; see docs/performance.md "Adding a scenario"):');
    for (const p of run.pending) out.push(`  ${p.id}: ${p.title} — needs ${p.needs}; target ${p.target}`);
  }
  out.push('', summaryLine(run));
  return out.join('\n');
}

export function summaryLine(run) {
  const checks = [...run.startup.flatMap((s) => s.checks), ...run.scenarios.flatMap((s) => s.checks)];
  const pass = checks.filter((c) => c.pass === true).length;
  const miss = checks.filter((c) => c.pass === false).length;
  const failed = run.scenarios.filter((s) => s.status === 'failed');
  return (
    `${failed.length || run.failures.length ? 'HARNESS FAILED' : 'harness ok'}: ${run.scenarios.length - failed.length}/${run.scenarios.length} scenario(s) measured` +
    `${failed.length ? ` (failed: ${failed.map((s) => s.id).join(', ')})` : ''}; targets ${pass} pass, ${miss} miss` +
    `${run.noise.noisy ? '; NOISY machine — numbers are indicative only' : ''}`
  );
}

export function markdownReport(run) {
  const out = [];
  out.push(`# Benchmark results — ${run.startedAt}`, '');
  out.push(
    `Generated by \`node scripts/bench.mjs ${run.argv.join(' ')}\`. Method and targets: [docs/performance.md](../../docs/performance.md).`,
    '',
  );
  if (run.noise.noisy) out.push(`> **Noisy run** — ${run.noise.flags.join('; ')}. Treat the numbers as indicative only.`, '');
  out.push(...header(run).map((l) => `- ${l}`), '');
  if (run.startup.length) {
    out.push(
      '## Startup',
      '',
      'Each app spawned alone (`node dist/apps/<app>/main.js`, NODE_ENV=production), nothing else under load. Cold start = spawn until `GET /health/live` answers 200; idle RSS = VmRSS 1 s later.',
      '',
    );
    out.push(mdTable(startupRows(run)), '');
  }
  out.push('## Scenarios', '');
  for (const s of run.scenarios) {
    out.push(
      `### ${s.id}${s.status === 'failed' ? ' — FAILED' : ''}`,
      '',
      `${s.title}. Profile \`${s.profile}\`, \`${s.method ?? 'GET'} ${s.path}\`, ${s.connections} connections.`,
      '',
    );
    if (s.targets.length) out.push(mdTable(targetRows(s)), '');
    const rl = ratioLine(s);
    if (rl) out.push(`${rl}.`, '');
    if (s.checks.length) {
      out.push(mdTable([['target', 'actual', 'result'], ...s.checks.map((c) => [c.label, value(c), mark(c.pass)])]), '');
    }
    const calls = s.targets.map(callsLine).filter(Boolean);
    if (calls.length) out.push(`Upstream calls per request — ${calls.join('; ')}.`, '');
    for (const w of s.warnings) out.push(`- warning: ${w}`);
    for (const e of s.errors) out.push(`- **error:** ${e}`);
    if (s.warnings.length || s.errors.length) out.push('');
  }
  if (run.pending.length) {
    out.push(
      '## Not measured yet',
      '',
      mdTable([['scenario', 'needs', 'target'], ...run.pending.map((p) => [`${p.id}: ${p.title}`, p.needs, p.target])]),
      '',
    );
  }
  out.push(`**${summaryLine(run)}**`, '');
  return out.join('\n');
}

/** Writes <stamp>-<mode>.json/.md and latest.json/.md under bench/results/; returns the paths. */
/** Writes the run's reports; `latest` (the committed latest.md) only for runs of the project's own scenarios. */
export function writeReports(run, { latest = true } = {}) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = run.startedAt.replace(/[:.]/g, '-');
  const base = join(RESULTS_DIR, `${stamp}-${run.mode}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(`${base}.md`, markdownReport(run));
  if (!latest) return { json: `${base}.json`, md: `${base}.md`, latest: undefined };
  copyFileSync(`${base}.json`, join(RESULTS_DIR, 'latest.json'));
  copyFileSync(`${base}.md`, join(RESULTS_DIR, 'latest.md'));
  return { json: `${base}.json`, md: `${base}.md`, latest: join(RESULTS_DIR, 'latest.md') };
}
