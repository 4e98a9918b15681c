import { hash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { RequestContext } from '@bff/core';
import type { CacheableCall, TransportResponse, UpstreamResponseCache } from '@bff/upstream';

import { CACHE_CONFIG, CACHE_NAMESPACE } from '../cache.constants.js';
import { CacheEnv } from '../cache.env.js';
import { CacheService } from '../cache.service.js';
import { parseCacheControl, parseVary } from '../http/cache-control.js';
import type { CacheEntry } from '../stores/entry.js';

type Network = (conditionalHeaders: Readonly<Record<string, string>>) => Promise<TransportResponse>;

/** What is kept of an upstream response. */
interface StoredResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly etag?: string;
  /** Request header values the response varies on (lowercased names). */
  readonly vary: Record<string, string>;
  /** Seconds of stale-if-error granted by the upstream (RFC 5861). */
  readonly staleIfError: number;
}

/** Response headers worth keeping (and refreshed from a 304). */
const KEPT_HEADERS = ['content-type', 'content-language', 'etag', 'last-modified', 'cache-control', 'expires', 'date', 'vary'];

export interface HttpCacheCounters {
  /** Answered without a full response from the network: fresh entries, and 304 revalidations. */
  hits: number;
  /** Went to the network and got a full response. */
  misses: number;
  /** Conditional requests answered 304 (each is also a hit). */
  revalidations: number;
  /** Responses stored. */
  stores: number;
  /** Responses not stored (no-store, private without partition, Vary: *, no freshness nor validator, non-200). */
  notStored: number;
  /** Stale responses served because the network failed within the upstream's stale-if-error. */
  staleIfError: number;
}

/**
 * HTTP cache for upstream GETs declared `httpCache: true` (RFC 9111 semantics, as a shared cache
 * with per-caller partitions):
 * - `no-store` is never stored; `max-age` (or `s-maxage` for shared entries, else `Expires`) sets
 *   the freshness, reduced by `Age`; `no-cache` stores but revalidates every time.
 * - `private` responses are stored only under the caller's partition (call.partition) and never
 *   served to another partition; without a partition they are not stored. A partitioned call may
 *   still reuse a shared (public) entry.
 * - Stale entries with an ETag are revalidated with `If-None-Match`; a 304 refreshes the entry and
 *   counts as a hit. `stale-if-error=N` from the upstream lets a stale entry answer a failed call.
 * - Concurrent identical misses share one network call (when it fails, each caller tries its own).
 */
@Injectable()
export class HttpResponseCache implements UpstreamResponseCache {
  private readonly stats: HttpCacheCounters = { hits: 0, misses: 0, revalidations: 0, stores: 0, notStored: 0, staleIfError: 0 };
  private readonly inflight = new Map<string, Promise<TransportResponse>>();

  constructor(
    private readonly cache: CacheService,
    @Inject(CACHE_CONFIG) private readonly env: CacheEnv,
    @Inject(CACHE_NAMESPACE) private readonly namespace: string,
  ) {}

  async fetch(call: CacheableCall, network: Network): Promise<TransportResponse> {
    if (!this.cache.enabled) return network({});
    const now = this.cache.clock();
    const found = await this.lookup(call);
    if (found && now < found.entry.freshUntil) {
      this.stats.hits++;
      return this.cachedResponse(found.entry, now);
    }
    const flightKey = this.partitionKey(call) ?? this.sharedKey(call);
    const running = this.inflight.get(flightKey);
    if (running) {
      try {
        return await running;
      } catch {
        // The first caller's own call failed (its deadline, its abort): this caller tries its own.
        return this.revalidateOrFetch(call, network, found?.entry);
      }
    }
    const flight = this.revalidateOrFetch(call, network, found?.entry).finally(() => this.inflight.delete(flightKey));
    this.inflight.set(flightKey, flight);
    return flight;
  }

  counters(): Readonly<HttpCacheCounters> {
    return { ...this.stats };
  }

  resetCounters(): void {
    for (const counter of Object.keys(this.stats) as (keyof HttpCacheCounters)[]) this.stats[counter] = 0;
  }

  private async revalidateOrFetch(
    call: CacheableCall,
    network: Network,
    stale: CacheEntry<StoredResponse> | undefined,
  ): Promise<TransportResponse> {
    const conditional: Record<string, string> = stale?.value.etag ? { 'if-none-match': stale.value.etag } : {};
    let response: TransportResponse;
    try {
      response = await network(conditional);
    } catch (error) {
      if (stale && this.withinStaleIfError(stale)) {
        this.stats.staleIfError++;
        return this.cachedResponse(stale, this.cache.clock());
      }
      throw error;
    }
    const now = this.cache.clock();
    if (response.status === 304 && stale && conditional['if-none-match']) {
      this.stats.hits++;
      this.stats.revalidations++;
      const headers = { ...stale.value.headers, ...keep(response.headers) };
      const refreshed: StoredResponse = { ...stale.value, headers, etag: headers.etag ?? stale.value.etag };
      await this.store(call, refreshed, now, ageOf(response.headers), true);
      return this.cachedResponse({ ...stale, value: refreshed, storedAt: now }, now);
    }
    if (response.status >= 500 && stale && this.withinStaleIfError(stale)) {
      this.stats.staleIfError++;
      return this.cachedResponse(stale, now);
    }
    this.stats.misses++;
    if (response.status === 200) {
      const headers = keep(response.headers);
      await this.store(
        call,
        { status: 200, headers, body: response.body, etag: headers.etag, vary: {}, staleIfError: 0 },
        now,
        ageOf(response.headers),
        stale !== undefined,
      );
    } else {
      this.stats.notStored++;
    }
    return response;
  }

