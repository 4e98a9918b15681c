import { createHash, randomUUID } from 'node:crypto';

import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  accessTokenHash,
  DpopProofVerifier,
  DpopReplayCacheUnavailableError,
  htuOf,
  InvalidDpopProofError,
  MemoryDpopReplayCache,
  RedisDpopReplayCache,
  type DpopReplayCache,
} from './dpop.js';

const URL_ = 'https://mobile-api.example/api/v1/products/p-00001';
const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjLTAwMDEifQ.c2ln';

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
  jkt: string;
}

async function key(alg = 'ES256'): Promise<Key> {
  const pair = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { privateKey: pair.privateKey, jwk, jkt: await calculateJwkThumbprint(jwk, 'sha256') };
}

async function proof(
  signer: Key,
  payload: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  alg = 'ES256',
): Promise<string> {
  const claims: Record<string, unknown> = {
    jti: randomUUID(),
    htm: 'GET',
    htu: URL_,
    iat: Math.floor(Date.now() / 1000),
    ath: accessTokenHash(TOKEN),
    ...payload,
  };
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
  return new SignJWT(claims).setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: signer.jwk, ...header }).sign(signer.privateKey);
}

async function reasonOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidDpopProofError);
    return (error as InvalidDpopProofError).reason;
  }
  throw new Error('the proof was accepted');
}

