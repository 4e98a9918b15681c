import { randomUUID } from 'node:crypto';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import {
  KNOWN_IDS,
  MOBILE_APP_CLIENT_ID,
  MOBILE_BFF_AUDIENCE,
  MOBILE_BFF_RESOURCE,
  startSandbox,
  type Sandbox,
} from '../sandbox/src/index.ts';
import { dpopProof, generateDpopKey, type DpopKey } from './support/dpop.js';
import { decodeJwt, nativeAppLogin } from './support/oauth.js';
import { appEnv, expectProblem, isolatedRedisNamespaces, upstreamEnvFor } from './support/stack.js';

/**
 * DPoP (RFC 9449) on mobile-bff with the sandbox's real IdP: the app signs in with code + PKCE and
 * a DPoP proof at the token endpoint, receives a key-bound token (cnf.jkt), and proves possession of
 * the key on every request. Every attack below uses that real token; only the proofs are crafted.
 */

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROOF_CHALLENGE = /^DPoP realm="mobile-bff", error="invalid_dpop_proof", error_description="[^"]+", algs="[^"]+"$/;
const TOKEN_CHALLENGE_BEARER =
  'Bearer realm="mobile-bff", error="invalid_token", error_description="The access token is invalid or expired"';

interface RunningApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
}

