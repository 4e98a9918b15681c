/** One kind of request of a steady load: a name for reports and how to make it. */
export interface LoadTarget {
  readonly name: string;
  request(): Promise<Response>;
}

/** One answered (or failed) request. Times in ms from performance.now(). */
export interface LoadSample {
  readonly target: string;
  readonly startedAt: number;
  readonly ms: number;
  /** 0 when the request failed without an HTTP answer. */
  readonly status: number;
  /** The problem+json `type` of an error answer. */
  readonly problemType?: string;
  readonly error?: string;
}

export interface SteadyLoadOptions {
  /** Pause between two requests of one worker (default 25 ms): a small load, not a benchmark. */
  readonly pauseMs?: number;
  /** Hard bounds, whatever the test does (defaults 90 s, 20 000 requests). */
  readonly maxDurationMs?: number;
  readonly maxRequests?: number;
}

/**
 * A small, bounded, steady load on loopback: one sequential worker per target, each pausing
 * between requests, recording every answer with its time, until stop() (or a hard bound).
 */
export class SteadyLoad {
  readonly samples: LoadSample[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  constructor(
    private readonly targets: readonly LoadTarget[],
    private readonly options: SteadyLoadOptions = {},
  ) {}

  start(): void {
    const startedAt = performance.now();
    const maxDurationMs = this.options.maxDurationMs ?? 90_000;
    const maxRequests = this.options.maxRequests ?? 20_000;
    const pauseMs = this.options.pauseMs ?? 25;
    this.workers = this.targets.map(async (target) => {
      while (!this.stopped && performance.now() - startedAt < maxDurationMs && this.samples.length < maxRequests) {
        this.samples.push(await measure(target));
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
      }
    });
  }

  async stop(): Promise<LoadSample[]> {
    this.stopped = true;
    await Promise.all(this.workers);
    return this.samples;
  }

  /** Samples of one target started within [from, to). */
  between(from: number, to: number, target?: string): LoadSample[] {
    return this.samples.filter((s) => s.startedAt >= from && s.startedAt < to && (target === undefined || s.target === target));
  }
}

async function measure(target: LoadTarget): Promise<LoadSample> {
  const startedAt = performance.now();
  try {
    const res = await target.request();
    let problemType: string | undefined;
    if (res.status >= 400) {
      const body = (await res.json().catch(() => undefined)) as { type?: unknown } | undefined;
      problemType = typeof body?.type === 'string' ? body.type : undefined;
    } else {
      await res.arrayBuffer();
    }
    return { target: target.name, startedAt, ms: performance.now() - startedAt, status: res.status, problemType };
  } catch (error) {
    return { target: target.name, startedAt, ms: performance.now() - startedAt, status: 0, error: String(error) };
  }
}

/** Per target: how many requests, which statuses, the slowest. For failure messages. */
export function summarize(
  samples: readonly LoadSample[],
): Record<string, { count: number; statuses: Record<string, number>; maxMs: number }> {
  const out: Record<string, { count: number; statuses: Record<string, number>; maxMs: number }> = {};
  for (const sample of samples) {
    const entry = (out[sample.target] ??= { count: 0, statuses: {}, maxMs: 0 });
    entry.count++;
    const key = sample.problemType ? `${sample.status} ${sample.problemType.split('/').pop()}` : String(sample.status);
    entry.statuses[key] = (entry.statuses[key] ?? 0) + 1;
    entry.maxMs = Math.max(entry.maxMs, Math.round(sample.ms));
  }
  return out;
}
