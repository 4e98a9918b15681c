// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and ranks functions by self time.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ROOT } from './processes.mjs';

/** The .cpuprofile files `node --cpu-prof` wrote for `pid` (CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile). */
export function profilesOf(dir, pid) {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile') && name.split('.')[3] === String(pid))
    .map((name) => join(dir, name));
}

function where(callFrame) {
  let url = callFrame.url ?? '';
  if (url.startsWith('file://')) {
    try {
      url = fileURLToPath(url);
    } catch {
      // keep as is
    }
  }
  if (url.startsWith(`${ROOT}/`)) url = url.slice(ROOT.length + 1);
  return url ? `${url}:${callFrame.lineNumber + 1}` : '';
}

/**
 * Self time per function (name + location), summed over every node of the call tree, from the
 * samples and their time deltas: sample i lasts until sample i+1.
 */
export function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const { samples = [], timeDeltas = [] } = profile;
  for (let i = 0; i < samples.length; i++) {
    const us = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, us));
  }
  const byFunction = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const name = node.callFrame.functionName || '(anonymous)';
    const key = `${name}\u0000${where(node.callFrame)}`;
    const entry = byFunction.get(key) ?? { name, location: where(node.callFrame), selfUs: 0 };
    entry.selfUs += us;
    byFunction.set(key, entry);
  }
  const functions = [...byFunction.values()].sort((a, b) => b.selfUs - a.selfUs);
  return { totalUs, functions };
}

/** Top `n` functions by self time (idle excluded; percentages of the busy time). */
export function topSelfTime(file, n = 10) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const { totalUs, functions } = selfTimes(profile);
  const idleUs = functions.filter((f) => f.name === '(idle)').reduce((a, f) => a + f.selfUs, 0);
  const busyUs = totalUs - idleUs;
  const top = functions
    .filter((f) => f.name !== '(idle)')
    .slice(0, n)
    .map((f) => ({ ...f, selfMs: f.selfUs / 1_000, pctOfBusy: busyUs > 0 ? (100 * f.selfUs) / busyUs : 0 }));
  return { file, totalMs: totalUs / 1_000, idleMs: idleUs / 1_000, busyMs: busyUs / 1_000, top };
}