async function boot(env: Record<string, string>): Promise<RunningApp> {
  const app = await createPlatformApp(MobileBffModule, MOBILE_BFF, {
    env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', AUTH_FAILURE_MAX: '1000', ...env }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

async function expectProofRefused(res: Response): Promise<void> {
  expect(res.headers.get('www-authenticate')).toMatch(PROOF_CHALLENGE);
  const body = await expectProblem(res, 401, 'invalid-dpop-proof');
  expect(body.detail).not.toMatch(/jti|iat|ath|htu|htm|jkt|thumbprint|ERR_J/);
}

describe('mobile-bff DPoP (JWT_DPOP=optional, the default)', () => {
  let sandbox: Sandbox;
  let mobile: RunningApp;
  let key: DpopKey;
  let boundToken: string;
  let plainToken: string;
  let cardPath: string;

  const get = (path: string, headers: Record<string, string>) => fetch(`${mobile.url}${path}`, { headers });
  const proofFor = (claims: Partial<Parameters<typeof dpopProof>[1]> = {}, signer = key) =>
    dpopProof(signer, { htm: 'GET', htu: `${mobile.url}${cardPath}`, accessToken: boundToken, ...claims });

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    mobile = await boot({
      ...isolatedRedisNamespaces(),
      ...upstreamEnvFor(sandbox),
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
    });
    cardPath = `/api/v1/products/${KNOWN_IDS.product}`;
    key = await generateDpopKey();
    const bound = await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read', dpop: key });
    expect(bound.tokenType).toBe('DPoP');
    boundToken = bound.accessToken;
    plainToken = (await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read' })).accessToken;
  });
  afterAll(async () => {
    await mobile?.app.close();
    await sandbox?.close();
  });

  it('gets a token bound to the key from the real IdP (code + PKCE + DPoP proof at /token)', () => {
    expect(decodeJwt(boundToken).payload.cnf).toEqual({ jkt: key.jkt });
    expect(decodeJwt(plainToken).payload.cnf).toBeUndefined();
  });

  it('serves the bound token with a fresh proof on each request (GET and POST)', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor() });
      expect(res.status).toBe(200);
      expect((await res.json()).id).toBe(KNOWN_IDS.product);
    }
    const list = await fetch(`${mobile.url}/api/v1/products/cards`, {
      method: 'POST',
      headers: {
        authorization: `DPoP ${boundToken}`,
        dpop: await proofFor({ htm: 'POST', htu: `${mobile.url}/api/v1/products/cards` }),
        'content-type': 'application/json',
      },
      body: JSON.stringify({ ids: [KNOWN_IDS.product] }),
    });
    expect(list.status).toBe(200);
  });

  it('ignores the query string in htu', async () => {
    const res = await get(`${cardPath}?x=1`, { authorization: `DPoP ${boundToken}`, dpop: await proofFor() });
    expect(res.status).not.toBe(401);
  });

  it('still accepts unbound tokens as plain bearer tokens, and announces both schemes', async () => {
    expect((await get(cardPath, { authorization: `Bearer ${plainToken}` })).status).toBe(200);
    const anonymous = await get(cardPath, {});
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer realm="mobile-bff", DPoP realm="mobile-bff", algs="ES256 /);
    await expectProblem(anonymous, 401, 'missing-credentials');
  });

  it('refuses the bound token presented as a plain bearer token (a stolen token is useless)', async () => {
    const res = await get(cardPath, { authorization: `Bearer ${boundToken}` });
    expect(res.headers.get('www-authenticate')).toBe(TOKEN_CHALLENGE_BEARER);
    await expectProblem(res, 401, 'invalid-token');
  });

  it('refuses the DPoP scheme with an unbound token', async () => {
    const proof = await proofFor({ accessToken: plainToken });
    const res = await get(cardPath, { authorization: `DPoP ${plainToken}`, dpop: proof });
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP realm="mobile-bff", error="invalid_token", .*algs="/);
    await expectProblem(res, 401, 'invalid-token');
  });

  it('refuses a replayed proof (same jti)', async () => {
    const proof = await proofFor();
    expect((await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: proof })).status).toBe(200);
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: proof }));
    // A new proof reusing the jti is a replay too.
    const jti = randomUUID();
    expect((await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({ jti }) })).status).toBe(200);
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({ jti }) }));
  });

  it('refuses a proof made for another URL or another method', async () => {
    const other = await proofFor({ htu: `${mobile.url}/api/v1/products/p-00002` });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: other }));
    const otherHost = await proofFor({ htu: `https://evil.example${cardPath}` });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: otherHost }));
    const post = await proofFor({ htm: 'POST' });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: post }));
  });

  it('refuses a stale proof and one from the future (iat outside ±60 s)', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const iat of [now - 120, now + 120]) {
      await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({ iat }) }));
    }
  });

  it('refuses a proof signed by a different key (thumbprint is not cnf.jkt)', async () => {
    const thief = await generateDpopKey();
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({}, thief) }));
    // The thief's jwk in the header, signed with the real key: the signature check fails.
    const mixed = await proofFor({ header: { jwk: thief.publicJwk } });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: mixed }));
  });

  it('refuses a missing or wrong ath', async () => {
    const missing = await proofFor({ accessToken: undefined });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: missing }));
    const wrong = await proofFor({ accessToken: plainToken });
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: wrong }));
  });

  it('refuses a missing proof, a wrong typ, and a proof carrying a private key', async () => {
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${boundToken}` }));
    await expectProofRefused(
      await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({ header: { typ: 'JWT' } }) }),
    );
    const { exportJWK } = await import('jose');
    const privateJwk = await exportJWK(key.privateKey);
    await expectProofRefused(
      await get(cardPath, { authorization: `DPoP ${boundToken}`, dpop: await proofFor({ header: { jwk: privateJwk } }) }),
    );
  });
  it('refreshes the bound token at the IdP with a proof of the same key; another key and the rotated-out refresh token are refused', async () => {
    const appKey = await generateDpopKey();
    const login = await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read', dpop: appKey });
    expect(login.refreshToken).toEqual(expect.any(String));
    const { token_endpoint } = (await (await fetch(`${sandbox.idp!.issuer}/.well-known/openid-configuration`)).json()) as {
      token_endpoint: string;
    };
    const refresh = async (refreshToken: string, signer: DpopKey) => {
      const res = await fetch(token_endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          dpop: await dpopProof(signer, { htm: 'POST', htu: token_endpoint }),
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: MOBILE_APP_CLIENT_ID,
          resource: MOBILE_BFF_RESOURCE,
        }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    // The refresh token is bound to the key too (a public client's): a thief with the token but another key gets nothing.
    const stolen = await refresh(login.refreshToken!, await generateDpopKey());
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');

    const renewed = await refresh(login.refreshToken!, appKey);
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ token_type: 'DPoP', access_token: expect.any(String), refresh_token: expect.any(String) });
    const accessToken = renewed.body.access_token as string;
    expect(accessToken).not.toBe(login.accessToken);
    expect(renewed.body.refresh_token).not.toBe(login.refreshToken);
    expect(decodeJwt(accessToken).payload).toMatchObject({ cnf: { jkt: appKey.jkt }, aud: MOBILE_BFF_AUDIENCE, sub: KNOWN_IDS.customer });

    // The new token works at mobile-bff with a proof of the same key, and with no other.
    const proofBy = (signer: DpopKey) => dpopProof(signer, { htm: 'GET', htu: `${mobile.url}${cardPath}`, accessToken });
    const ok = await get(cardPath, { authorization: `DPoP ${accessToken}`, dpop: await proofBy(appKey) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).id).toBe(KNOWN_IDS.product);
    await expectProofRefused(await get(cardPath, { authorization: `DPoP ${accessToken}`, dpop: await proofBy(await generateDpopKey()) }));

    // Rotation: each refresh answers a new refresh token, which refreshes again.
    const again = await refresh(renewed.body.refresh_token as string, appKey);
    expect(again.status).toBe(200);
    // A refresh token used once is refused from then on, even with the right key; its reuse is taken as theft:
    // the IdP revokes the whole grant, so the newest refresh token stops working too.
    const replayed = await refresh(login.refreshToken!, appKey);
    expect(replayed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(await refresh(again.body.refresh_token as string, appKey)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('without JWT_DPOP_PUBLIC_ORIGIN, takes the origin from X-Forwarded-Proto/Host of a proxy trusted by TRUST_PROXY', async () => {
    const behindProxy = await boot({
      ...isolatedRedisNamespaces(),
      ...upstreamEnvFor(sandbox),
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      TRUST_PROXY: '127.0.0.1',
    });
    try {
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'mobile.retail.example' };
      const external = await dpopProof(key, { htm: 'GET', htu: `https://mobile.retail.example${cardPath}`, accessToken: boundToken });
      const ok = await fetch(`${behindProxy.url}${cardPath}`, {
        headers: { ...forwarded, authorization: `DPoP ${boundToken}`, dpop: external },
      });
      expect(ok.status).toBe(200);
      const internal = await dpopProof(key, { htm: 'GET', htu: `${behindProxy.url}${cardPath}`, accessToken: boundToken });
      await expectProofRefused(
        await fetch(`${behindProxy.url}${cardPath}`, { headers: { ...forwarded, authorization: `DPoP ${boundToken}`, dpop: internal } }),
      );
    } finally {
      await behindProxy.app.close();
    }
  });

  it('JWT_DPOP=off: bearer only, the DPoP scheme is refused and no proof is checked', async () => {
    const off = await boot({
      ...isolatedRedisNamespaces(),
      ...upstreamEnvFor(sandbox),
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      JWT_DPOP: 'off',
    });
    try {
      const anonymous = await fetch(`${off.url}${cardPath}`);
      expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="mobile-bff"');
      const proof = await dpopProof(key, { htm: 'GET', htu: `${off.url}${cardPath}`, accessToken: boundToken });
      const res = await fetch(`${off.url}${cardPath}`, { headers: { authorization: `DPoP ${boundToken}`, dpop: proof } });
      expect(res.headers.get('www-authenticate')).toBe(TOKEN_CHALLENGE_BEARER);
      await expectProblem(res, 401, 'invalid-token');
      expect((await fetch(`${off.url}${cardPath}`, { headers: { authorization: `Bearer ${plainToken}` } })).status).toBe(200);
    } finally {
      await off.app.close();
    }
  });
});

