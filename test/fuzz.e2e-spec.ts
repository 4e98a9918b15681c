import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { APP_NAMES, fetchDocument, operationsOf, startAppUnderTest, type AppName, type AppUnderTest } from './support/openapi-crawl.js';
import { formatStatuses, FUZZ_LIMITS_ENV, fuzzApp } from './support/openapi-fuzz.js';

/**
 * OpenAPI-driven fuzzing of every route of each app (test/support/openapi-fuzz.ts): generated valid
 * and invalid requests, with valid, missing and wrong credentials from the real sandbox IdP, over
 * real sockets. No answer may be a 5xx; every status, header and body must be the documented one;
 * every error a documented problem.
 *
 * FUZZ_RUNS (default 2000) requests per app; FUZZ_SEED replays a run (the seed is printed either
 * way), FUZZ_PATH jumps straight to a reported counterexample; FUZZ_APPS (comma-separated) limits the
 * apps. `npm run fuzz -- --runs 100000 --app web-bff` is the long-run entry point.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x1_0000_0000) : Number(process.env.FUZZ_SEED);
const PATH = process.env.FUZZ_PATH;
const APPS = (process.env.FUZZ_APPS?.split(',').map((name) => name.trim()) ?? [...APP_NAMES]) as AppName[];
/** A generous bound on a loaded machine: 50 ms per request, at least two minutes. */
const TIMEOUT_MS = Math.max(120_000, RUNS * 50);

if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
if (!Number.isInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);
for (const name of APPS) if (!APP_NAMES.includes(name)) throw new Error(`FUZZ_APPS: unknown app ${name} (apps: ${APP_NAMES.join(', ')})`);

describe.each(APPS)('%s under OpenAPI-driven fuzzing', (name) => {
  let app: AppUnderTest;
  beforeAll(async () => {
    app = await startAppUnderTest(name, FUZZ_LIMITS_ENV);
  }, 60_000);
  afterAll(() => app?.close());

  it(
    `${RUNS} generated requests: no 5xx, only documented statuses and headers, every error a documented problem`,
    async () => {
      const document = await fetchDocument(app);
      const replay = `FUZZ_SEED=${SEED}${PATH ? ` FUZZ_PATH=${PATH}` : ''} FUZZ_APPS=${name} FUZZ_RUNS=${RUNS}`;
      console.log(`${name}: fuzzing with seed ${SEED} (replay: ${replay} npx vitest run --project e2e test/fuzz.e2e-spec.ts)`);
      const report = await fuzzApp(app, document, { numRuns: RUNS, seed: SEED, path: PATH });
      console.log(
        `${name}: ${report.requests} requests in ${(report.durationMs / 1000).toFixed(1)} s ` +
          `(${Math.round(report.requests / (report.durationMs / 1000))}/s), seed ${SEED}\n${formatStatuses(report)}`,
      );
      // A replay starts at the counterexample path (and stops at its failure); a full run must have reached every operation
      // and, with valid credentials and values, the handlers themselves.
      if (PATH) return;
      expect(report.requests).toBeGreaterThanOrEqual(RUNS);
      const operations = operationsOf(document).map((operation) => `${operation.method} ${operation.template}`);
      expect([...report.statuses.keys()].sort()).toEqual([...operations].sort());
      console.log(`${name}: ${report.plain.succeeded} of ${report.plain.requests} plain requests answered 2xx/3xx`);
      // The share of plain requests (what a real client sends: valid values and credentials) that succeed shows the
      // generator reaches the handlers themselves; odd requests are meant to fail, so they are not counted.
      expect(report.plain.requests).toBeGreaterThan(0);
      expect(report.plain.succeeded / report.plain.requests, 'share of plain requests answered 2xx/3xx').toBeGreaterThan(0.4);
    },
    TIMEOUT_MS,
  );
});
