#!/usr/bin/env node
// Partner API keys for partner-bff: generate a key, print its hash and registry entry, and manage
// the keys registered in Redis (see docs/auth.md, "Partner API keys").
//
//   node scripts/partner-keys.mjs generate --partner acme --scopes "catalog:read orders:read orders:write" [--account c-0001] [--expires 2027-01-01T00:00:00Z] [--daily-quota 10000] [--register] [--json]
//   node scripts/partner-keys.mjs hash <key>
//   node scripts/partner-keys.mjs list [--partner acme] [--json]
//   node scripts/partner-keys.mjs expire --id <key id> --at <ISO-8601 | now>
//   node scripts/partner-keys.mjs revoke --id <key id>
//   node scripts/partner-keys.mjs quota --id <key id> --daily-quota <requests per UTC day | default>
//
// Redis commands use the apps' Redis settings (REDIS_MODE with REDIS_URL, or REDIS_SENTINELS +
// REDIS_SENTINEL_NAME, or REDIS_CLUSTER_NODES, and REDIS_USERNAME/REDIS_PASSWORD/REDIS_TLS; see
// docs/redis.md) or --redis-url, and AUTH_REDIS_PREFIX (or --prefix, default "bff:").
// The key is printed once and never stored: only its SHA-256 is.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';

// Same format as libs/auth/src/api-key/api-key.format.ts (bffpk_<12 a-z0-9>_<43 base64url>).
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^bffpk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;
const PARTNER_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const SCOPE = /^[a-z][a-z0-9._-]*(?::[a-z0-9._-]+)*$/;
const ACCOUNT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const KEY_ID = /^[a-z0-9]{12}$/;
const MAX_ACTIVE_KEYS_PER_PARTNER = 2;
const MAX_DAILY_QUOTA = 1_000_000_000;

const USAGE = `usage:
  node scripts/partner-keys.mjs generate --partner <id> --scopes "<scope> <scope>" [--account <customer id>] [--expires <ISO-8601>] [--daily-quota <n>] [--register] [--json]
  node scripts/partner-keys.mjs hash <key>
  node scripts/partner-keys.mjs list [--partner <id>] [--json]
  node scripts/partner-keys.mjs expire --id <key id> --at <ISO-8601 | now>
  node scripts/partner-keys.mjs revoke --id <key id>
  node scripts/partner-keys.mjs quota --id <key id> --daily-quota <n | default>
Redis: REDIS_URL or --redis-url (or REDIS_MODE=sentinel|cluster with its settings, docs/redis.md); key prefix AUTH_REDIS_PREFIX or --prefix (default "bff:").`;

function fail(message) {
  process.stderr.write(`partner-keys: ${message}\n`);
  process.exit(1);
}

const { values, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        partner: { type: 'string' },
        scopes: { type: 'string' },
        account: { type: 'string' },
        expires: { type: 'string' },
        'daily-quota': { type: 'string' },
        register: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        id: { type: 'string' },
        at: { type: 'string' },
        'redis-url': { type: 'string' },
        prefix: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    fail(`${error.message}\n${USAGE}`);
  }
})();

const command = positionals[0];
if (values.help || !command) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(command || values.help ? 0 : 1);
}

const prefix = values.prefix ?? process.env.AUTH_REDIS_PREFIX ?? 'bff:';
if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(prefix)) fail('the prefix must be 1-64 characters of letters, digits, : _ . -');
const keyOf = (id) => `${prefix}partner-key:${id}`;
const setOf = (partner) => `${prefix}partner-keys:${partner}`;

const sha256 = (key) => createHash('sha256').update(key, 'utf8').digest('hex');

