import type { LoggerService } from '@nestjs/common';

/** Logs a warning at most once per interval and kind, so an outage produces a line a minute, not one per request. */
export class WarnLimiter {
  private readonly last = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(
    private readonly logger: Pick<LoggerService, 'warn'>,
    private readonly intervalMs: number,
  ) {}

  warn(kind: string, message: string): boolean {
    const now = Date.now();
    const last = this.last.get(kind);
    if (last !== undefined && now - last < this.intervalMs) {
      this.suppressed.set(kind, (this.suppressed.get(kind) ?? 0) + 1);
      return false;
    }
    const skipped = this.suppressed.get(kind) ?? 0;
    this.suppressed.delete(kind);
    this.last.set(kind, now);
    this.logger.warn(skipped ? `${message} (${skipped} similar warnings suppressed)` : message);
    return true;
  }

  /** Lets the next warning of this kind through (e.g. once the failure is over). */
  reset(kind: string): void {
    this.last.delete(kind);
    this.suppressed.delete(kind);
  }
}
