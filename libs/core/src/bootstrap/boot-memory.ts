import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Hands back to the OS the memory the boot needed and no longer does, once, shortly after the app
 * starts listening: a memory-reducing ("last resort") major GC, the one V8 runs under memory
 * pressure. Needs node's `--expose-gc` (one of the production node flags, scripts/production-node-flags.ts);
 * without it (e.g. an app created in-process by a test) this does nothing.
 *
 * Loading ~2,700 modules and wiring the app makes V8 grow its young generation to its maximum on a
 * host with plenty of memory, and V8 shrinks it only in a memory-reducing GC, which an idle process never
 * triggers. docs/performance.md ("Shortcuts measured") has the idle RSS with and without it.
 *
 * It runs BOOT_SETTLE_MS after listening rather than before: the pause then delays neither readiness nor
 * the first probe, and the work libs start at boot (the IdP discovery and key prefetch of the auth
 * strategies) has had time to finish, so its garbage goes too.
 */
export function releaseBootMemoryWhenSettled(): void {
  const gc = globalThis.gc;
  if (typeof gc !== 'function') return;
  // Housekeeping only: whatever goes wrong here must not take the process down.
  setTimeout(() => {
    // V8 sizes the young generation from the memory it may use: on a small container it never grew far.
    const youngBytes = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
    if (youngBytes >= MIN_YOUNG_GENERATION_TO_RELEASE)
      gc({ type: 'major', execution: 'async', flavor: 'last-resort' }).catch(() => undefined);
  }, BOOT_SETTLE_MS).unref();
}

/** How long after listening the boot memory is released. */
const BOOT_SETTLE_MS = 250;

/** Young-generation capacity left by the boot above which the memory-reducing GC runs. */
const MIN_YOUNG_GENERATION_TO_RELEASE = 16 * 1024 * 1024;
