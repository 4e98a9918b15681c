/**
 * The node flags every app runs with in production, in one place.
 *
 * The Dockerfile's CMD must be `["node", ...PRODUCTION_NODE_FLAGS, "/app/main.js"]`
 * (scripts/lint-dockerfile.mjs fails otherwise), and everything that starts an app as production
 * does — the benchmark (apps and baselines alike), the e2e suites that spawn dist/, the
 * production-closure check and the dev stack — passes the same flags, so what is measured and tested
 * is what runs. (They are V8 flags that NODE_OPTIONS does not accept, and setting them at run time
 * has no effect, hence the command line.)
 *
 * Deliberately absent: `--enable-source-maps`. With it, node reads the source map of every module it
 * loads (node_modules included) and keeps them: +6 MB of idle RSS per app, which put mobile-bff over its
 * 130 MB budget (132 MB in the benchmark's startup table). Formatting a stack costs about the same either
 * way. dist/ is unbundled tsc output with the sources'
 * file names, and it ships its .js.map files: add the flag when debugging.
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = Object.freeze([
  // No heap shrinking while idle: V8's memory reducer hands the heap's pages back to the OS a few seconds
  // after allocation stops, and the next burst of requests faults them in again. A server sized for its
  // peak gains nothing from shrinking between bursts; the one release of start-up memory after boot
  // (libs/core boot-memory.ts) is separate. Evidence: bench/results/history/performance-journal-2026-11.md,
  // "Memory handed back while idle".
  '--no-memory-reducer',
  // globalThis.gc, for the one memory-reducing GC after boot (libs/core boot-memory.ts).
  '--expose-gc',
]);
