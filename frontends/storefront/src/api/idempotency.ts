/**
 * Idempotency keys for checkout. One purchase attempt = one key: a retry after a network failure or a
 * 5xx (the order may or may not exist) sends the SAME key, so web-bff answers the first order instead of
 * placing a second one. The key changes when the attempt is settled (an answer that is final, success or
 * a 4xx the user must act on) or when what is being bought changes (the cart fingerprint).
 */
export interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

interface Stored {
  key: string;
  fingerprint: string;
}

/** Whether a failed checkout may be retried with the same key (the outcome is unknown). */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

export class IdempotentAttempt {
  #current: Stored | undefined;

  /**
   * `storage` (sessionStorage in the SPA) keeps the pending key across a reload of the tab, so a user who
   * reloads after a timeout still retries the same attempt.
   */
  constructor(
    private readonly storageKey: string,
    private readonly storage?: KeyStorage,
    private readonly newKey: () => string = () => crypto.randomUUID(),
  ) {
    const saved = storage?.getItem(storageKey);
    if (saved) {
      try {
        const parsed = JSON.parse(saved) as Partial<Stored>;
        if (typeof parsed.key === 'string' && typeof parsed.fingerprint === 'string') {
          this.#current = { key: parsed.key, fingerprint: parsed.fingerprint };
        }
      } catch {
        storage?.removeItem(storageKey);
      }
    }
  }

  /** The key for buying `fingerprint`: the pending attempt's key when it is the same purchase, else a new one. */
  keyFor(fingerprint: string): string {
    if (this.#current?.fingerprint !== fingerprint) {
      this.#current = { key: this.newKey(), fingerprint };
      this.storage?.setItem(this.storageKey, JSON.stringify(this.#current));
    }
    return this.#current.key;
  }

  /** The attempt got a final answer: the next checkout is a new attempt with a new key. */
  settle(): void {
    this.#current = undefined;
    this.storage?.removeItem(this.storageKey);
  }

  /** Settles the attempt unless `status` leaves its outcome unknown (then the retry reuses the key). */
  settleUnlessRetryable(status: number): void {
    if (!isRetryableStatus(status)) this.settle();
  }
}