describe('mobile-bff DPoP (JWT_DPOP=required, replay cache in Redis, public origin behind a proxy)', () => {
  const PUBLIC_ORIGIN = 'https://mobile-api.retail.example';
  let sandbox: Sandbox;
  let first: RunningApp;
  let second: RunningApp;
  let key: DpopKey;
  let boundToken: string;
  const cardPath = `/api/v1/products/${KNOWN_IDS.product}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    // Two instances sharing one Redis namespace, as behind a load balancer.
    const env = {
      ...isolatedRedisNamespaces(),
      ...upstreamEnvFor(sandbox),
      REDIS_URL,
      JWT_ISSUER: sandbox.idp!.issuer,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      JWT_DPOP: 'required',
      JWT_DPOP_PUBLIC_ORIGIN: PUBLIC_ORIGIN,
    };
    [first, second] = await Promise.all([boot(env), boot(env)]);
    key = await generateDpopKey();
    boundToken = (await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read', dpop: key })).accessToken;
  });
  afterAll(async () => {
    await Promise.all([first?.app.close(), second?.app.close()]);
    await sandbox?.close();
  });

  const proof = (htu = `${PUBLIC_ORIGIN}${cardPath}`) => dpopProof(key, { htm: 'GET', htu, accessToken: boundToken });

  it('refuses plain bearer tokens and announces only DPoP', async () => {
    const plain = (await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read' })).accessToken;
    const res = await fetch(`${first.url}${cardPath}`, { headers: { authorization: `Bearer ${plain}` } });
    expect(res.headers.get('www-authenticate')).toMatch(/^DPoP realm="mobile-bff", error="invalid_token", .*algs="/);
    await expectProblem(res, 401, 'invalid-token');
    const anonymous = await fetch(`${first.url}${cardPath}`);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^DPoP realm="mobile-bff", algs="/);
  });

  it('checks htu against JWT_DPOP_PUBLIC_ORIGIN, not the address the request reached', async () => {
    const res = await fetch(`${first.url}${cardPath}`, { headers: { authorization: `DPoP ${boundToken}`, dpop: await proof() } });
    expect(res.status).toBe(200);
    const local = await proof(`${first.url}${cardPath}`);
    await expectProofRefused(await fetch(`${first.url}${cardPath}`, { headers: { authorization: `DPoP ${boundToken}`, dpop: local } }));
  });

  it('refuses a proof replayed to another instance (shared Redis replay cache)', async () => {
    const once = await proof();
    const headers = { authorization: `DPoP ${boundToken}`, dpop: once };
    expect((await fetch(`${first.url}${cardPath}`, { headers })).status).toBe(200);
    await expectProofRefused(await fetch(`${second.url}${cardPath}`, { headers }));
  });
});

describe('mobile-bff DPoP: failure budget and replay-cache outage', () => {
  let sandbox: Sandbox;
  let key: DpopKey;
  let boundToken: string;
  const cardPath = `/api/v1/products/${KNOWN_IDS.product}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    key = await generateDpopKey();
    boundToken = (await nativeAppLogin(sandbox.idp!, { scope: 'catalog:read', dpop: key })).accessToken;
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  const envFor = (extra: Record<string, string>) => ({
    ...isolatedRedisNamespaces(),
    ...upstreamEnvFor(sandbox),
    JWT_ISSUER: sandbox.idp!.issuer,
    JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
    ...extra,
  });

  it('counts bad proofs against the IP failure budget (429 once exhausted)', async () => {
    const app = await boot(envFor({ AUTH_FAILURE_MAX: '3', AUTH_FAILURE_BLOCK_MS: '60000' }));
    try {
      const url = `${app.url}${cardPath}`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const stale = await dpopProof(key, { htm: 'GET', htu: url, accessToken: boundToken, iat: Math.floor(Date.now() / 1000) - 600 });
        const res = await fetch(url, { headers: { authorization: `DPoP ${boundToken}`, dpop: stale } });
        statuses.push(res.status);
        await res.body?.cancel();
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      // Blocked: even a valid proof is refused until the block ends.
      const fresh = await dpopProof(key, { htm: 'GET', htu: url, accessToken: boundToken });
      await expectProblem(
        await fetch(url, { headers: { authorization: `DPoP ${boundToken}`, dpop: fresh } }),
        429,
        'too-many-auth-failures',
      );
    } finally {
      await app.app.close();
    }
  });

  it('fails closed with 503 when the Redis replay cache is unreachable', async () => {
    const app = await boot(envFor({ REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      const url = `${app.url}${cardPath}`;
      const proof = await dpopProof(key, { htm: 'GET', htu: url, accessToken: boundToken });
      const res = await fetch(url, { headers: { authorization: `DPoP ${boundToken}`, dpop: proof } });
      expect(res.headers.get('retry-after')).toBe('5');
      await expectProblem(res, 503, 'auth-backend-unavailable');
    } finally {
      await app.app.close();
    }
  });
});
