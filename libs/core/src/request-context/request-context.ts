import { AsyncLocalStorage } from 'node:async_hooks';

/** What the platform knows about the request being served, shared by every lib through ALS. */
export interface RequestContextData {
  readonly requestId: string;
  /** The matched route pattern (`/products/:id`), a bounded label for metrics; never the URL. */
  readonly route?: string;
  /** Monotonic ms timestamp (performance.now()) at which the request arrived. */
  readonly startedAt: number;
  /** Inbound headers that are propagated to upstreams (already filtered, lowercased). */
  readonly propagated: Readonly<Record<string, string>>;
  /** The language negotiated from `Accept-Language` against the app's languages (see AppDefinition.languages). */
  readonly language?: string;
  /** All inbound headers (lowercased), for libs that forward a configured extra header. */
  readonly inboundHeaders: Readonly<Record<string, string | string[] | undefined>>;
  /** Absolute deadline (performance.now() based) for the whole request, when one applies. */
  deadline?: number;
  /**
   * Typed slots other libs attach state to (auth identity, degraded sections...), keyed by a
   * symbol that lib owns, so core never needs to know their types.
   */
  readonly slots: Map<symbol, unknown>;
  /**
   * Headers libs want on the response (e.g. an authentication challenge). Core's onSend hook
   * applies them, so libs never touch the HTTP reply.
   */
  readonly responseHeaders: Record<string, string>;
}

const storage = new AsyncLocalStorage<RequestContextData>();

export const RequestContext = {
  /** Runs `fn` with `ctx` as the current request context. */
  run<T>(ctx: RequestContextData, fn: () => T): T {
    return storage.run(ctx, fn);
  },
  /** The current request context, or undefined outside a request (startup, timers). */
  current(): RequestContextData | undefined {
    return storage.getStore();
  },
  /** Remaining milliseconds of the request's deadline budget, or undefined when none is set. */
  remainingBudgetMs(now: number = performance.now()): number | undefined {
    const ctx = storage.getStore();
    if (ctx?.deadline === undefined) return undefined;
    return Math.max(0, ctx.deadline - now);
  },
  setResponseHeader(name: string, value: string): void {
    const ctx = storage.getStore();
    if (ctx) ctx.responseHeaders[name.toLowerCase()] = value;
  },
  getSlot<T>(key: symbol): T | undefined {
    return storage.getStore()?.slots.get(key) as T | undefined;
  },
  setSlot<T>(key: symbol, value: T): void {
    storage.getStore()?.slots.set(key, value);
  },
};
