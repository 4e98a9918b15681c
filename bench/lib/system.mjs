// The machine: what it is (for the report) and how busy it is (/proc/stat) so a run can be flagged
// as noisy — CPU steal from the hypervisor, and CPU used by processes that are not part of the run.
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Aggregate CPU times from the first line of /proc/stat, in clock ticks. */
export function cpuTimes() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = user + nice + system + idle + iowait + irq + softirq + steal;
  return { user, nice, system, idle, iowait, irq, softirq, steal, total, busy: total - idle - iowait - steal };
}

/** Between two cpuTimes() snapshots: steal and busy as a share of all CPU time, in percent. */
export function cpuDelta(a, b) {
  const total = b.total - a.total;
  if (!(total > 0)) return { totalTicks: 0, stealPct: 0, busyPct: 0, busyTicks: 0 };
  return {
    totalTicks: total,
    busyTicks: b.busy - a.busy,
    stealPct: (100 * (b.steal - a.steal)) / total,
    busyPct: (100 * (b.busy - a.busy)) / total,
  };
}

export function machine() {
  let model = os.cpus()[0]?.model ?? 'unknown';
  let mhz;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? model;
    mhz = Number(/^cpu MHz\s*:\s*([\d.]+)$/m.exec(info)?.[1]) || undefined;
  } catch {
    // not Linux
  }
  return {
    cpuModel: model,
    cpuMHz: mhz,
    cpus: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    arch: process.arch,
    node: process.version,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