describe('DpopProofVerifier', () => {
  let k: Key;
  const verifier = new DpopProofVerifier({
    algorithms: ['ES256', 'EdDSA'],
    iatWindowSeconds: 60,
    replayCache: new MemoryDpopReplayCache(),
  });
  const check = (p: string, overrides: Partial<{ method: string; url: string; accessToken: string; jkt: string }> = {}) =>
    verifier.verify({ proof: p, method: 'GET', url: URL_, accessToken: TOKEN, jkt: k.jkt, ...overrides });

  beforeAll(async () => {
    k = await key();
  });

  it('accepts a valid proof, query and fragment of the request URL ignored, method case-insensitive', async () => {
    await expect(check(await proof(k))).resolves.toBeUndefined();
    await expect(check(await proof(k), { url: `${URL_}?page=2#top`, method: 'get' })).resolves.toBeUndefined();
    await expect(check(await proof(k, { htu: 'HTTPS://Mobile-API.example:443/api/v1/products/p-00001' }))).resolves.toBeUndefined();
  });

  it('accepts an EdDSA proof', async () => {
    const ed = await key('Ed25519');
    await expect(check(await proof(ed, {}, {}, 'EdDSA'), { jkt: ed.jkt })).resolves.toBeUndefined();
  });

  it('refuses a replayed jti (same key)', async () => {
    const jti = randomUUID();
    await check(await proof(k, { jti }));
    expect(await reasonOf(check(await proof(k, { jti })))).toBe('replayed jti');
  });

  it('remembers jtis for twice the window', async () => {
    const calls: number[] = [];
    const cache: DpopReplayCache = { claim: (_key, ttl) => (calls.push(ttl), Promise.resolve(true)) };
    await new DpopProofVerifier({ algorithms: ['ES256'], iatWindowSeconds: 45, replayCache: cache }).verify({
      proof: await proof(k),
      method: 'GET',
      url: URL_,
      accessToken: TOKEN,
      jkt: k.jkt,
    });
    expect(calls).toEqual([90_000]);
  });

  it('refuses htm / htu that do not name the request', async () => {
    expect(await reasonOf(check(await proof(k, { htm: 'POST' })))).toMatch(/htm/);
    expect(await reasonOf(check(await proof(k, { htu: 'https://mobile-api.example/api/v1/products/p-00002' })))).toMatch(/htu/);
    expect(await reasonOf(check(await proof(k, { htu: 'http://mobile-api.example/api/v1/products/p-00001' })))).toMatch(/htu/);
    expect(await reasonOf(check(await proof(k, { htu: 'not a url' })))).toMatch(/htu/);
  });

  it('refuses iat outside the window, either way', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await reasonOf(check(await proof(k, { iat: now - 61 })))).toMatch(/iat/);
    expect(await reasonOf(check(await proof(k, { iat: now + 61 })))).toMatch(/iat/);
    await expect(check(await proof(k, { iat: now - 55 }))).resolves.toBeUndefined();
  });

  it('refuses a missing or wrong ath', async () => {
    expect(await reasonOf(check(await proof(k, { ath: undefined })))).toBe('no ath');
    expect(await reasonOf(check(await proof(k, { ath: createHash('sha256').update('other').digest('base64url') })))).toMatch(/ath/);
  });

  it('refuses a key whose thumbprint is not cnf.jkt', async () => {
    const other = await key();
    expect(await reasonOf(check(await proof(other)))).toMatch(/thumbprint/);
  });

  it('refuses a wrong typ, a missing claim, an algorithm off the list, a private or symmetric jwk, a bad signature', async () => {
    expect(await reasonOf(check(await proof(k, {}, { typ: 'JWT' })))).toMatch(/ERR_JWT_CLAIM_VALIDATION_FAILED/);
    expect(await reasonOf(check(await proof(k, { jti: undefined })))).toMatch(/ERR_JWT_CLAIM_VALIDATION_FAILED/);
    const rsa = await key('PS256');
    expect(await reasonOf(check(await proof(rsa, {}, {}, 'PS256'), { jkt: rsa.jkt }))).toBe('ERR_JOSE_ALG_NOT_ALLOWED');
    const withPrivate = await exportJWK(k.privateKey);
    expect(await reasonOf(check(await proof(k, {}, { jwk: withPrivate })))).toBe('jwk is not a public key');
    expect(await reasonOf(check(await proof(k, {}, { jwk: { kty: 'oct', k: 'c2VjcmV0' } })))).toBe('jwk is not a public key');
    const other = await key();
    expect(await reasonOf(check(await proof(k, {}, { jwk: other.jwk }), { jkt: other.jkt }))).toBe('ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
    expect(await reasonOf(check('not.a.jwt'))).toBe('undecodable header');
    expect(await reasonOf(check(await proof(k, {}, { jwk: undefined })))).toBe('no jwk header');
    expect(await reasonOf(check('x'.repeat(5_000)))).toBe('proof too long');
  });

  it('normalizes htu and rejects non-http schemes', () => {
    expect(htuOf('https://A.example:443/p?q#f')).toBe('https://a.example/p');
    expect(htuOf('ftp://a.example/p')).toBeUndefined();
  });
});

describe('MemoryDpopReplayCache', () => {
  it('claims a key once', async () => {
    const cache = new MemoryDpopReplayCache();
    expect(await cache.claim('a', 1_000)).toBe(true);
    expect(await cache.claim('a', 1_000)).toBe(false);
    expect(await cache.claim('b', 1_000)).toBe(true);
  });
});

describe('RedisDpopReplayCache (real Redis)', () => {
  it('claims a key once across clients sharing the prefix, and fails closed when Redis is down', async () => {
    const { Redis } = await import('ioredis');
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const [a, b] = [new Redis(url), new Redis(url)];
    try {
      const key = randomUUID();
      expect(await new RedisDpopReplayCache(a, prefix).claim(key, 5_000)).toBe(true);
      expect(await new RedisDpopReplayCache(b, prefix).claim(key, 5_000)).toBe(false);
      const ttl = await a.pttl(`${prefix}dpop:${key}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
    } finally {
      a.disconnect();
      b.disconnect();
    }
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    down.on('error', () => undefined);
    await expect(new RedisDpopReplayCache(down, prefix).claim('k', 1_000)).rejects.toBeInstanceOf(DpopReplayCacheUnavailableError);
    down.disconnect();
  });
});
