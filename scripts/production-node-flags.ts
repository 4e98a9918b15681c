/**
 * The node flags every app runs with in production, in one place.
 *
 * The Dockerfile's CMD must be `["node", ...PRODUCTION_NODE_FLAGS, "/app/main.js"]`
 * (scripts/lint-dockerfile.mjs fails otherwise), and everything that starts an app as production
 * does — the benchmark (apps and baselines alike), the e2e suites that spawn dist/, the
 * production-closure check and the dev stack — passes the same flags, so what is measured and tested
 * is what runs. (They are V8 flags that NODE_OPTIONS does not accept, and setting them at run time
 * has no effect, hence the command line.)
 */
export const PRODUCTION_NODE_FLAGS: readonly string[] = Object.freeze([
  // Stack traces in the logs point at the TypeScript sources (dist/ ships its .js.map files).
  '--enable-source-maps',
  // No heap shrinking while idle. V8's memory reducer runs memory-reducing GCs a few seconds after
  // allocation stops and hands the heap's pages back to the OS; the next burst of requests faults
  // them in again. On this VM that cost 9–13 page faults per product page for the first seconds
  // after every pause (up to 13 µs each when the host has reclaimed the page) and halved throughput
  // until the heap had regrown. A server sized for its peak gains nothing from shrinking between
  // bursts; the boot-time release of start-up memory (libs/core boot-memory.ts) is unaffected.
  // See docs/performance.md, "Memory handed back while idle".
  '--no-memory-reducer',
]);
