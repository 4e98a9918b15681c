import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp, type AppDefinition } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { PARTNER_BFF } from '../apps/partner-bff/src/partner-bff.definition.js';
import { PartnerBffModule } from '../apps/partner-bff/src/partner-bff.module.js';
import {
  API_RESOURCE,
  KNOWN_IDS,
  MOBILE_BFF_AUDIENCE,
  MOBILE_BFF_RESOURCE,
  PARTNER_GATEWAY_CLIENT_ID,
  PARTNER_GATEWAY_DEV_SECRET,
  startIdp,
  startSandbox,
  type Idp,
  type Sandbox,
} from '../sandbox/src/index.ts';
import { fetchFrom, startCountingProxy, type CountingProxy } from './support/net.js';
import { b64url, clientCredentialsToken, decodeJwt, nativeAppLogin } from './support/oauth.js';
import { partnerClientEnv, partnerKey, partnerKeysEnv } from './support/partner-keys.js';
import { appEnv, expectProblem, upstreamEnvFor } from './support/stack.js';

/**
 * Attacks on the running mobile (bearer JWT) and partner (API key) apps, with the sandbox's real
 * OpenID provider. Happy paths use real IdP tokens; forged tokens are hand-made on purpose.
 * Every refusal must be a 401/403/429 problem+json that explains nothing an attacker could use.
 */

