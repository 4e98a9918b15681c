#!/usr/bin/env node
// Orphan guard for scripts/bench.mjs. The harness spawns this process with a pipe on stdin and
// writes one line per child it starts ("+<pid> <marker>") and per child that exited ("-<pid>").
// When stdin closes — the harness exited, crashed or was SIGKILLed — every child still registered
// whose /proc/<pid>/cmdline still contains its marker (so a recycled pid is never hit) gets
// SIGTERM, then SIGKILL 5 s later. A clean harness run unregisters everything first, so then this
// does nothing.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

process.on('SIGINT', () => {}); // Ctrl-C reaches the whole process group; the harness handles it, we wait for EOF.

const tracked = new Map();

function alive(pid, marker) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

function signal(sig) {
  let left = 0;
  for (const [pid, marker] of tracked) {
    if (!alive(pid, marker)) continue;
    left++;
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
  return left;
}

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const match = /^([+-])(\d+)(?: (.*))?$/.exec(line.trim());
  if (!match) return;
  if (match[1] === '+') tracked.set(Number(match[2]), match[3] ?? '');
  else tracked.delete(Number(match[2]));
});
lines.on('close', () => {
  if (signal('SIGTERM') === 0) process.exit(0);
  setTimeout(() => {
    signal('SIGKILL');
    process.exit(0);
  }, 5_000);
});
