import { createHash, randomBytes } from 'node:crypto';

import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  API_RESOURCE,
  browse,
  CookieJar,
  DEV_PASSWORD,
  getSeedCustomers,
  KNOWN_IDS,
  loginViaForms,
  logoutViaForms,
  MOBILE_BFF_AUDIENCE,
  PARTNER_GATEWAY_DEV_SECRET,
  startIdp,
  startSandbox,
  WEB_BFF_DEV_SECRET,
  type Idp,
} from '../src/index.ts';

const WEB_REDIRECT = 'http://127.0.0.1:3999/auth/callback';
const WEB_POST_LOGOUT = 'http://127.0.0.1:3999/';
const ALICE = { email: KNOWN_IDS.customerEmail, password: DEV_PASSWORD };

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint: string;
  revocation_endpoint: string;
  [key: string]: unknown;
}

interface TokenSet {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  scope?: string;
  token_type: string;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe('sandbox IdP (oidc-provider)', () => {
  let idp: Idp;
  let discovery: Discovery;

  beforeAll(async () => {
    idp = await startIdp({ webRedirectUris: [WEB_REDIRECT], webPostLogoutRedirectUris: [WEB_POST_LOGOUT], accessTokenTtlSeconds: 120 });
    discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Discovery;
  });
  afterAll(() => idp?.close());
  afterEach(() => idp.reset());

  function authorizeUrl(
    params: { clientId?: string; redirectUri?: string; scope?: string; challenge?: string | null; extra?: Record<string, string> } = {},
  ): { url: URL; state: string; nonce: string } {
    const state = randomBytes(8).toString('hex');
    const nonce = randomBytes(8).toString('hex');
    const url = new URL(discovery.authorization_endpoint);
    const query: Record<string, string> = {
      client_id: params.clientId ?? 'web-bff',
      response_type: 'code',
      redirect_uri: params.redirectUri ?? WEB_REDIRECT,
      scope: params.scope ?? 'openid profile email orders:read customers:read',
      state,
      nonce,
      ...params.extra,
    };
    if (params.challenge !== null) {
      query.code_challenge = params.challenge ?? pkce().challenge;
      query.code_challenge_method = 'S256';
    }
    url.search = new URLSearchParams(query).toString();
    return { url, state, nonce };
  }

  async function token(
    body: Record<string, string>,
    authorization?: string,
  ): Promise<{ status: number; body: TokenSet & { error?: string } }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (authorization) headers.authorization = authorization;
    const res = await fetch(discovery.token_endpoint, { method: 'POST', headers, body: new URLSearchParams(body) });
    return { status: res.status, body: (await res.json()) as TokenSet & { error?: string } };
  }

  const webAuth = basic('web-bff', WEB_BFF_DEV_SECRET);

  /** A full web-bff login through the forms, then the code exchange. */
  async function webLogin(
    jar = new CookieJar(),
    scope?: string,
    user: { email: string; password: string } = ALICE,
  ): Promise<{ tokens: TokenSet; jar: CookieJar; nonce: string }> {
    const { verifier, challenge } = pkce();
    const { url, state, nonce } = authorizeUrl({ challenge, scope });
    const result = await loginViaForms({ authorizeUrl: url, ...user, cookieJar: jar, redirectUri: WEB_REDIRECT });
    expect(result.state).toBe(state);
    expect(result.code).toEqual(expect.any(String));
    const exchanged = await token(
      { grant_type: 'authorization_code', code: result.code!, redirect_uri: WEB_REDIRECT, code_verifier: verifier },
      webAuth,
    );
    expect(exchanged.status).toBe(200);
    return { tokens: exchanged.body, jar, nonce };
  }

  it('publishes discovery metadata: endpoints, PKCE S256, logout, revocation, iss in responses', () => {
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery).toMatchObject({
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      end_session_endpoint: `${idp.issuer}/session/end`,
      revocation_endpoint: `${idp.issuer}/token/revocation`,
      jwks_uri: `${idp.issuer}/jwks`,
    });
    expect(discovery.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']));
    expect(discovery.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'none']));
  });

  it('serves a JWKS with one RS256 signing key and no private material', async () => {
    const jwks = (await (await fetch(discovery.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('logs a customer in through the HTML forms (authorization code + PKCE) and issues verifiable JWTs', async () => {
    const steps = await browse({ start: authorizeUrl().url, stopBefore: WEB_REDIRECT, fill: () => false });
    // The first page is a real login form.
    const html = await steps.response!.text();
    expect(html).toContain('<form method="post" action="/interaction/');
    expect(html).toContain('name="password"');

    const { tokens, nonce } = await webLogin();
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ').sort()).toEqual(['customers:read', 'orders:read']);

    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const access = await jwtVerify(tokens.access_token, jwks, { issuer: idp.issuer, audience: API_RESOURCE, typ: 'at+jwt' });
    expect(access.protectedHeader.alg).toBe('RS256');
    expect(access.payload).toMatchObject({ sub: KNOWN_IDS.customer, client_id: 'web-bff', scope: expect.stringContaining('orders:read') });
    expect(access.payload.exp! - access.payload.iat!).toBe(120);
    await expect(jwtVerify(tokens.access_token, jwks, { issuer: idp.issuer, audience: 'mobile-bff' })).rejects.toThrow(/aud/);

    const id = await jwtVerify(tokens.id_token!, jwks, { issuer: idp.issuer, audience: 'web-bff' });
    expect(id.payload).toMatchObject({ sub: KNOWN_IDS.customer, email: ALICE.email, name: 'Alice Anderson', email_verified: true, nonce });
  });

  it('requires PKCE: no code_challenge is refused, and a code cannot be redeemed without its verifier', async () => {
    const noPkce = await browse({ start: authorizeUrl({ challenge: null }).url, stopBefore: WEB_REDIRECT });
    expect(noPkce.url.searchParams.get('error')).toBe('invalid_request');
    expect(noPkce.url.searchParams.get('error_description')).toMatch(/PKCE/);

    const { url } = authorizeUrl();
    const login = await loginViaForms({ authorizeUrl: url, ...ALICE, redirectUri: WEB_REDIRECT });
    const wrong = await token(
      { grant_type: 'authorization_code', code: login.code!, redirect_uri: WEB_REDIRECT, code_verifier: pkce().verifier },
      webAuth,
    );
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  });

  it('returns the issuer (RFC 9207) and the state on the redirect', async () => {
    const { url, state } = authorizeUrl();
    const login = await loginViaForms({ authorizeUrl: url, ...ALICE, redirectUri: WEB_REDIRECT });
    expect(login.iss).toBe(idp.issuer);
    expect(login.state).toBe(state);
  });

  it('refuses wrong credentials on the login form and counts them', async () => {
    await expect(
      loginViaForms({ authorizeUrl: authorizeUrl().url, email: ALICE.email, password: 'wrong', redirectUri: WEB_REDIRECT }),
    ).rejects.toThrow(/Invalid email or password/);
    expect(idp.stats()).toMatchObject({ logins: 0, loginFailures: 1 });
  });

  it('sends access_denied to the client when consent is denied', async () => {
    const denied = await loginViaForms({ authorizeUrl: authorizeUrl().url, ...ALICE, redirectUri: WEB_REDIRECT, consent: 'deny' });
    expect(denied.error).toBe('access_denied');
    expect(denied.code).toBeUndefined();
  });

  it('rejects a redirect_uri that is not registered, without redirecting to it', async () => {
    const res = await fetch(authorizeUrl({ redirectUri: 'https://evil.example.net/cb' }).url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(await res.text()).toContain('redirect_uri');
  });

  it('rotates refresh tokens: each is single-use, and reusing one revokes the whole grant', async () => {
    const { tokens } = await webLogin();
    const first = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth);
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toEqual(expect.any(String));
    expect(first.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(first.body.access_token).not.toBe(tokens.access_token);

    const reused = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth);
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Reuse detection: the rotated token dies with the grant.
    const afterReuse = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token! }, webAuth);
    expect(afterReuse).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(idp.stats()).toMatchObject({ tokenRequests: { authorization_code: 1, refresh_token: 3 }, refreshes: 1, refreshFailures: 2 });
  });

  it('revokes a refresh token at the revocation endpoint', async () => {
    const { tokens } = await webLogin();
    const res = await fetch(discovery.revocation_endpoint, {
      method: 'POST',
      headers: { authorization: webAuth, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: tokens.refresh_token!, token_type_hint: 'refresh_token' }),
    });
    expect(res.status).toBe(200);
    expect(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    expect(idp.stats().revocations).toBe(1);
  });

  it('issues client-credentials JWTs to the partner gateway only', async () => {
    const granted = await token(
      { grant_type: 'client_credentials', scope: 'catalog:read' },
      basic('partner-gateway', PARTNER_GATEWAY_DEV_SECRET),
    );
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toBeUndefined();
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const { payload } = await jwtVerify(granted.body.access_token, jwks, { issuer: idp.issuer, audience: API_RESOURCE });
    expect(payload).toMatchObject({ sub: 'partner-gateway', client_id: 'partner-gateway', scope: 'catalog:read' });

    expect(await token({ grant_type: 'client_credentials' }, basic('partner-gateway', 'wrong'))).toMatchObject({
      status: 401,
      body: { error: 'invalid_client' },
    });
    const notAllowed = await token({ grant_type: 'client_credentials' }, webAuth);
    expect(notAllowed.status).toBe(400);
    expect(notAllowed.body.access_token).toBeUndefined();
    expect(JSON.stringify(notAllowed.body)).toMatch(/grant/);
    expect(idp.stats().tokenRequests).toEqual({ client_credentials: 3 });
  });

  it('logs the mobile app (public client) in on any loopback port, with offline_access and a mobile-bff audience', async () => {
    const { verifier, challenge } = pkce();
    const redirectUri = 'http://127.0.0.1:51234/callback';
    const { url } = authorizeUrl({
      clientId: 'mobile-app',
      redirectUri,
      challenge,
      scope: 'openid profile offline_access orders:read',
      extra: { prompt: 'consent' },
    });
    const login = await loginViaForms({ authorizeUrl: url, ...ALICE, redirectUri });
    const exchanged = await token({
      grant_type: 'authorization_code',
      client_id: 'mobile-app',
      code: login.code!,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body.refresh_token).toEqual(expect.any(String));
    expect(decodeJwt(exchanged.body.access_token)).toMatchObject({
      aud: MOBILE_BFF_AUDIENCE,
      sub: KNOWN_IDS.customer,
      client_id: 'mobile-app',
    });
    const refreshed = await token({ grant_type: 'refresh_token', client_id: 'mobile-app', refresh_token: exchanged.body.refresh_token! });
    expect(refreshed.status).toBe(200);
  });

  it('ends the IdP session on RP-initiated logout: back to the client, refresh token dead, login form again', async () => {
    const { tokens, jar } = await webLogin();
    const endSession = new URL(discovery.end_session_endpoint);
    endSession.search = new URLSearchParams({ client_id: 'web-bff', post_logout_redirect_uri: WEB_POST_LOGOUT, state: 'bye' }).toString();
    const out = await logoutViaForms({ endSessionUrl: endSession, cookieJar: jar, postLogoutRedirectUri: WEB_POST_LOGOUT });
    expect(out.url.href).toBe(`${WEB_POST_LOGOUT}?state=bye`);
    expect(idp.stats().endSessions).toBe(1);

    // The refresh token was bound to the IdP session (no offline_access): it is gone with it.
    expect(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).toMatchObject({ status: 400 });
    // No single sign-on any more: the same browser gets the login form.
    const again = await browse({ start: authorizeUrl().url, cookieJar: jar, stopBefore: WEB_REDIRECT, fill: () => false });
    expect(await again.response!.text()).toContain('name="password"');
  });

  it('keeps single sign-on within the IdP session: a second authorization needs no form', async () => {
    const { jar } = await webLogin();
    const second = await browse({ start: authorizeUrl().url, cookieJar: jar, stopBefore: WEB_REDIRECT, fill: () => false });
    expect(second.url.searchParams.get('code')).toEqual(expect.any(String));
    expect(second.steps.every((s) => s.method === 'GET')).toBe(true);
  });

  it('injects token-endpoint faults without consuming the token, in-process and over HTTP', async () => {
    const { tokens } = await webLogin();
    idp.setTokenFaults([{ grantType: 'refresh_token', error: 'invalid_grant', times: 1 }]);
    expect(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const admin = await fetch(`${idp.url}/__admin/token-faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ status: 503, times: 1 }] }),
    });
    expect(admin.status).toBe(200);
    expect(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).toMatchObject({
      status: 503,
      body: { error: 'server_error' },
    });
    // Faults did not touch the token: it still works once.
    expect((await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).status).toBe(200);
    const stats = (await (await fetch(`${idp.url}/__admin/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      faultsApplied: 2,
      refreshes: 1,
      refreshFailures: 2,
      tokenRequests: { authorization_code: 1, refresh_token: 3 },
    });
  });

  it("revokes every grant of a user (in-process and over HTTP): that user's refresh tokens are refused, others keep theirs", async () => {
    const first = await webLogin();
    const second = await webLogin();
    const bob = getSeedCustomers().find((c) => c.id !== KNOWN_IDS.customer)!;
    const other = await webLogin(new CookieJar(), undefined, { email: bob.email, password: bob.password });

    expect(idp.revokeGrants(KNOWN_IDS.customer)).toBeGreaterThanOrEqual(1);
    for (const { tokens } of [first, second]) {
      expect(await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth)).toMatchObject({
        status: 400,
        body: { error: 'invalid_grant' },
      });
    }
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: other.tokens.refresh_token! }, webAuth);
    expect(refreshed.status).toBe(200);
    expect(idp.stats()).toMatchObject({ refreshes: 1, refreshFailures: 2, faultsApplied: 0 });

    const admin = await fetch(`${idp.url}/__admin/revoke-grants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: bob.id }),
    });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual({ revoked: 1 });
    expect(await token({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token! }, webAuth)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });
    const bad = await fetch(`${idp.url}/__admin/revoke-grants`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(400);
  });

  it('slows token requests down with a latency-only rule, which then proceed normally', async () => {
    const { tokens } = await webLogin();
    idp.setTokenFaults([{ grantType: 'refresh_token', latencyMs: 300, times: 1 }]);
    const started = performance.now();
    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, webAuth);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(refreshed.status).toBe(200);
    expect(idp.stats()).toMatchObject({ faultsApplied: 1, refreshes: 1, refreshFailures: 0 });
  });
});

describe('startSandbox and the IdP', () => {
  it('starts the IdP with the services and exposes its issuer', async () => {
    const sandbox = await startSandbox({ basePort: 0, services: ['customers'], idp: { accessTokenTtlSeconds: 60 } });
    try {
      expect(sandbox.idp).toBeDefined();
      const doc = (await (await fetch(`${sandbox.idp!.issuer}/.well-known/openid-configuration`)).json()) as { issuer: string };
      expect(doc.issuer).toBe(sandbox.idp!.issuer);
      expect(sandbox.idp!.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await sandbox.close();
    }
  });

  it('can run without it', async () => {
    const sandbox = await startSandbox({ basePort: 0, services: ['customers'], idp: false });
    try {
      expect(sandbox.idp).toBeUndefined();
    } finally {
      await sandbox.close();
    }
  });
});

describe('CookieJar', () => {
  const bff = 'http://127.0.0.1:3000/auth/callback';

  it('applies SameSite like a browser: Strict only same-site, Lax also on cross-site top-level GETs', () => {
    const jar = new CookieJar();
    jar.storeLine(bff, 'strict=1; Path=/; SameSite=Strict');
    jar.storeLine(bff, 'lax=1; Path=/; SameSite=Lax');
    jar.storeLine(bff, 'default=1; Path=/');
    expect(jar.header(bff)).toBe('strict=1; lax=1; default=1');
    expect(jar.header(bff, { crossSite: true })).toBe('lax=1; default=1');
    expect(jar.header(bff, { crossSite: true, method: 'POST' })).toBeUndefined();
  });

  it('enforces the __Host- prefix rules and refuses Secure cookies over plain http on non-loopback hosts', () => {
    const jar = new CookieJar();
    jar.storeLine(bff, '__Host-ok=1; Path=/; Secure; HttpOnly');
    jar.storeLine(bff, '__Host-nosecure=1; Path=/');
    jar.storeLine(bff, '__Host-domain=1; Path=/; Secure; Domain=127.0.0.1');
    jar.storeLine('http://shop.example.com/', 'sec=1; Path=/; Secure');
    expect(jar.get(bff, '__Host-ok')?.httpOnly).toBe(true);
    expect(jar.rejected.map((r) => r.setCookie.split('=')[0])).toEqual(['__Host-nosecure', '__Host-domain', 'sec']);
  });

  it('forgets expired cookies and honours paths', () => {
    const jar = new CookieJar();
    jar.storeLine(bff, 'a=1; Path=/auth');
    jar.storeLine(bff, 'b=1; Path=/');
    expect(jar.header('http://127.0.0.1:3000/api/x')).toBe('b=1');
    jar.storeLine(bff, 'b=; Path=/; Max-Age=0');
    expect(jar.header('http://127.0.0.1:3000/auth/x')).toBe('a=1');
  });
});