/** Library wording, token internals or key material that must never reach a client. */
const LEAKS =
  /ERR_J|JWS|JWT|JWK|signature|claim|timestamp|"exp"|nbf|kid\b|\balg\b|HS256|none|no applicable key|jose|bffpk_|sha256|-----BEGIN|\bat [\w.]+ \(/i;

async function expectRefused(
  res: Response,
  status: 401 | 403 | 429,
  type: string,
  secrets: readonly string[] = [],
): Promise<Record<string, unknown>> {
  const raw = await res.clone().text();
  const body = await expectProblem(res, status, type);
  expect(Object.keys(body).sort()).toEqual(expect.arrayContaining(['detail', 'instance', 'requestId', 'status', 'title', 'type']));
  expect(body.detail, 'generic detail only').not.toMatch(LEAKS);
  expect(raw).not.toMatch(/stack|ERR_J|JWSSignature|JWTExpired|JWTClaim/);
  for (const secret of secrets) expect(raw).not.toContain(secret);
  return body;
}

interface RunningApp {
  readonly app: NestFastifyApplication;
  readonly url: string;
}

async function boot(module: Type, definition: AppDefinition, env: Record<string, string>): Promise<RunningApp> {
  const app = await createPlatformApp(module, definition, {
    env: appEnv({ LOG_LEVEL: 'silent', NODE_ENV: 'test', HOST: '127.0.0.1', ...env }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

describe('attacks on mobile-bff (bearer JWT) with the real IdP', () => {
  let proxy: CountingProxy;
  let sandbox: Sandbox;
  let mobile: RunningApp;
  /** Second IdP with the same issuer and signing key but 1 s tokens: real, correctly signed, soon expired. */
  let shortLived: Idp;
  /** Third IdP, same signing key, another issuer: real tokens from an issuer the app does not trust. */
  let foreign: Idp;
  let jwksPath: string;
  let userToken: string;

  const partnerGateway = { id: PARTNER_GATEWAY_CLIENT_ID, secret: PARTNER_GATEWAY_DEV_SECRET };
  const card = (token: string, from = '127.0.0.1') =>
    fetchFrom(from, `${mobile.url}/api/v1/products/${KNOWN_IDS.product}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    // The IdP sits behind a counting proxy whose address is its issuer, so every JWKS fetch is seen.
    proxy = await startCountingProxy();
    sandbox = await startSandbox({ basePort: 0, profile: 'test', idp: { issuer: proxy.url } });
    proxy.target = sandbox.idp!.url;
    jwksPath = new URL(((await (await fetch(`${proxy.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string }).jwks_uri)
      .pathname;
    mobile = await boot(MobileBffModule, MOBILE_BFF, {
      ...upstreamEnvFor(sandbox),
      JWT_ISSUER: proxy.url,
      JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
      JWT_CLOCK_SKEW_SECONDS: '1',
      AUTH_FAILURE_MAX: '20',
      AUTH_FAILURE_BLOCK_MS: '60000',
    });
    shortLived = await startIdp({ issuer: proxy.url, accessTokenTtlSeconds: 1 });
    foreign = await startIdp();
    userToken = (await nativeAppLogin({ issuer: proxy.url }, { scope: 'catalog:read' })).accessToken;
  });
  afterAll(async () => {
    await mobile?.app.close();
    await Promise.all([sandbox?.close(), shortLived?.close(), foreign?.close()]);
    await proxy?.close();
  });

  it('serves the real token obtained with auth code + PKCE (baseline for every attack below)', async () => {
    const res = await card(userToken);
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(KNOWN_IDS.product);
  });

  it('refuses alg none (in any spelling), keeping the real claims', async () => {
    const { header, payload } = decodeJwt(userToken);
    for (const alg of ['none', 'None', 'NONE']) {
      const forged = `${b64url({ ...header, alg })}.${b64url(payload)}.`;
      const res = await card(forged);
      expect(res.headers.get('www-authenticate')).toBe(
        'Bearer realm="mobile-bff", error="invalid_token", error_description="The access token is invalid or expired"',
      );
      await expectRefused(res, 401, 'invalid-token');
    }
  });

  it("refuses HS256 signed with the IdP's RSA public key as the HMAC secret", async () => {
    const { header, payload } = decodeJwt(userToken);
    const jwks = (await (await fetch(`${proxy.url}${jwksPath}`)).json()) as { keys: Record<string, unknown>[] };
    const jwk = jwks.keys.find((k) => k.kid === header.kid)!;
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
    const secrets = [
      publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      JSON.stringify(jwk),
    ];
    for (const secret of secrets) {
      const input = `${b64url({ ...header, alg: 'HS256' })}.${b64url(payload)}`;
      const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      await expectRefused(await card(forged), 401, 'invalid-token', [String(jwk.n)]);
    }
  });

  it('refuses an expired token (real, correctly signed, 1 s lifetime)', async () => {
    const token = await clientCredentialsToken(`${shortLived.url}/token`, partnerGateway, {
      scope: 'catalog:read',
      resource: MOBILE_BFF_RESOURCE,
    });
    expect(decodeJwt(token).payload).toMatchObject({ iss: proxy.url, aud: MOBILE_BFF_AUDIENCE });
    expect((await card(token)).status).toBe(200);
    // 1 s lifetime + 1 s of tolerated clock skew.
    await new Promise((r) => setTimeout(r, 2_300));
    await expectRefused(await card(token), 401, 'invalid-token');
  });

  it('refuses a token whose nbf is in the future (hand-made: re-signed with a key of the attacker, under the real kid)', async () => {
    const { header, payload } = decodeJwt(userToken);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64url(header)}.${b64url({ ...payload, nbf: Math.floor(Date.now() / 1000) + 3_600 })}`;
    const forged = `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    await expectRefused(await card(forged), 401, 'invalid-token');
    // The same token with the original signature and a future nbf is refused as well.
    await expectRefused(await card(`${input}.${decodeJwt(userToken).signature}`), 401, 'invalid-token');
  });

  it('refuses a real token from another issuer (signed with the very same key)', async () => {
    const token = await clientCredentialsToken(`${foreign.url}/token`, partnerGateway, {
      scope: 'catalog:read',
      resource: MOBILE_BFF_RESOURCE,
    });
    expect(decodeJwt(token).header.kid).toBe(decodeJwt(userToken).header.kid);
    await expectRefused(await card(token), 401, 'invalid-token');
  });

  it('refuses a real token issued for another audience (the retail APIs)', async () => {
    const token = await clientCredentialsToken(`${proxy.url}/token`, partnerGateway, { scope: 'catalog:read', resource: API_RESOURCE });
    expect(decodeJwt(token).payload.aud).toBe(API_RESOURCE);
    await expectRefused(await card(token), 401, 'invalid-token');
  });

  it('refuses a tampered payload (scopes added, subject changed)', async () => {
    const { header, payload, signature } = decodeJwt(userToken);
    for (const change of [{ scope: 'catalog:read orders:write' }, { sub: KNOWN_IDS.customerPlatinum }]) {
      await expectRefused(await card(`${b64url(header)}.${b64url({ ...payload, ...change })}.${signature}`), 401, 'invalid-token');
    }
  });

  it('refuses malformed credentials: another scheme, a token in the query, garbage', async () => {
    const url = `${mobile.url}/api/v1/products/${KNOWN_IDS.product}`;
    await expectRefused(await fetch(url, { headers: { authorization: `Basic ${userToken}` } }), 401, 'invalid-token');
    await expectRefused(await fetch(`${url}?access_token=${userToken}`), 401, 'missing-credentials');
    await expectRefused(await card('a.b.c'), 401, 'invalid-token');
  });

  it('answers a real token without the required scope with 403 insufficient-scope', async () => {
    const { accessToken } = await nativeAppLogin({ issuer: proxy.url }, { scope: 'orders:read' });
    const body = await expectRefused(await card(accessToken), 403, 'insufficient-scope');
    expect(body.requiredScopes).toEqual(['catalog:read']);
  });

  it('keeps serving real tokens from cached keys while the IdP is unreachable', async () => {
    const before = proxy.count(jwksPath);
    proxy.target = undefined; // the proxy now answers 503 to everything
    try {
      expect((await card(userToken)).status).toBe(200);
      expect(proxy.count(jwksPath)).toBe(before);
    } finally {
      proxy.target = sandbox.idp!.url;
    }
  });

  it('refuses unknown kids without hammering the IdP (at most one key-set refetch per cooldown), then blocks the sender', async () => {
    const { payload } = decodeJwt(userToken);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const before = proxy.count(jwksPath);
    const statuses: number[] = [];
    // From another address, so this flood does not block the other tests' client.
    for (let i = 0; i < 30; i++) {
      const input = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: randomUUID() })}.${b64url(payload)}`;
      const res = await card(`${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`, '127.0.0.3');
      statuses.push(res.status);
      if (i === 0) await expectRefused(res, 401, 'invalid-token');
      if (i === 29) {
        await expectRefused(res, 429, 'too-many-auth-failures');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // AUTH_FAILURE_MAX=20: 20 refusals, then the address is blocked.
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    expect(proxy.count(jwksPath) - before).toBeLessThanOrEqual(1);
    // Even a valid token is refused from the blocked address, while other clients are served.
    expect((await card(userToken, '127.0.0.3')).status).toBe(429);
    expect((await card(userToken)).status).toBe(200);
  });
});

describe('attacks on partner-bff (API keys)', () => {
  let sandbox: Sandbox;
  let partner: RunningApp;
  const acme = partnerKey('acme', ['catalog:read'], { account: KNOWN_IDS.customer });
  const hammer = partnerKey('hammer', ['catalog:read']);
  const expired = partnerKey('expired', ['catalog:read'], { expires: '2020-01-01T00:00:00Z' });
  const feed = (key: string | undefined, from = '127.0.0.1') =>
    fetchFrom(from, `${partner.url}/v1/catalog?limit=1`, { headers: key === undefined ? {} : { 'x-api-key': key } });

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test', idp: false });
    partner = await boot(PartnerBffModule, PARTNER_BFF, {
      ...upstreamEnvFor(sandbox),
      PARTNER_API_KEYS: partnerKeysEnv(acme, hammer, expired),
      ...partnerClientEnv(),
      RATE_LIMIT_MAX: '30',
      RATE_LIMIT_WINDOW_MS: '60000',
      AUTH_FAILURE_MAX: '5',
      AUTH_FAILURE_WINDOW_MS: '60000',
      AUTH_FAILURE_BLOCK_MS: '60000',
    });
  });
  afterAll(async () => {
    await partner?.app.close();
    await sandbox?.close();
  });

  it('serves a registered key (baseline)', async () => {
    expect((await feed(acme.key)).status).toBe(200);
  });

  it('refuses wrong keys alike: unknown id, right id with a wrong secret, malformed, expired', async () => {
    const wrongSecret = `${acme.key.slice(0, -8)}AAAAAAAA`;
    const unknownId = partnerKey('acme', ['catalog:read']).key;
    for (const key of [unknownId, wrongSecret, 'hunter2', expired.key]) {
      const res = await feed(key, '127.0.0.4');
      expect(res.headers.get('www-authenticate')).toBe('ApiKey realm="partner-bff", header="X-Api-Key"');
      const body = await expectRefused(res, 401, 'invalid-api-key', [key, acme.key, acme.id]);
      expect(body.detail).toBe('The API key is invalid, expired or revoked.');
    }
  });

  it('brute force on a partner key ends in 429 with Retry-After; the real key is refused from that address too', async () => {
    const guess = () =>
      `${acme.key.slice(0, -43)}${Buffer.from(randomUUID() + randomUUID())
        .toString('base64url')
        .slice(0, 43)}`;
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await feed(guess(), '127.0.0.2')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const blocked = await feed(guess(), '127.0.0.2');
    const body = await expectRefused(blocked, 429, 'too-many-auth-failures', [acme.key]);
    expect(body.detail).toBe('Too many failed authentication attempts. Retry later.');
    expect(blocked.headers.get('www-authenticate')).toBeNull();
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // A correct guess would not be revealed while blocked.
    await expectRefused(await feed(acme.key, '127.0.0.2'), 429, 'too-many-auth-failures');
    // The partner itself, from its own address, is unaffected.
    expect((await feed(acme.key)).status).toBe(200);
  });

  it("limits each partner's requests (per partner id), as a 429 problem with Retry-After and RateLimit headers", async () => {
    const first = await feed(hammer.key);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=30;w=60');
    expect(first.headers.get('ratelimit')).toMatch(/^"default";r=29;t=\d+$/);
    // Spread over two client addresses: the budget belongs to the partner, not to an address.
    for (let i = 1; i < 30; i++) expect((await feed(hammer.key, i % 2 ? '127.0.0.5' : '127.0.0.6')).status).toBe(200);
    const limited = await feed(hammer.key);
    await expectRefused(limited, 429, 'rate-limited', [hammer.key]);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other partners keep their own budget.
    expect((await feed(acme.key)).status).toBe(200);
  });

  it('never relays the API key upstream', async () => {
    await sandbox.admin.resetStats();
    expect((await feed(acme.key)).status).toBe(200);
    const sent = (await sandbox.admin.stats('catalog')).lastHeaders;
    expect(sent['x-api-key']).toBeUndefined();
    expect(sent.authorization).toBeUndefined();
  });
});
