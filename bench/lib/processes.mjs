// Child processes of the benchmark: spawn with a minimal environment, keep a tail of their output,
// stop them (SIGTERM, then SIGKILL), and never leave one behind — on a normal exit, on Ctrl-C, on a
// crash, and (through bench/lib/reaper.mjs) even when the harness itself is SIGKILLed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const TAIL_CHARS = 4_000;

/** A running (or finished) child: its pid, output tails, a stdout line feed and its exit. */
export class Child {
  constructor(name, proc, marker) {
    this.name = name;
    this.proc = proc;
    this.pid = proc.pid;
    this.marker = marker;
    this.spawnedAt = performance.now();
    this.stdoutTail = '';
    this.stderrTail = '';
    this.lineListeners = new Set();
    this.exit = undefined;
    this.spawnError = undefined;
    this.exited = new Promise((resolveExit) => {
      proc.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolveExit(this.exit);
      });
      proc.once('error', (error) => {
        this.spawnError = error;
        if (this.pid === undefined) {
          this.exit = { code: null, signal: null };
          resolveExit(this.exit);
        }
      });
    });
    let buffer = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk) => {
      this.stdoutTail = (this.stdoutTail + chunk).slice(-TAIL_CHARS);
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        for (const listener of this.lineListeners) listener(line);
      }
    });
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (chunk) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-TAIL_CHARS);
    });
    proc.stdin?.on('error', () => {});
  }

  get running() {
    return this.exit === undefined && this.pid !== undefined;
  }

  /** Output tails for an error message. */
  output() {
    return [
      this.stderrTail.trim() && `--- ${this.name} stderr (tail) ---\n${this.stderrTail.trim()}`,
      this.stdoutTail.trim() && `--- ${this.name} stdout (tail) ---\n${this.stdoutTail.trim()}`,
    ]
      .filter(Boolean)
      .join('\n');
  }

  describeExit() {
    if (this.spawnError) return `spawn failed: ${this.spawnError.message}`;
    if (!this.exit) return 'running';
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exit code ${this.exit.code}`;
  }

  /** Resolves with the first stdout line that parses as JSON and satisfies `accept`. */
  waitForJsonLine(accept, timeoutMs) {
    return new Promise((resolveLine, reject) => {
      const done = (fn, value) => {
        clearTimeout(timer);
        this.lineListeners.delete(onLine);
        fn(value);
      };
      const onLine = (line) => {
        let parsed;
        try {
          parsed = JSON.parse(line);
        } catch {
          return;
        }
        if (accept(parsed)) done(resolveLine, parsed);
      };
      const timer = setTimeout(
        () => done(reject, new Error(`${this.name}: not ready within ${timeoutMs / 1000} s\n${this.output()}`)),
        timeoutMs,
      );
      this.lineListeners.add(onLine);
      this.exited.then(() => done(reject, new Error(`${this.name} exited before it was ready (${this.describeExit()})\n${this.output()}`)));
    });
  }
}

/** Every child the harness starts goes through here. */
export class Processes {
  #children = new Set();
  #reaper;

  constructor() {
    // The orphan guard: it outlives us only to clean up after a harness that died without doing so.
    this.#reaper = spawn(process.execPath, [join(ROOT, 'bench/lib/reaper.mjs')], { cwd: ROOT, stdio: ['pipe', 'ignore', 'inherit'] });
    this.#reaper.stdin.on('error', () => {});
    this.#reaper.unref();
  }

  /**
   * Spawns `node [nodeArgs] script [args]` with only PATH, HOME and `env` (nothing from the
   * developer's shell — NODE_OPTIONS, REDIS_URL, ... — leaks in). `keepStdin` gives the child a
   * stdin pipe that stays open while we live (our own baselines exit when it closes).
   */
  spawnNode(name, script, { args = [], nodeArgs = [], env = {}, keepStdin = false } = {}) {
    const proc = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? ROOT, ...env },
      stdio: [keepStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const child = new Child(name, proc, script);
    if (child.pid !== undefined) {
      this.#children.add(child);
      this.#tell(`+${child.pid} ${script}`);
      void child.exited.then(() => {
        this.#children.delete(child);
        this.#tell(`-${child.pid}`);
      });
    }
    return child;
  }

  #tell(line) {
    if (this.#reaper.stdin.writable) this.#reaper.stdin.write(`${line}\n`);
  }

  pids() {
    return [...this.#children].filter((c) => c.running).map((c) => c.pid);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit. */
  async stop(child, graceMs = 15_000) {
    if (!child.running) return child.exit;
    child.proc.kill('SIGTERM');
    const result = await Promise.race([child.exited, sleep(graceMs).then(() => 'timeout')]);
    if (result === 'timeout') {
      child.proc.kill('SIGKILL');
      const exit = await child.exited;
      return { ...exit, forced: true };
    }
    return result;
  }

  async stopAll(graceMs = 5_000) {
    await Promise.all([...this.#children].map((c) => this.stop(c, graceMs)));
    this.#reaper.stdin.end();
  }

  /** Last resort from a synchronous 'exit' handler. */
  killAllSync() {
    for (const child of this.#children) {
      if (child.running) child.proc.kill('SIGKILL');
    }
    this.#reaper.stdin.end();
  }
}

/** VmRSS and VmHWM (peak) of a process in kB, from /proc/<pid>/status. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return { rssKb: NaN, hwmKb: NaN };
  }
}

/** utime + stime of a process, in clock ticks (USER_HZ, the unit of /proc/stat), from /proc/<pid>/stat. */
export function cpuTicksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return NaN;
  }
}

export function relativeToRoot(path) {
  return relative(ROOT, path);
}