function generateKey() {
  const id = Array.from({ length: 12 }, () => ID_ALPHABET[randomInt(ID_ALPHABET.length)]).join('');
  const key = `bffpk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, id, sha256: sha256(key) };
}

/** --daily-quota: requests per partner per UTC day (the key's own quota, over PARTNER_DAILY_QUOTA). */
function parseDailyQuota(value) {
  if (value === undefined) return undefined;
  const quota = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(quota) || quota < 1 || quota > MAX_DAILY_QUOTA)
    fail(`--daily-quota must be an integer between 1 and ${MAX_DAILY_QUOTA} (requests per UTC day)`);
  return quota;
}

function parseExpiry(value) {
  if (value === undefined) return undefined;
  if (value === 'now') return new Date();
  const date = /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : new Date(NaN);
  if (Number.isNaN(date.getTime())) fail(`"${value}" is not an ISO-8601 date-time such as 2027-01-01T00:00:00Z`);
  return date;
}

const hostPorts = (list) =>
  (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => ({ host: entry.slice(0, entry.lastIndexOf(':')), port: Number(entry.slice(entry.lastIndexOf(':') + 1)) }));

/** A connection like the apps' (libs/core createRedisClient): standalone, Sentinel or Cluster. */
async function connect() {
  const { Cluster, Redis } = await import('ioredis');
  const env = process.env;
  const mode = values['redis-url'] ? 'standalone' : (env.REDIS_MODE ?? 'standalone');
  const options = { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 };
  const credentials = { username: env.REDIS_USERNAME, password: env.REDIS_PASSWORD, tls: env.REDIS_TLS === 'true' ? {} : undefined };
  let redis;
  let where;
  if (mode === 'sentinel') {
    const sentinels = hostPorts(env.REDIS_SENTINELS);
    if (sentinels.length === 0 || !env.REDIS_SENTINEL_NAME) fail('REDIS_MODE=sentinel needs REDIS_SENTINELS and REDIS_SENTINEL_NAME');
    where = `sentinels ${env.REDIS_SENTINELS} (${env.REDIS_SENTINEL_NAME})`;
    redis = new Redis({
      ...options,
      ...credentials,
      sentinels,
      name: env.REDIS_SENTINEL_NAME,
      sentinelUsername: credentials.username,
      sentinelPassword: credentials.password,
      enableTLSForSentinelMode: credentials.tls !== undefined,
      retryStrategy: () => null,
      sentinelRetryStrategy: () => null,
    });
  } else if (mode === 'cluster') {
    const nodes = hostPorts(env.REDIS_CLUSTER_NODES);
    if (nodes.length === 0) fail('REDIS_MODE=cluster needs REDIS_CLUSTER_NODES');
    where = `cluster ${env.REDIS_CLUSTER_NODES}`;
    redis = new Cluster(nodes, { lazyConnect: true, clusterRetryStrategy: () => null, redisOptions: { ...options, ...credentials } });
  } else {
    const url = values['redis-url'] ?? env.REDIS_URL;
    if (!url) fail('this command needs Redis: set REDIS_URL (or REDIS_MODE and its settings) or pass --redis-url');
    where = url.replace(/\/\/[^@]*@/, '//***@');
    redis = new Redis(url, { ...options, retryStrategy: () => null });
  }
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    fail(`cannot connect to Redis at ${where}: ${error.message}`);
  }
  return redis;
}

/**
 * Runs the commands in one MULTI; on a Cluster the key hash and the partner's index live on
 * different slots, so they run one by one in the order given (callers order them so that an
 * interruption leaves at most an index entry that `keysOf` tidies).
 */
async function writeAll(redis, commands) {
  if (redis.isCluster) {
    for (const [name, ...args] of commands) await redis[name](...args);
    return;
  }
  await commands.reduce((tx, [name, ...args]) => tx[name](...args), redis.multi()).exec();
}

/** The partner's registered keys, with their status. */
async function keysOf(redis, partner) {
  const ids = (await redis.smembers(setOf(partner))).sort();
  const now = Date.now();
  const keys = [];
  for (const id of ids) {
    const fields = await redis.hgetall(keyOf(id));
    if (Object.keys(fields).length === 0) {
      await redis.srem(setOf(partner), id); // expired by Redis or deleted: tidy the index
      continue;
    }
    const expiresAt = fields.expires ? Date.parse(fields.expires) : undefined;
    keys.push({
      id,
      partner,
      scopes: fields.scopes ?? '',
      account: fields.account || undefined,
      dailyQuota: fields.dailyQuota ? Number(fields.dailyQuota) : undefined,
      expires: fields.expires || undefined,
      created: fields.created,
      active: expiresAt === undefined || expiresAt > now,
    });
  }
  return keys;
}

async function generate() {
  const partner = values.partner;
  if (!partner || !PARTNER_ID.test(partner)) fail('--partner must be 1-64 characters a-z0-9 . _ - (starting with a letter or digit)');
  const scopes = [...new Set((values.scopes ?? '').split(/[\s,]+/).filter(Boolean))];
  if (scopes.length === 0 || !scopes.every((s) => SCOPE.test(s))) fail('--scopes must list scopes like "catalog:read orders:read"');
  if (values.account !== undefined && !ACCOUNT_ID.test(values.account))
    fail('--account must be a customer id (1-64 characters A-Z a-z 0-9 _ -)');
  const expires = parseExpiry(values.expires);
  if (expires && expires.getTime() <= Date.now()) fail('--expires is in the past');
  const dailyQuota = parseDailyQuota(values['daily-quota']);

  const generated = generateKey();
  const entry = { id: generated.id, partner, scopes, sha256: generated.sha256 };
  if (values.account) entry.account = values.account;
  if (expires) entry.expires = expires.toISOString();
  if (dailyQuota) entry.dailyQuota = dailyQuota;

  if (values.register) {
    const redis = await connect();
    try {
      const existing = await keysOf(redis, partner);
      const active = existing.filter((k) => k.active);
      if (active.length >= MAX_ACTIVE_KEYS_PER_PARTNER) {
        fail(
          `partner ${partner} already has ${active.length} active keys (${active.map((k) => k.id).join(', ')}); ` +
            `at most ${MAX_ACTIVE_KEYS_PER_PARTNER}. Expire or revoke the old one first (expire --id <id> --at now).`,
        );
      }
      const accounts = new Set(existing.map((k) => k.account ?? ''));
      if (existing.length > 0 && !accounts.has(values.account ?? '')) {
        fail(`partner ${partner} is registered with account "${[...accounts][0] || '(none)'}"; a partner has one account`);
      }
      const fields = { partner, scopes: scopes.join(' '), sha256: generated.sha256, created: new Date().toISOString() };
      if (values.account) fields.account = values.account;
      if (expires) fields.expires = expires.toISOString();
      if (dailyQuota) fields.dailyQuota = String(dailyQuota);
      await writeAll(redis, [
        ['sadd', setOf(partner), generated.id],
        ['hset', keyOf(generated.id), fields],
        ...(expires ? [['pexpireat', keyOf(generated.id), expires.getTime()]] : []),
      ]);
    } finally {
      redis.disconnect();
    }
  }

  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ key: generated.key, id: generated.id, sha256: generated.sha256, entry, registered: values.register })}\n`,
    );
    return;
  }
  process.stdout.write(
    [
      `API key for partner ${partner} (give it to the partner once, over a secure channel; it is not stored anywhere):`,
      '',
      `  ${generated.key}`,
      '',
      `key id:  ${generated.id}`,
      `sha256:  ${generated.sha256}`,
      values.register
        ? `registered in Redis under ${keyOf(generated.id)} (instances pick it up within PARTNER_KEY_CACHE_MS)`
        : `PARTNER_API_KEYS entry (add it to the JSON array):\n  ${JSON.stringify(entry)}`,
      '',
    ].join('\n'),
  );
}

