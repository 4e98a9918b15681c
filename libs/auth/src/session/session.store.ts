import { randomBytes } from 'node:crypto';

import { LRUCache } from 'lru-cache';

import { Tracing, type RedisClient as Redis } from '@bff/core';

/**
 * Where sessions and their refresh leases live (pending logins are sealed in cookies, never here). Records are flat objects whose fields
 * can be updated independently (a touch never overwrites tokens a concurrent refresh just wrote),
 * and an update never resurrects a deleted record. Implementations throw on infrastructure
 * failure; callers turn that into a 503, never into "no session".
 */
export interface SessionStore {
  get<T extends object>(key: string): Promise<T | undefined>;
  /** Creates (or replaces) the record. */
  create(key: string, value: object, ttlMs: number): Promise<void>;
  /** Merges `fields` into an existing record and resets its TTL; false when the record does not exist. */
  update(key: string, fields: object, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Reads and deletes atomically: two concurrent takes never both get the record. */
  take<T extends object>(key: string): Promise<T | undefined>;
  /** Takes the lease `key` for `ttlMs` when free; resolves to its owner token, or undefined when held by someone else. */
  acquireLease(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases the lease if `token` still owns it. */
  releaseLease(key: string, token: string): Promise<void>;
  /** 'memory' or 'redis' (for logs and health). */
  readonly kind: 'memory' | 'redis';
}

const leaseToken = (): string => randomBytes(16).toString('base64url');

/** Bounded in-memory store of one instance: least recently used records are evicted beyond `max`. */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly records: LRUCache<string, Record<string, unknown>>;
  private readonly leases = new Map<string, { token: string; expiresAt: number }>();

  constructor(max: number) {
    this.records = new LRUCache({ max, ttlAutopurge: false, allowStale: false, updateAgeOnGet: false });
  }

  get<T extends object>(key: string): Promise<T | undefined> {
    const value = this.records.get(key);
    return Promise.resolve(value ? (structuredClone(value) as T) : undefined);
  }

  create(key: string, value: object, ttlMs: number): Promise<void> {
    this.records.set(key, structuredClone({ ...value }), { ttl: Math.max(1, ttlMs) });
    return Promise.resolve();
  }

  update(key: string, fields: object, ttlMs: number): Promise<boolean> {
    const current = this.records.get(key);
    if (!current) return Promise.resolve(false);
    this.records.set(key, { ...current, ...structuredClone(fields) }, { ttl: Math.max(1, ttlMs) });
    return Promise.resolve(true);
  }

  delete(key: string): Promise<void> {
    this.records.delete(key);
    return Promise.resolve();
  }

  take<T extends object>(key: string): Promise<T | undefined> {
    const value = this.records.get(key);
    this.records.delete(key);
    return Promise.resolve(value as T | undefined);
  }

  acquireLease(key: string, ttlMs: number): Promise<string | undefined> {
    const now = Date.now();
    const held = this.leases.get(key);
    if (held && held.expiresAt > now) return Promise.resolve(undefined);
    const token = leaseToken();
    this.leases.set(key, { token, expiresAt: now + ttlMs });
    return Promise.resolve(token);
  }

  releaseLease(key: string, token: string): Promise<void> {
    if (this.leases.get(key)?.token === token) this.leases.delete(key);
    return Promise.resolve();
  }
}

const UPDATE_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

const RELEASE_IF_OWNER = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Redis store shared by every instance. A record is a hash of JSON-encoded fields, so field
 * updates are independent; leases are `SET NX PX` keys released by compare-and-delete.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(key: string): string {
    return `${this.prefix}${key}`;
  }

  private static fields(value: object): string[] {
    const out: string[] = [];
    for (const [field, v] of Object.entries(value)) if (v !== undefined) out.push(field, JSON.stringify(v));
    return out;
  }

  private static parse<T>(hash: Record<string, string>): T | undefined {
    const entries = Object.entries(hash);
    if (entries.length === 0) return undefined;
    return Object.fromEntries(entries.map(([field, v]) => [field, JSON.parse(v) as unknown])) as T;
  }

  async get<T extends object>(key: string): Promise<T | undefined> {
    return RedisSessionStore.parse<T>(await Tracing.redis('session', 'HGETALL', () => this.redis.hgetall(this.k(key))));
  }

  async create(key: string, value: object, ttlMs: number): Promise<void> {
    const fields = RedisSessionStore.fields(value);
    await Tracing.redis('session', 'MULTI', () =>
      this.redis
        .multi()
        .del(this.k(key))
        .hset(this.k(key), ...fields)
        .pexpire(this.k(key), Math.max(1, Math.ceil(ttlMs)))
        .exec(),
    );
  }

  async update(key: string, fields: object, ttlMs: number): Promise<boolean> {
    const args = RedisSessionStore.fields(fields);
    if (args.length === 0)
      return (await Tracing.redis('session', 'PEXPIRE', () => this.redis.pexpire(this.k(key), Math.max(1, Math.ceil(ttlMs))))) === 1;
    const result = await Tracing.redis('session', 'EVAL', () =>
      this.redis.eval(UPDATE_IF_EXISTS, 1, this.k(key), String(Math.max(1, Math.ceil(ttlMs))), ...args),
    );
    return result === 1;
  }

  async delete(key: string): Promise<void> {
    await Tracing.redis('session', 'DEL', () => this.redis.del(this.k(key)));
  }

  async take<T extends object>(key: string): Promise<T | undefined> {
    const results = await Tracing.redis('session', 'MULTI', () => this.redis.multi().hgetall(this.k(key)).del(this.k(key)).exec());
    const [error, hash] = results?.[0] ?? [new Error('transaction aborted'), undefined];
    if (error) throw error;
    return RedisSessionStore.parse<T>(hash as Record<string, string>);
  }

  async acquireLease(key: string, ttlMs: number): Promise<string | undefined> {
    const token = leaseToken();
    const ok = await Tracing.redis('lease', 'SET', () => this.redis.set(this.k(key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'));
    return ok === 'OK' ? token : undefined;
  }

  async releaseLease(key: string, token: string): Promise<void> {
    await Tracing.redis('lease', 'EVAL', () => this.redis.eval(RELEASE_IF_OWNER, 1, this.k(key), token));
  }
}
