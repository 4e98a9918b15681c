#!/usr/bin/env node
/**
 * `npm run bench:ab -- --with <rev> --without <rev> --workload <name>`: one mechanism measured on its own.
 *
 * Builds the app at two commits that differ by one mechanism (each in bench/.ab/<commit>/, sharing this
 * checkout's node_modules), then measures them against each other with the benchmark's paired rounds
 * (scripts/bench.mjs, alternated A B, B A, ...): target = the build `--without` the mechanism, baseline = the
 * build `--with` it. A req/s ratio below 1 means the mechanism made the app faster. The report prints the
 * median ratio with its 90 % interval (docs/performance.md, "Method").
 *
 *   --workload cache-hit     web product page, public cache hit (the scenario 'product-page-cache-hit')
 *   --workload product-page  web product page, cache off: six upstream calls per page ('product-page')
 *   --workload idle-rss      resident memory of web-bff 3 s after it is live, --spawns alternated spawns each
 *   --rounds N (default 24), --duration S (default 2), --warmup S (default 1), --spawns N (default 8)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = resolve(import.meta.dirname, '..');
const AB_DIR = join(ROOT, 'bench', '.ab');
const WORKLOADS = { 'cache-hit': 'product-page-cache-hit', 'product-page': 'product-page', 'idle-rss': undefined };

const { values: args } = parseArgs({
  options: {
    with: { type: 'string' },
    without: { type: 'string' },
    workload: { type: 'string' },
    label: { type: 'string' },
    rounds: { type: 'string', default: '24' },
    duration: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '1' },
    spawns: { type: 'string', default: '8' },
  },
  strict: true,
});
if (!args.with || !args.without || !(args.workload in WORKLOADS)) {
  console.error(`usage: node scripts/bench-ab.mjs --with <rev> --without <rev> --workload ${Object.keys(WORKLOADS).join('|')}`);
  process.exit(2);
}

/** The commit's tree in bench/.ab/<sha>, built once (kept for later runs; bench/.ab is git-ignored). */
function checkout(rev) {
  const sha = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(AB_DIR, sha);
  if (existsSync(join(dir, 'dist', 'apps', 'web-bff', 'main.js'))) return { sha, dir };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync('git', ['archive', '--format=tar', sha], { cwd: ROOT, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new Error(`git archive ${sha} failed`);
  execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  if (build.status !== 0) throw new Error(`the build of ${sha} failed`);
  return { sha, dir };
}

const withBuild = checkout(args.with);
const withoutBuild = checkout(args.without);
const label = args.label ?? `${withBuild.sha.slice(0, 7)} → ${withoutBuild.sha.slice(0, 7)}`;
console.log(`bench:ab ${label}: with = ${withBuild.sha.slice(0, 7)}, without = ${withoutBuild.sha.slice(0, 7)}, workload ${args.workload}`);

if (args.workload === 'idle-rss') {
  const { idleRss } = await import('../bench/lib/idle-rss.mjs');
  const result = await idleRss({ with: withBuild.dir, without: withoutBuild.dir, spawns: Number(args.spawns) });
  console.log(JSON.stringify({ label, workload: 'idle-rss', ...result }));
  process.exit(0);
}

// A scenario module with one scenario: the workload's own scenario, its app target started from each build.
const module = join(AB_DIR, `scenarios-${withBuild.sha.slice(0, 7)}-${withoutBuild.sha.slice(0, 7)}.mjs`);
writeFileSync(
  module,
  `import { appEnv, SCENARIOS as PROJECT_SCENARIOS } from ${JSON.stringify(join(ROOT, 'bench', 'scenarios.mjs'))};
const base = PROJECT_SCENARIOS.find((s) => s.id === ${JSON.stringify(WORKLOADS[args.workload])});
export { appEnv };
export const APPS = [];
export const STARTUP_TARGETS = {};
export const SCENARIOS = [{
  ...base,
  id: 'ab',
  title: ${JSON.stringify(`${label}: ${args.workload}, without vs with`)},
  target: { ...base.target, root: ${JSON.stringify(withoutBuild.dir)}, label: 'without' },
  baseline: { ...base.target, root: ${JSON.stringify(withBuild.dir)}, label: 'with' },
  targets: [],
}];
`,
);
const bench = spawnSync(
  process.execPath,
  [
    join(ROOT, 'scripts', 'bench.mjs'),
    '--no-build',
    '--scenarios',
    module,
    '--only',
    'ab',
    '--rounds',
    args.rounds,
    '--duration',
    args.duration,
    '--warmup',
    args.warmup,
  ],
  { cwd: ROOT, stdio: 'inherit' },
);
process.exit(bench.status ?? 1);
