import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createPlatformApp } from '@bff/core';

import { MOBILE_BFF } from '../apps/mobile-bff/src/mobile-bff.definition.js';
import { MobileBffModule } from '../apps/mobile-bff/src/mobile-bff.module.js';
import { CookieJar, KNOWN_IDS, loginViaForms, MOBILE_BFF_AUDIENCE, startSandbox, type Sandbox } from '../sandbox/src/index.ts';
import { b64url, decodeJwt, nativeAppLogin } from './support/oauth.js';
import { expectProblem, upstreamEnvFor } from './support/stack.js';
import { startTcpSwitch, type TcpSwitch } from './support/tcp-switch.js';
import {
  browserLogin,
  PROD_SESSION_COOKIE,
  setCookieLine,
  sleep,
  spaFetch,
  startWebAuthStack,
  type WebAuthStack,
} from './support/web-auth.js';

/**
 * The identity provider failing under the apps. The sandbox IdP sits behind a TCP switch whose
 * address is its issuer, so it can be made unreachable (nothing listens: connection refused) or
 * hung (connections accepted, never answered) at any moment, and brought back, without the apps
 * knowing. Each case checks the status, the problem type and the time to answer (generous bounds:
 * the machine is a loaded 2-core VM), and that the app recovers without a restart.
 */

/** Scheduling slack on a loaded machine. */
const SLACK_MS = 1_500;

async function timed(call: () => Promise<Response>): Promise<{ res: Response; ms: number }> {
  const started = performance.now();
  const res = await call();
  return { res, ms: performance.now() - started };
}

