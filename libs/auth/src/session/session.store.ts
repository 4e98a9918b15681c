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
  /**
   * Adds `member` to the set `index` (a secondary index, e.g. the sessions of one subject). The set
   * lives at least `ttlMs` (never shortened), so it outlives the records it lists; members whose
   * record has gone are pruned by whoever reads the index.
   */
  addToIndex(index: string, member: string, ttlMs: number): Promise<void>;
  /** The members of the set `index` (none when it does not exist). */
  indexMembers(index: string): Promise<string[]>;
  /** Removes `members` from the set `index`. */
  removeFromIndex(index: string, members: readonly string[]): Promise<void>;
  /** 'memory' or 'redis' (for logs and health). */
  readonly kind: 'memory' | 'redis';
}

const leaseToken = (): string => randomBytes(16).toString('base64url');

/** Bounded in-memory store of one instance: least recently used records are evicted beyond `max`. */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly records: LRUCache<string, Record<string, unknown>>;
  private readonly leases = new Map<string, { token: string; expiresAt: number }>();
  private readonly indexes: LRUCache<string, Set<string>>;

  constructor(max: number) {
    this.records = new LRUCache({ max, ttlAutopurge: false, allowStale: false, updateAgeOnGet: false });
    this.indexes = new LRUCache({ max, ttlAutopurge: false, allowStale: false, updateAgeOnGet: false });
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
    // Leases that are never released (replay markers) must not pile up: expired ones are swept.
    if (this.leases.size >= MAX_MEMORY_LEASES) for (const [k, lease] of this.leases) if (lease.expiresAt <= now) this.leases.delete(k);
    const token = leaseToken();
    this.leases.set(key, { token, expiresAt: now + ttlMs });
    return Promise.resolve(token);
  }

  releaseLease(key: string, token: string): Promise<void> {
    if (this.leases.get(key)?.token === token) this.leases.delete(key);
    return Promise.resolve();
  }

  addToIndex(index: string, member: string, ttlMs: number): Promise<void> {
    const members = this.indexes.get(index) ?? new Set<string>();
    members.add(member);
    const remaining = this.indexes.has(index) ? this.indexes.getRemainingTTL(index) : 0;
    this.indexes.set(index, members, { ttl: Math.max(1, ttlMs, remaining) });
    return Promise.resolve();
  }

  indexMembers(index: string): Promise<string[]> {
    return Promise.resolve([...(this.indexes.get(index) ?? [])]);
  }

  removeFromIndex(index: string, members: readonly string[]): Promise<void> {
    const set = this.indexes.get(index);
    if (set) {
      for (const member of members) set.delete(member);
      if (set.size === 0) this.indexes.delete(index);
    }
    return Promise.resolve();
  }
}

/** Beyond this many leases in memory, expired ones are swept before another is taken. */
const MAX_MEMORY_LEASES = 10_000;

const UPDATE_IF_EXISTS = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

/** SADD, and PEXPIRE only when that lengthens the set's life (an index outlives every record it lists). */
const ADD_TO_INDEX = `
redis.call('SADD', KEYS[1], ARGV[2])
local ttl = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
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

  async addToIndex(index: string, member: string, ttlMs: number): Promise<void> {
    await Tracing.redis('session', 'EVAL', () =>
      this.redis.eval(ADD_TO_INDEX, 1, this.k(index), String(Math.max(1, Math.ceil(ttlMs))), member),
    );
  }

  async indexMembers(index: string): Promise<string[]> {
    return Tracing.redis('session', 'SMEMBERS', () => this.redis.smembers(this.k(index)));
  }

  async removeFromIndex(index: string, members: readonly string[]): Promise<void> {
    if (members.length === 0) return;
    await Tracing.redis('session', 'SREM', () => this.redis.srem(this.k(index), ...members));
  }
}
