/**
 * The cancellation of one upstream attempt: its own timeout, plus the caller's signal (section
 * budget, request). It replaces `AbortSignal.any([AbortSignal.timeout(ms), caller])`, whose timer is
 * not cleared when the call ends: on a busy instance thousands of them fire every second long after
 * their calls are over, each allocating a DOMException and walking the composite signals. Here the
 * timer and the caller listener are removed by dispose(), once the attempt is over.
 */
export class AttemptAbort {
  /** Whether the attempt's own timeout fired (as opposed to the caller aborting). */
  timedOut = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, timeoutMs);
    if (caller?.aborted) {
      this.controller.abort(caller.reason);
    } else if (caller) {
      this.onCallerAbort = () => this.controller.abort(caller.reason);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops the timer and detaches from the caller's signal; call it when the attempt is over. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}
