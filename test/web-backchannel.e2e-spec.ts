import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { WEB_BFF } from '../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../apps/web-bff/src/web-bff.module.js';
import {
  API_RESOURCE,
  CookieJar,
  KNOWN_IDS,
  logoutViaForms,
  PARTNER_GATEWAY_CLIENT_ID,
  PARTNER_GATEWAY_DEV_SECRET,
  PLATFORM_ADMIN_CLIENT_ID,
  PLATFORM_ADMIN_DEV_SECRET,
  SESSION_ADMIN_AUDIENCE,
  SESSION_ADMIN_RESOURCE,
  WEB_BFF_CLIENT_ID,
} from '../sandbox/src/index.ts';
import { clientCredentialsToken } from './support/oauth.js';
import { expectProblem, isolatedRedisNamespaces, startStack, type Stack } from './support/stack.js';
import {
  browserLogin,
  jwtClaims,
  PROD_SESSION_COOKIE,
  spaFetch,
  startWebAuthStack,
  WEB_AUTH_OFFLINE_ENV,
  type WebAuthStack,
} from './support/web-auth.js';

const EVENT = 'http://schemas.openid.net/event/backchannel-logout';

describe('web-bff back-channel logout and session admin (real IdP)', () => {
  let stack: WebAuthStack;
  const url = (path: string): string => `${stack.url}${path}`;

  beforeAll(async () => {
    stack = await startWebAuthStack({
      backchannelLogout: true,
      env: { ...isolatedRedisNamespaces(), SESSION_ADMIN_AUDIENCE: SESSION_ADMIN_AUDIENCE },
    });
  });
  afterAll(() => stack?.close());

  async function signIn(): Promise<{ jar: CookieJar; sessionId: string }> {
    const jar = new CookieJar();
    const login = await browserLogin(stack.url, jar);
    expect(login.response?.status).toBe(302);
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
    return { jar, sessionId: login.sessionId! };
  }

  /** A logout token as the IdP issues them (signed with its key), with `overrides` applied (undefined removes a claim). */
  function logoutToken(overrides: Record<string, unknown> = {}, header: Record<string, unknown> = { typ: 'logout+jwt' }): string {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: stack.idp.issuer,
      aud: WEB_BFF_CLIENT_ID,
      iat: now,
      exp: now + 120,
      jti: randomUUID(),
      sub: KNOWN_IDS.customer,
      events: { [EVENT]: {} },
      ...overrides,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return stack.idp.signJwt(claims, header);
  }

  const postLogout = (body: string, contentType = 'application/x-www-form-urlencoded'): Promise<Response> =>
    fetch(url('/auth/backchannel-logout'), { method: 'POST', headers: { 'content-type': contentType }, body });
  const postToken = (token: string): Promise<Response> => postLogout(new URLSearchParams({ logout_token: token }).toString());

  const adminToken = (): Promise<string> =>
    clientCredentialsToken(
      `${stack.idp.issuer}/token`,
      { id: PLATFORM_ADMIN_CLIENT_ID, secret: PLATFORM_ADMIN_DEV_SECRET },
      { scope: 'sessions:admin', resource: SESSION_ADMIN_RESOURCE },
    );
  const admin = (path: string, token: string | undefined, method = 'GET'): Promise<Response> =>
    fetch(url(path), { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('IdP-initiated logout: the user ends the IdP session, the IdP posts a logout token, that BFF session is gone', async () => {
    const { jar } = await signIn();
    // The same user in another browser: another IdP session (another sid), which stays signed in.
    const other = await signIn();
    const endSession = new URL(`${stack.idp.issuer}/session/end`);
    endSession.searchParams.set('client_id', WEB_BFF_CLIENT_ID);
    endSession.searchParams.set('post_logout_redirect_uri', url('/'));
    const before = stack.idp.stats();
    const out = await logoutViaForms({
      endSessionUrl: endSession.href,
      cookieJar: jar,
      postLogoutRedirectUri: url('/'),
      initiatorOrigin: stack.url,
    });
    expect(out.url.href).toBe(url('/'));
    const after = stack.idp.stats();
    expect(after.backchannelLogouts - before.backchannelLogouts).toBe(1);
    expect(after.backchannelLogoutFailures).toBe(before.backchannelLogoutFailures);
    // The browser still holds its cookie, but the session behind it has ended.
    expect(jar.get(stack.url, PROD_SESSION_COOKIE)).toBeDefined();
    await expectProblem(await spaFetch(jar, url('/auth/user')), 401, 'session-expired');
    expect((await spaFetch(other.jar, url('/auth/user'))).status).toBe(200);
  });

  it('sandbox admin action: the IdP ends every session of the user and the BFF sessions of each end', async () => {
    const first = await signIn();
    const second = await signIn();
    const result = await stack.idp.backchannelLogout(KNOWN_IDS.customer);
    expect(result.delivered).toBeGreaterThanOrEqual(2);
    expect(result.failed).toBe(0);
    await expectProblem(await spaFetch(first.jar, url('/auth/user')), 401, 'session-expired');
    await expectProblem(await spaFetch(second.jar, url('/auth/user')), 401, 'session-expired');
  });

  it('a token naming an unknown sid ends nothing (200: the provider need not retry)', async () => {
    const { jar } = await signIn();
    const res = await postToken(logoutToken({ sid: 'no-such-sid' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
  });

  it('a token with sub and no sid ends every session of that user; the same token again is a replay (400)', async () => {
    const a = await signIn();
    const b = await signIn();
    const token = logoutToken();
    const res = await postToken(token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    await expectProblem(await spaFetch(a.jar, url('/auth/user')), 401, 'session-expired');
    await expectProblem(await spaFetch(b.jar, url('/auth/user')), 401, 'session-expired');
    await expectProblem(await postToken(token), 400, 'invalid-logout-token');
  });

  it('refuses forged, expired, wrong-audience, ID-token-like and malformed logout tokens with 400 invalid-logout-token', async () => {
    const { jar } = await signIn();
    const now = Math.floor(Date.now() / 1000);
    const good = logoutToken();
    const [h, p] = good.split('.') as [string, string, string];
    const forgedSignature = `${h}.${p}.${Buffer.from('not the signature').toString('base64url')}`;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...jwtClaims(good), sub: 'c-0002' })).toString('base64url')}.${good.split('.')[2]}`;
    const refused: Record<string, string> = {
      'forged signature': forgedSignature,
      'tampered claims': tampered,
      'unsigned (alg none)': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`,
      expired: logoutToken({ iat: now - 600, exp: now - 480 }),
      'issued too long ago': logoutToken({ iat: now - 3_600, exp: now + 120 }),
      'another audience': logoutToken({ aud: 'mobile-app' }),
      'another issuer': logoutToken({ iss: 'https://idp.example.com' }),
      'no events claim': logoutToken({ events: undefined }),
      'another event': logoutToken({ events: { 'http://schemas.openid.net/event/other': {} } }),
      'carries a nonce (an ID token)': logoutToken({ nonce: 'n-1' }),
      'no jti': logoutToken({ jti: undefined }),
      'neither sid nor sub': logoutToken({ sub: undefined }),
      'typ of an access token': logoutToken({}, { typ: 'at+jwt' }),
      'not a JWT': 'definitely-not-a-jwt',
    };
    for (const [why, token] of Object.entries(refused)) {
      const res = await postToken(token);
      expect(res.status, why).toBe(400);
      await expectProblem(res, 400, 'invalid-logout-token');
    }
    await expectProblem(await postLogout('state=1'), 400, 'invalid-logout-token');
    await expectProblem(await postLogout(''), 400, 'invalid-logout-token');
    // None of them ended anything.
    expect((await spaFetch(jar, url('/auth/user'))).status).toBe(200);
  });

  it('takes form bodies only (415 otherwise, 413 beyond 16 KiB), needs no cookie nor X-CSRF, and other routes refuse form bodies', async () => {
    const token = logoutToken({ sub: 'c-9999' });
    await expectProblem(await postLogout(JSON.stringify({ logout_token: token }), 'application/json'), 415, 'unsupported-media-type');
    await expectProblem(await postLogout(`logout_token=${token}`, 'text/plain'), 415, 'unsupported-media-type');
    const large = await expectProblem(await postLogout(`logout_token=${'a'.repeat(17 * 1024)}`), 413, 'payload-too-large');
    expect(large.detail).toBe('The request body exceeds the limit of 16384 bytes.');
    await expectProblem(await postLogout(`logout_token=${token}&logout_token=${token}`), 400, 'duplicate-parameter');
    // The IdP's request: no cookie, no X-CSRF, no Origin.
    expect((await postToken(token)).status).toBe(200);
    // JSON routes never see form data.
    const form = await fetch(url('/auth/logout'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-csrf': '1' },
      body: 'a=1',
    });
    await expectProblem(form, 415, 'unsupported-media-type');
  });

  it("admin: lists a user's sessions (no tokens), revokes one, then all, on the shared store; refresh tokens revoked", async () => {
    const token = await adminToken();
    await admin(`/admin/sessions?sub=${KNOWN_IDS.customer}`, token, 'DELETE');
    const one = await signIn();
    const two = await signIn();
    const res = await admin(`/admin/sessions?sub=${KNOWN_IDS.customer}`, token);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).not.toContain(one.sessionId);
    expect(text).not.toMatch(/eyJ/); // no JWT of any kind
    const body = JSON.parse(text) as { sub: string; items: Array<Record<string, string>> };
    expect(body.sub).toBe(KNOWN_IDS.customer);
    expect(body.items).toHaveLength(2);
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['createdAt', 'expiresAt', 'handle', 'lastSeenAt', 'sub']);
      expect(item.handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(item.expiresAt)).toBeGreaterThan(Date.now());
    }
    const revocations = stack.idp.stats().revocations;
    const [first] = body.items;
    expect((await admin(`/admin/sessions/${first.handle}`, token, 'DELETE')).status).toBe(204);
    await expectProblem(await admin(`/admin/sessions/${first.handle}`, token, 'DELETE'), 404, 'session-not-found');
    const statuses = [(await spaFetch(one.jar, url('/auth/user'))).status, (await spaFetch(two.jar, url('/auth/user'))).status];
    expect([...statuses].sort()).toEqual([200, 401]);
    expect(stack.idp.stats().revocations).toBe(revocations + 1);
    const survivor = statuses[0] === 200 ? one : two;

    const all = await admin(`/admin/sessions?sub=${KNOWN_IDS.customer}`, token, 'DELETE');
    expect(all.status).toBe(200);
    expect(await all.json()).toEqual({ sub: KNOWN_IDS.customer, revoked: 1 });
    await expectProblem(await spaFetch(survivor.jar, url('/auth/user')), 401, 'session-expired');
    expect(await (await admin(`/admin/sessions?sub=${KNOWN_IDS.customer}`, token)).json()).toEqual({ sub: KNOWN_IDS.customer, items: [] });
    await expectProblem(await admin('/admin/sessions', token), 400, 'validation-failed');
    await expectProblem(await admin('/admin/sessions/not-a-handle', token, 'DELETE'), 400, 'validation-failed');
  });

  it('admin: 401 without a bearer token or with one for another audience, 403 without the admin scope; a session cookie is no admin', async () => {
    const path = `/admin/sessions?sub=${KNOWN_IDS.customer}`;
    const missing = await admin(path, undefined);
    await expectProblem(missing, 401, 'missing-credentials');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const partner = await clientCredentialsToken(
      `${stack.idp.issuer}/token`,
      { id: PARTNER_GATEWAY_CLIENT_ID, secret: PARTNER_GATEWAY_DEV_SECRET },
      { scope: 'catalog:read', resource: API_RESOURCE },
    );
    await expectProblem(await admin(path, partner), 401, 'invalid-token');
    // The partner client cannot even get a token for the admin audience.
    await expect(
      clientCredentialsToken(
        `${stack.idp.issuer}/token`,
        { id: PARTNER_GATEWAY_CLIENT_ID, secret: PARTNER_GATEWAY_DEV_SECRET },
        { scope: 'sessions:admin', resource: SESSION_ADMIN_RESOURCE },
      ),
    ).rejects.toThrow(/400/);
    const unscoped = await clientCredentialsToken(
      `${stack.idp.issuer}/token`,
      { id: PLATFORM_ADMIN_CLIENT_ID, secret: PLATFORM_ADMIN_DEV_SECRET },
      { scope: '', resource: SESSION_ADMIN_RESOURCE },
    );
    await expectProblem(await admin(path, unscoped), 403, 'insufficient-scope');
    const { jar } = await signIn();
    const withCookie = await spaFetch(jar, url(path));
    await expectProblem(withCookie, 401, 'missing-credentials');
  });
});

describe('web-bff back-channel logout and admin routes, IdP unreachable and admin unset', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(WebBffModule, WEB_BFF, { ...WEB_AUTH_OFFLINE_ENV });
  });
  afterAll(() => stack?.close());

  it('answers 503 when the IdP keys cannot be fetched (the provider retries later)', async () => {
    const token = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.c2ln`;
    const res = await fetch(`${stack.url}/auth/backchannel-logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
    });
    await expectProblem(res, 503, 'auth-provider-unavailable');
    expect(res.headers.get('retry-after')).toBe('5');
  });

  it('has no admin routes without SESSION_ADMIN_AUDIENCE: 404 like an unknown route, whatever the credentials', async () => {
    for (const [method, path] of [
      ['GET', '/admin/sessions?sub=c-0001'],
      ['DELETE', '/admin/sessions?sub=c-0001'],
      ['DELETE', `/admin/sessions/${'a'.repeat(43)}`],
    ] as const) {
      const res = await fetch(`${stack.url}${path}`, { method, headers: { authorization: 'Bearer abc' } });
      const body = await expectProblem(res, 404, 'route-not-found');
      expect(body.detail).toBe(`No route matches ${method} ${path.split('?')[0]}.`);
    }
  });
});
