import { redisTopologyOf, type CoreEnv } from '@bff/core';

import type { CacheEnv } from '../cache.env.js';
import { MemoryStore } from './memory.store.js';
import type { CacheStore } from './store.types.js';
import { TieredStore } from './tiered.store.js';

/** Memory LRU, or memory L1 + Redis L2 when Redis is configured (REDIS_MODE, docs/redis.md) and CACHE_STORE is `auto`. */
export function createCacheStore(env: CacheEnv, core: CoreEnv): CacheStore {
  const memory = { maxEntries: env.CACHE_L1_MAX_ENTRIES, maxBytes: env.CACHE_L1_MAX_BYTES, maxEntryBytes: env.CACHE_L1_MAX_ENTRY_BYTES };
  const topology = redisTopologyOf(core);
  if (!env.CACHE_ENABLED || env.CACHE_STORE === 'memory' || !topology) return new MemoryStore(memory);
  return new TieredStore({
    memory,
    memoryTtlMs: env.CACHE_L1_TTL_MS,
    redis: {
      topology,
      prefix: env.CACHE_REDIS_KEY_PREFIX,
      commandTimeoutMs: env.CACHE_REDIS_COMMAND_TIMEOUT_MS,
      connectTimeoutMs: env.CACHE_REDIS_CONNECT_TIMEOUT_MS,
      circuitOpenMs: env.CACHE_REDIS_CIRCUIT_OPEN_MS,
      warnIntervalMs: env.CACHE_WARN_INTERVAL_MS,
    },
  });
}
