import { Redis } from 'ioredis';

/** The Redis the Redis suites use: REDIS_URL, default redis://127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis answers PING at `url` (generous connect timeout: suites start on a loaded machine). */
export async function pingRedis(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * Whether the shared Redis is reachable for `suite`. When it is not, the suite is skipped with a
 * loud message, unless REQUIRE_REDIS=1 (CI), where that is an error.
 */
export async function redisAvailable(suite: string): Promise<boolean> {
  if (await pingRedis(REDIS_URL)) return true;
  if (process.env.REQUIRE_REDIS === '1') throw new Error(`REQUIRE_REDIS=1 but Redis is not reachable at ${REDIS_URL} (${suite})`);
  console.warn(`\n*** Redis is not reachable at ${REDIS_URL}: SKIPPING ${suite} (set REQUIRE_REDIS=1 to make this an error) ***\n`);
  return false;
}
