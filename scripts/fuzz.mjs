#!/usr/bin/env node
/**
 * `npm run fuzz`: the OpenAPI-driven fuzzer of test/fuzz.e2e-spec.ts (test/support/openapi-fuzz.ts) for
 * long runs. Each app boots in-process against its own sandbox with real credentials, as in CI.
 *
 *   node scripts/fuzz.mjs [--runs N] [--app NAME]... [--seed N] [--path P]
 *
 *   --runs  generated requests per app (default 100000; CI runs 2000)
 *   --app   web-bff, mobile-bff or partner-bff; repeat or comma-separate (default: all three)
 *   --seed  fast-check seed, to replay a run (default: random; printed either way)
 *   --path  counterexample path from a failure report: replays that one case (with its --seed)
 *
 * It runs the same property through Vitest (which resolves the `@bff/*` sources and TypeScript the
 * suite imports), passing FUZZ_RUNS, FUZZ_APPS, FUZZ_SEED and FUZZ_PATH. On a failure Vitest prints
 * fast-check's report: the seed, the path, the shrunk request and what the answer broke.
 *
 * Exit code: 0 the property held; 1 it failed (or the harness broke); 2 usage error.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const APPS = ['web-bff', 'mobile-bff', 'partner-bff'];

function usage(message) {
  console.error(`${message}\nusage: node scripts/fuzz.mjs [--runs N] [--app ${APPS.join('|')}]... [--seed N] [--path P]`);
  process.exit(2);
}

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      runs: { type: 'string', default: '100000' },
      app: { type: 'string', multiple: true },
      seed: { type: 'string' },
      path: { type: 'string' },
    },
  }));
} catch (error) {
  usage(String(error.message));
}

const runs = Number(options.runs);
if (!Number.isInteger(runs) || runs < 1) usage(`--runs must be a positive integer, got ${options.runs}`);
const seed = options.seed === undefined ? Date.now() ^ (Math.random() * 0x1_0000_0000) : Number(options.seed);
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got ${options.seed}`);
const apps = (options.app ?? APPS).flatMap((name) => name.split(',')).map((name) => name.trim());
for (const name of apps) if (!APPS.includes(name)) usage(`unknown app ${name}`);

console.log(`fuzzing ${apps.join(', ')}: ${runs} requests each, seed ${seed}${options.path ? `, path ${options.path}` : ''}`);
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', '--project', 'e2e', 'test/fuzz.e2e-spec.ts'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    FUZZ_RUNS: String(runs),
    FUZZ_APPS: apps.join(','),
    FUZZ_SEED: String(seed),
    ...(options.path ? { FUZZ_PATH: options.path } : {}),
  },
});
if (result.error) {
  console.error(`could not run Vitest: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status === 0 ? 0 : 1);