  /** Decides where (and whether) a 200 or refreshed response is stored, from its own headers. */
  private async store(call: CacheableCall, response: StoredResponse, now: number, age: number, replacing: boolean): Promise<void> {
    const cc = parseCacheControl(response.headers['cache-control']);
    const varyOn = parseVary(response.headers.vary);
    const sharedKey = this.sharedKey(call);
    const partitionKey = this.partitionKey(call);
    if (cc.noStore || varyOn.includes('*')) {
      this.stats.notStored++;
      // The upstream now forbids storing: drop what an earlier answer left.
      if (replacing) await this.cache.invalidateKeys([sharedKey, ...(partitionKey ? [partitionKey] : [])]);
      return;
    }
    // Responses to a call carrying the caller's credentials are private unless the upstream says
    // otherwise (RFC 9111 §3.5); varying on credentials makes them private too.
    const credentialed = call.partition !== undefined;
    const isPrivate =
      cc.private ||
      varyOn.some((h) => h === 'authorization' || h === 'cookie') ||
      (credentialed && !cc.public && cc.sMaxAge === undefined && !cc.mustRevalidate);
    const key = isPrivate ? partitionKey : sharedKey;
    if (!key) {
      this.stats.notStored++;
      return;
    }
    let freshness = (isPrivate ? cc.maxAge : (cc.sMaxAge ?? cc.maxAge)) ?? expiresFreshness(response.headers);
    if (cc.noCache) freshness = 0;
    const freshMs = Math.max(0, (freshness - age) * 1000);
    const etag = response.etag;
    if (freshMs === 0 && !etag) {
      this.stats.notStored++;
      return;
    }
    const staleIfError = cc.staleIfError ?? 0;
    const keepMs = Math.max(etag ? this.env.CACHE_UPSTREAM_REVALIDATE_WINDOW_S * 1000 : 0, staleIfError * 1000);
    const value: StoredResponse = { ...response, vary: this.varyValues(varyOn), staleIfError };
    const entry: CacheEntry<StoredResponse> = {
      value,
      storedAt: now,
      freshUntil: now + freshMs,
      expiresAt: now + freshMs + keepMs,
      tags: [`upstream:${call.upstream}`],
    };
    if (entry.expiresAt <= now) {
      this.stats.notStored++;
      return;
    }
    this.stats.stores++;
    await this.cache.put(key, entry);
  }

  /** The caller's partition entry first (private responses), then the shared one; a Vary mismatch is a miss. */
  private async lookup(call: CacheableCall): Promise<{ entry: CacheEntry<StoredResponse> } | undefined> {
    const keys = [this.partitionKey(call), this.sharedKey(call)].filter((k): k is string => k !== undefined);
    for (const key of keys) {
      const entry = await this.cache.peek<StoredResponse>(key);
      if (entry && isStoredResponse(entry.value) && this.varyMatches(entry.value)) return { entry };
    }
    return undefined;
  }

  /** A stored response as the transport's answer, with its Age. */
  private cachedResponse(entry: CacheEntry<StoredResponse>, now: number): TransportResponse {
    const age = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
    return { status: entry.value.status, headers: { ...entry.value.headers, age: String(age) }, body: entry.value.body };
  }

  private withinStaleIfError(entry: CacheEntry<StoredResponse>): boolean {
    return this.cache.clock() < entry.freshUntil + entry.value.staleIfError * 1000;
  }

  /** Values of the request headers sent upstream that the response varies on. */
  private varyValues(names: readonly string[]): Record<string, string> {
    const ctx = RequestContext.current();
    const out: Record<string, string> = {};
    for (const name of names) {
      const value = ctx?.propagated[name] ?? ctx?.inboundHeaders[name];
      out[name] = typeof value === 'string' ? value : '';
    }
    return out;
  }

  private varyMatches(stored: StoredResponse): boolean {
    const names = Object.keys(stored.vary);
    if (names.length === 0) return true;
    const current = this.varyValues(names);
    return names.every((n) => current[n] === stored.vary[n]);
  }

  // Keyed on the language sent upstream (the negotiated one) too: each language keeps its own entry instead of
  // evicting the others through a Vary mismatch, and an answer in one language is never served for another.
  private sharedKey(call: CacheableCall): string {
    return `up:${this.namespace}:${call.upstream}:s:${hash('sha256', JSON.stringify([call.path, sentLanguage()]), 'base64url')}`;
  }

  private partitionKey(call: CacheableCall): string | undefined {
    if (call.partition === undefined) return undefined;
    const material = JSON.stringify([call.partition, call.path, sentLanguage()]);
    return `up:${this.namespace}:${call.upstream}:p:${hash('sha256', material, 'base64url')}`;
  }
}

function headerValue(value: string | readonly string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : (value as string | undefined);
}

function ageOf(headers: TransportResponse['headers']): number {
  const age = Number(headerValue(headers.age));
  return Number.isFinite(age) && age > 0 ? age : 0;
}

function keep(headers: TransportResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headerValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function expiresFreshness(headers: Record<string, string>): number {
  if (!headers.expires) return 0;
  const expires = Date.parse(headers.expires);
  const date = headers.date ? Date.parse(headers.date) : Date.now();
  if (Number.isNaN(expires) || Number.isNaN(date)) return 0;
  return Math.max(0, Math.floor((expires - date) / 1000));
}

function isStoredResponse(value: unknown): value is StoredResponse {
  const candidate = value as Partial<StoredResponse> | null;
  return (
    !!candidate &&
    typeof candidate.status === 'number' &&
    typeof candidate.body === 'string' &&
    typeof candidate.headers === 'object' &&
    candidate.headers !== null &&
    typeof candidate.vary === 'object'
  );
}

/** The Accept-Language this request sends upstream ('' outside a request). */
function sentLanguage(): string {
  return RequestContext.current()?.propagated['accept-language'] ?? '';
}