async function list() {
  const redis = await connect();
  try {
    let partners;
    if (values.partner) partners = [values.partner];
    else {
      partners = new Set();
      // A Cluster spreads the keys over its masters: scan each.
      for (const node of redis.isCluster ? redis.nodes('master') : [redis]) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}partner-keys:*`, 'COUNT', 200);
          cursor = next;
          for (const key of found) partners.add(key.slice(`${prefix}partner-keys:`.length));
        } while (cursor !== '0');
      }
      partners = [...partners].sort();
    }
    const keys = [];
    for (const partner of partners) keys.push(...(await keysOf(redis, partner)));
    if (values.json) {
      process.stdout.write(`${JSON.stringify(keys)}\n`);
      return;
    }
    if (keys.length === 0) process.stdout.write('no partner keys registered\n');
    for (const k of keys) {
      process.stdout.write(
        `${k.partner.padEnd(20)} ${k.id}  ${k.active ? 'active ' : 'expired'}  scopes: ${k.scopes}${k.account ? `  account: ${k.account}` : ''}${k.dailyQuota ? `  daily quota: ${k.dailyQuota}` : ''}${k.expires ? `  expires: ${k.expires}` : ''}  created: ${k.created ?? '?'}\n`,
      );
    }
  } finally {
    redis.disconnect();
  }
}

async function expire() {
  if (!values.id || !KEY_ID.test(values.id)) fail('--id must be a key id (12 characters a-z0-9)');
  const at = parseExpiry(values.at ?? fail('--at is required (ISO-8601 or now)'));
  const redis = await connect();
  try {
    if (!(await redis.exists(keyOf(values.id)))) fail(`no key ${values.id} in Redis`);
    if (at.getTime() <= Date.now()) {
      const partner = await redis.hget(keyOf(values.id), 'partner');
      await writeAll(redis, [
        ['del', keyOf(values.id)],
        ['srem', setOf(partner ?? ''), values.id],
      ]);
      process.stdout.write(`key ${values.id} expired now and removed\n`);
    } else {
      await redis.multi().hset(keyOf(values.id), 'expires', at.toISOString()).pexpireat(keyOf(values.id), at.getTime()).exec();
      process.stdout.write(`key ${values.id} expires at ${at.toISOString()}\n`);
    }
  } finally {
    redis.disconnect();
  }
}

async function revoke() {
  if (!values.id || !KEY_ID.test(values.id)) fail('--id must be a key id (12 characters a-z0-9)');
  const redis = await connect();
  try {
    const partner = await redis.hget(keyOf(values.id), 'partner');
    if (!partner) fail(`no key ${values.id} in Redis`);
    await writeAll(redis, [
      ['del', keyOf(values.id)],
      ['srem', setOf(partner), values.id],
    ]);
    process.stdout.write(`key ${values.id} of partner ${partner} revoked (instances stop accepting it within PARTNER_KEY_CACHE_MS)\n`);
  } finally {
    redis.disconnect();
  }
}

/** Sets (or with "default" removes) a registered key's own daily quota; instances see it within PARTNER_KEY_CACHE_MS. */
async function quota() {
  if (!values.id || !KEY_ID.test(values.id)) fail('--id must be a key id (12 characters a-z0-9)');
  const raw = values['daily-quota'] ?? fail('--daily-quota is required (requests per UTC day, or default)');
  const dailyQuota = raw === 'default' ? undefined : parseDailyQuota(raw);
  const redis = await connect();
  try {
    if (!(await redis.exists(keyOf(values.id)))) fail(`no key ${values.id} in Redis`);
    if (dailyQuota === undefined) await redis.hdel(keyOf(values.id), 'dailyQuota');
    else await redis.hset(keyOf(values.id), 'dailyQuota', String(dailyQuota));
    process.stdout.write(
      `key ${values.id}: daily quota ${dailyQuota === undefined ? 'is the platform default (PARTNER_DAILY_QUOTA)' : `${dailyQuota} requests per UTC day`}\n`,
    );
  } finally {
    redis.disconnect();
  }
}

function hash() {
  const key = positionals[1];
  if (!key || !KEY_PATTERN.test(key)) fail('hash needs a key of the form bffpk_<id>_<secret>');
  process.stdout.write(`${sha256(key)}\n`);
}

switch (command) {
  case 'generate':
    await generate();
    break;
  case 'list':
    await list();
    break;
  case 'expire':
    await expire();
    break;
  case 'revoke':
    await revoke();
    break;
  case 'quota':
    await quota();
    break;
  case 'hash':
    hash();
    break;
  default:
    fail(`unknown command "${command}"\n${USAGE}`);
}
