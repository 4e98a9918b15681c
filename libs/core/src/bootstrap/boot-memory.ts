import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Hands back to the OS the memory the boot needed and no longer does, once, shortly after the app
 * starts listening: a memory-reducing ("last resort") major GC, the one V8 runs under memory
 * pressure.
 *
 * Loading ~2,700 modules and wiring the app makes V8 grow its young generation to its maximum (64 MB
 * on a host with plenty of memory) and leaves the old generation fragmented. V8 shrinks them only in
 * a memory-reducing GC, which an idle process never triggers: an idle web-bff kept ~170 MB resident
 * indefinitely; after this GC, ~120 MB, and V8 grows the heap again only for the load it gets.
 *
 * It runs BOOT_SETTLE_MS after listening rather than before: the pause (~80 ms) then delays neither
 * readiness nor the first probe, and the background work libs start at boot (the IdP discovery and
 * key prefetch of the auth strategies) has had time to finish, so its garbage goes too.
 */
export function releaseBootMemoryWhenSettled(): void {
  // Housekeeping only: whatever goes wrong here must not take the process down.
  setTimeout(() => {
    releaseBootMemory().catch(() => undefined);
  }, BOOT_SETTLE_MS).unref();
}

/** How long after listening the boot memory is released. */
const BOOT_SETTLE_MS = 250;

/** The memory-reducing GC itself (see releaseBootMemoryWhenSettled). */
export async function releaseBootMemory(): Promise<void> {
  // V8 sizes the young generation from the memory it may use: on a small container it never grew
  // far, and the GC is not worth its pause.
  const youngBytes = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  if (youngBytes < MIN_YOUNG_GENERATION_TO_RELEASE) return;
  const gc = collector();
  if (gc) await gc({ type: 'major', execution: 'async', flavor: 'last-resort' });
}

/** Young-generation capacity left by the boot above which the memory-reducing GC runs. */
const MIN_YOUNG_GENERATION_TO_RELEASE = 16 * 1024 * 1024;

function collector(): NodeJS.GCFunction | undefined {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as NodeJS.GCFunction) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
