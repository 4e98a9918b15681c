import { describe, expect, it } from 'vitest';

import type { TransportResponse } from '@bff/upstream';

import { CacheEnv } from '../cache.env.js';
import { CacheService } from '../cache.service.js';
import { MemoryStore } from '../stores/memory.store.js';
import { HttpResponseCache } from './http-response.cache.js';

function setup() {
  let now = 5_000_000;
  const cache = new CacheService(
    new MemoryStore({ maxEntries: 100, maxBytes: 1_000_000, maxEntryBytes: 100_000 }, () => now),
    new CacheEnv(),
  );
  cache.clock = () => now;
  return { http: new HttpResponseCache(cache, new CacheEnv(), 'app'), advance: (ms: number) => (now += ms) };
}

/** A scripted upstream: answers in turn, records the conditional headers it got. */
function upstream(...answers: (Partial<TransportResponse> | Error)[]) {
  const seen: Record<string, string>[] = [];
  return {
    seen,
    network: (conditional: Readonly<Record<string, string>>): Promise<TransportResponse> => {
      seen.push({ ...conditional });
      const next = answers.shift() ?? new Error('no more answers');
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve({ status: 200, body: '{"ok":true}', ...next, headers: { ...(next.headers ?? {}) } });
    },
  };
}

const call = (partition?: string) => ({ upstream: 'svc', path: '/things/1', partition });

describe('HttpResponseCache (RFC 9111 rules)', () => {
  it('uses s-maxage for shared entries, reduced by Age', async () => {
    const { http, advance } = setup();
    const u = upstream(
      { headers: { 'cache-control': 'public, max-age=100, s-maxage=10', age: '4', etag: '"a"' } },
      { status: 304, headers: {} },
    );
    await http.fetch(call(), u.network);
    advance(5_000);
    await http.fetch(call(), u.network);
    expect(u.seen).toHaveLength(1);
    advance(1_500); // 4 s old when stored + 6.5 s > s-maxage 10
    await http.fetch(call(), u.network);
    expect(u.seen).toEqual([{}, { 'if-none-match': '"a"' }]);
  });

  it('keeps a credentialed response private unless the upstream says public', async () => {
    const { http } = setup();
    const u = upstream(
      { headers: { 'cache-control': 'max-age=60' } },
      { headers: { 'cache-control': 'max-age=60' } },
      { headers: { 'cache-control': 'public, max-age=60' } },
    );
    await http.fetch(call('session:alice'), u.network);
    await http.fetch(call('session:alice'), u.network); // alice's own copy
    await http.fetch(call('session:bob'), u.network); // not alice's
    expect(u.seen).toHaveLength(2);
    const v = upstream({ headers: { 'cache-control': 'public, max-age=60' }, body: '"public"' });
    const fresh = setup();
    await fresh.http.fetch(call('session:alice'), v.network);
    expect((await fresh.http.fetch(call('session:bob'), v.network)).body).toBe('"public"'); // public: shared
    expect((await fresh.http.fetch(call(undefined), v.network)).body).toBe('"public"');
    expect(v.seen).toHaveLength(1);
  });

  it('never stores Vary: * nor responses without freshness or validator', async () => {
    const { http } = setup();
    const u = upstream({ headers: { 'cache-control': 'max-age=60', vary: '*' } }, {}, { headers: {} }, {});
    for (let i = 0; i < 4; i++) await http.fetch(call(), u.network);
    expect(u.seen).toHaveLength(4);
    expect(http.counters()).toMatchObject({ stores: 0, notStored: 4 });
  });

  it("serves a stale entry within the upstream's stale-if-error when the network fails or answers 5xx", async () => {
    const { http, advance } = setup();
    const u = upstream(
      { headers: { 'cache-control': 'max-age=1, stale-if-error=60' }, body: '"v1"' },
      new Error('connection refused'),
      { status: 503, body: 'down' },
      new Error('still down'),
    );
    await http.fetch(call(), u.network);
    advance(2_000);
    expect((await http.fetch(call(), u.network)).body).toBe('"v1"');
    expect((await http.fetch(call(), u.network)).body).toBe('"v1"');
    advance(60_000);
    await expect(http.fetch(call(), u.network)).rejects.toThrow('still down');
    expect(http.counters().staleIfError).toBe(2);
  });

  it('drops a stored entry when the upstream switches to no-store', async () => {
    const { http, advance } = setup();
    const u = upstream(
      { headers: { 'cache-control': 'max-age=1', etag: '"a"' } },
      { headers: { 'cache-control': 'no-store' }, body: '"new"' },
      { headers: {}, body: '"newer"' },
    );
    await http.fetch(call(), u.network);
    advance(1_500);
    expect((await http.fetch(call(), u.network)).body).toBe('"new"');
    expect((await http.fetch(call(), u.network)).body).toBe('"newer"');
    expect(u.seen).toEqual([{}, { 'if-none-match': '"a"' }, {}]);
  });
});