describe('mobile-bff while its IdP is unreachable or hung', () => {
  let idpSwitch: TcpSwitch;
  let sandbox: Sandbox;
  let app: NestFastifyApplication;
  let url: string;
  const tokens: string[] = [];

  const card = (token: string) => fetch(`${url}/api/v1/products/${KNOWN_IDS.product}`, { headers: { authorization: `Bearer ${token}` } });

  /** A correctly shaped token under a kid the IdP never had: verifying it needs a key-set fetch. */
  function unknownKidToken(): string {
    const { payload } = decodeJwt(tokens[0]);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64url({ alg: 'RS256', typ: 'at+jwt', kid: randomUUID() })}.${b64url(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
  }

  beforeAll(async () => {
    idpSwitch = await startTcpSwitch();
    sandbox = await startSandbox({ basePort: 0, profile: 'test', idp: { issuer: idpSwitch.url } });
    idpSwitch.target = sandbox.idp!.url;
    app = await createPlatformApp(MobileBffModule, MOBILE_BFF, {
      env: {
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        ...upstreamEnvFor(sandbox),
        JWT_ISSUER: idpSwitch.url,
        JWT_AUDIENCE: MOBILE_BFF_AUDIENCE,
        // The smallest cooldown: an unknown kid may re-fetch the key set a second after the last fetch.
        JWT_JWKS_COOLDOWN_MS: '1000',
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    // Real tokens from the IdP, obtained while it is up. Each is verified at most once below, so no
    // answer comes from the verifier's memory of an already verified token.
    for (let i = 0; i < 3; i++) tokens.push((await nativeAppLogin({ issuer: idpSwitch.url }, { scope: 'catalog:read' })).accessToken);
    // The first verification fetches discovery and the key set.
    expect((await card(tokens[0])).status).toBe(200);
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await idpSwitch?.close();
  });

  it('keeps verifying new tokens with the cached keys while the IdP refuses connections, then while it hangs', async () => {
    await idpSwitch.setMode('refuse');
    const refused = await timed(() => card(tokens[1]));
    expect(refused.res.status).toBe(200);
    expect((await refused.res.json()).id).toBe(KNOWN_IDS.product);
    expect(refused.ms).toBeLessThan(500 + SLACK_MS);

    await idpSwitch.setMode('blackhole');
    const hung = await timed(() => card(tokens[2]));
    expect(hung.res.status).toBe(200);
    expect(hung.ms).toBeLessThan(500 + SLACK_MS);
  });

  it('answers a token that needs fresh keys with 503 auth-provider-unavailable, within the key-set timeout, never 401 nor a hang', async () => {
    await sleep(1_100); // past the re-fetch cooldown
    await idpSwitch.setMode('refuse');
    const refused = await timed(() => card(unknownKidToken()));
    expect(refused.res.headers.get('retry-after')).toBe('5');
    await expectProblem(refused.res, 503, 'auth-provider-unavailable');
    expect(refused.ms).toBeLessThan(500 + SLACK_MS);

    await sleep(1_100); // past the re-fetch cooldown and the one-second back-off after a failed fetch
    await idpSwitch.setMode('blackhole');
    const hung = await timed(() => card(unknownKidToken()));
    await expectProblem(hung.res, 503, 'auth-provider-unavailable');
    // Bounded by the key-set request timeout (5 s).
    expect(hung.ms).toBeLessThan(5_000 + SLACK_MS);
  });

  it('recovers without a restart: an unknown kid is a plain 401 again once the IdP answers', async () => {
    await idpSwitch.setMode('forward');
    await sleep(1_100);
    await expectProblem(await card(unknownKidToken()), 401, 'invalid-token');
    expect((await card(tokens[0])).status).toBe(200);
  });
});

describe('web-bff sign-in while the IdP is unreachable from the start', () => {
  const idpTimeoutMs = 1_000;
  let idpSwitch: TcpSwitch;
  let stack: WebAuthStack;

  beforeAll(async () => {
    idpSwitch = await startTcpSwitch();
    stack = await startWebAuthStack({
      idpIssuer: idpSwitch.url,
      // The instance boots with the IdP down: its discovery prefetch fails.
      onSandboxStarted: async (sandbox) => {
        idpSwitch.target = sandbox.idp!.url;
        await idpSwitch.setMode('refuse');
      },
      env: { OIDC_TIMEOUT_MS: String(idpTimeoutMs) },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await idpSwitch?.close();
  });

  const login = () => fetch(`${stack.url}/auth/login`, { redirect: 'manual' });

  it('answers GET /auth/login with 503 auth-provider-unavailable at once when the IdP refuses connections', async () => {
    for (let i = 0; i < 2; i++) {
      const { res, ms } = await timed(login);
      expect(res.headers.get('retry-after')).toBe('5');
      await expectProblem(res, 503, 'auth-provider-unavailable');
      expect(ms).toBeLessThan(500 + SLACK_MS);
    }
  });

  it('answers GET /auth/login with 503 within the IdP timeout when the IdP hangs', async () => {
    await idpSwitch.setMode('blackhole');
    await sleep(2_100); // past the two-second back-off after the failed discovery
    const { res, ms } = await timed(login);
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(ms).toBeGreaterThanOrEqual(idpTimeoutMs - 100);
    expect(ms).toBeLessThan(idpTimeoutMs + SLACK_MS);
  });

  it('recovers without a restart once the IdP answers: login redirects to it, and a sign-in completes', async () => {
    await idpSwitch.setMode('forward');
    await sleep(2_100);
    const res = await login();
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${idpSwitch.url}/auth\\?`));
    const signedIn = await browserLogin(stack.url, new CookieJar());
    expect(signedIn.response?.status).toBe(302);
    expect(signedIn.sessionId).toEqual(expect.any(String));
  });
});

describe('web-bff sessions when the IdP fails after sign-in', () => {
  /** Access tokens live 2 s; refreshed 1 s before they expire. */
  const accessTokenTtlS = 2;
  const idpTimeoutMs = 1_000;
  let idpSwitch: TcpSwitch;
  let stack: WebAuthStack;

  beforeAll(async () => {
    idpSwitch = await startTcpSwitch();
    stack = await startWebAuthStack({
      idpIssuer: idpSwitch.url,
      accessTokenTtlSeconds: accessTokenTtlS,
      onSandboxStarted: (sandbox) => {
        idpSwitch.target = sandbox.idp!.url;
      },
      env: { SESSION_REFRESH_SKEW_SECONDS: '1', OIDC_TIMEOUT_MS: String(idpTimeoutMs) },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await idpSwitch?.close();
  });
  afterEach(async () => {
    await idpSwitch.setMode('forward');
    stack.sandbox.idp!.reset();
  });

  const me = (jar: CookieJar) => spaFetch(jar, `${stack.url}/api/v1/me`);

  async function signIn(): Promise<{ jar: CookieJar; sessionId: string }> {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    expect(login.response?.status).toBe(302);
    return { jar, sessionId: login.sessionId! };
  }

  /** A jar holding only this session cookie: what the browser would still send after a failed answer. */
  function jarWithSession(sessionId: string): CookieJar {
    const jar = new CookieJar();
    jar.set(stack.url, PROD_SESSION_COOKIE, sessionId, 'Path=/; Secure; HttpOnly; SameSite=Strict');
    return jar;
  }

  it('serves a signed-in user whose token is still valid, and starts logins, without asking the IdP', async () => {
    const { jar } = await signIn();
    await idpSwitch.setMode('refuse');
    expect((await me(jar)).status).toBe(200);
    // Discovery was fetched before: the authorization URL is built locally (the browser then meets the outage at the IdP).
    const login = await fetch(`${stack.url}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toMatch(new RegExp(`^${idpSwitch.url}/auth\\?`));
    await idpSwitch.setMode('blackhole');
    expect((await me(jar)).status).toBe(200);
  });

  it('keeps the session when the refresh cannot reach the IdP: 503 at once, then a refresh once it is back', async () => {
    const { jar } = await signIn();
    await idpSwitch.setMode('refuse');
    await sleep(accessTokenTtlS * 1000 + 200);
    const { res, ms } = await timed(() => me(jar));
    expect(res.headers.get('retry-after')).toBe('5');
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toBeUndefined();
    expect(ms).toBeLessThan(500 + SLACK_MS);

    await idpSwitch.setMode('forward');
    expect((await me(jar)).status).toBe(200);
    expect(stack.idp.stats().refreshes).toBe(1);
  });

  it('keeps the session when the IdP hangs during the refresh: 503 within the IdP timeout, then a refresh', async () => {
    const { jar } = await signIn();
    await sleep(accessTokenTtlS * 1000 + 200);
    await idpSwitch.setMode('blackhole');
    const { res, ms } = await timed(() => me(jar));
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toBeUndefined();
    expect(ms).toBeLessThan(idpTimeoutMs + SLACK_MS);

    await idpSwitch.setMode('forward');
    expect((await me(jar)).status).toBe(200);
    expect(stack.idp.stats().refreshes).toBe(1);
  });

  it('ends the session cleanly when the IdP itself refuses the refresh (grant revoked): 401, cookie cleared, session gone', async () => {
    const { jar, sessionId } = await signIn();
    expect(stack.idp.revokeGrants(KNOWN_IDS.customer)).toBeGreaterThanOrEqual(1);
    await sleep(accessTokenTtlS * 1000 + 200);
    const res = await me(jar);
    await expectProblem(res, 401, 'session-expired');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toMatch(/Max-Age=0/);
    expect(stack.idp.stats()).toMatchObject({ refreshes: 0, refreshFailures: 1, faultsApplied: 0 });
    // Gone server-side: the old cookie is refused without another refresh attempt.
    await expectProblem(await spaFetch(jarWithSession(sessionId), `${stack.url}/auth/user`), 401, 'session-expired');
    expect(stack.idp.stats().tokenRequests.refresh_token).toBe(1);
  });

  /** Signs in at the IdP's forms, stops before the BFF's callback, and returns the callback request the browser would make. */
  async function atCallback(): Promise<() => Promise<Response>> {
    const jar = new CookieJar();
    const atIdp = await loginViaForms({
      authorizeUrl: new URL('/auth/login', stack.url),
      email: KNOWN_IDS.customerEmail,
      password: KNOWN_IDS.customerPassword,
      cookieJar: jar,
      initiatorOrigin: stack.url,
      redirectUri: `${stack.url}/auth/callback`,
    });
    expect(atIdp.code).toEqual(expect.any(String));
    const callback = atIdp.url.href;
    const cookie = jar.header(callback, { crossSite: true, topLevel: true, method: 'GET' });
    return () => fetch(callback, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  }

  it('answers the callback with 503 when the IdP refuses connections between its login form and the code exchange', async () => {
    const callback = await atCallback();
    await idpSwitch.setMode('refuse');
    const { res, ms } = await timed(callback);
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toBeUndefined();
    expect(ms).toBeLessThan(500 + SLACK_MS);
  });

  it('answers the callback with 503 within the IdP timeout when the IdP hangs during the code exchange', async () => {
    const callback = await atCallback();
    await idpSwitch.setMode('blackhole');
    const { res, ms } = await timed(callback);
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toBeUndefined();
    expect(ms).toBeLessThan(idpTimeoutMs + SLACK_MS);
  });

  it('logs out while the IdP is unreachable: the local session ends, the end-session URL is still given', async () => {
    const { jar, sessionId } = await signIn();
    await idpSwitch.setMode('refuse');
    const { res, ms } = await timed(() => spaFetch(jar, `${stack.url}/auth/logout`, { method: 'POST' }));
    expect(res.status).toBe(200);
    expect((await res.json()).endSessionUrl).toMatch(new RegExp(`^${idpSwitch.url}/session/end\\?`));
    expect(setCookieLine(res, PROD_SESSION_COOKIE)).toMatch(/Max-Age=0/);
    expect(ms).toBeLessThan(idpTimeoutMs + SLACK_MS);
    await expectProblem(await spaFetch(jarWithSession(sessionId), `${stack.url}/auth/user`), 401, 'session-expired');
  });
});
