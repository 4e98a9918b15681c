// Idle resident memory of web-bff built at two commits (scripts/bench-ab.mjs --workload idle-rss): spawns
// alternated with / without, each measured SETTLE_MS after it answers /health/live, against one sandbox.
import { setTimeout as sleep } from 'node:timers/promises';

import { appEnv } from '../scenarios.mjs';
import { memoryOf, Processes } from './processes.mjs';
import { median } from './stats.mjs';
import { startApp, startSandbox } from './targets.mjs';

const SETTLE_MS = 3_000;

export async function idleRss({ with: withRoot, without: withoutRoot, spawns }) {
  const procs = new Processes();
  try {
    const sandbox = await startSandbox(procs, 'bench');
    const samples = { with: [], without: [] };
    for (let i = 0; i < spawns; i++) {
      const order = i % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
      for (const variant of order) {
        const root = variant === 'with' ? withRoot : withoutRoot;
        const started = await startApp(procs, 'web-bff', { sandbox, appEnv, logLevel: 'warn', root, label: variant });
        await sleep(SETTLE_MS);
        samples[variant].push(memoryOf(started.pid).rssKb / 1024);
        await procs.stop(started.child);
      }
    }
    const result = { withMb: median(samples.with), withoutMb: median(samples.without), samples };
    return { ...result, ratio: result.withoutMb / result.withMb };
  } finally {
    await procs.stopAll();
  }
}
