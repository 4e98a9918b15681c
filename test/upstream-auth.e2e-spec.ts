import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import {
  clientCredentialsEnv,
  ClientCredentialsError,
  ClientCredentialsTokens,
  CurrentUser,
  jwtAuthEnv,
  JwtAuthModule,
  rateLimitEnv,
  RateLimitModule,
  UpstreamAuthModule,
} from '@bff/auth';
import { CoreModule, createPlatformApp, defineApp, Protected, type Identity } from '@bff/core';
import { InjectUpstream, UpstreamClient, upstreamEnv, UpstreamModule, type UpstreamDefinition } from '@bff/upstream';

import {
  API_RESOURCE,
  KNOWN_IDS,
  PARTNER_GATEWAY_CLIENT_ID,
  PARTNER_GATEWAY_DEV_SECRET,
  startIdp,
  startSandbox,
  type Idp,
  type Sandbox,
} from '../sandbox/src/index.ts';
import { nativeAppLogin } from './support/oauth.js';
import { appEnv, expectProblem, upstreamEnvFor } from './support/stack.js';

describe('ClientCredentialsTokens against the real sandbox IdP (partner-gateway client)', () => {
  let idp: Idp;
  const tokens = (overrides: { clientSecret?: string } = {}) =>
    new ClientCredentialsTokens({
      issuer: idp.issuer,
      clientId: PARTNER_GATEWAY_CLIENT_ID,
      clientSecret: overrides.clientSecret ?? PARTNER_GATEWAY_DEV_SECRET,
    });
  const requests = () => idp.stats().tokenRequests.client_credentials ?? 0;

  beforeAll(async () => {
    // Short-lived tokens so that refresh-before-expiry is observable.
    idp = await startIdp({ accessTokenTtlSeconds: 4 });
  });
  afterAll(() => idp?.close());
  afterEach(() => idp.reset());

  it('20 concurrent callers share one token request; the token is cached afterwards', async () => {
    const source = tokens();
    const all = await Promise.all(Array.from({ length: 20 }, () => source.token({ scope: 'catalog:read', audience: API_RESOURCE })));
    expect(requests()).toBe(1);
    expect(new Set(all).size).toBe(1);
    const claims = decodeJwt(all[0]);
    expect(claims).toMatchObject({ sub: PARTNER_GATEWAY_CLIENT_ID, aud: API_RESOURCE, scope: 'catalog:read', iss: idp.issuer });
    expect(await source.token({ scope: 'catalog:read', audience: API_RESOURCE })).toBe(all[0]);
    expect(requests()).toBe(1);
    // Another scope is another token.
    const orders = await source.token({ scope: 'orders:read', audience: API_RESOURCE });
    expect(decodeJwt(orders).scope).toBe('orders:read');
    expect(requests()).toBe(2);
  });

  it('requests and caches one token per account, carrying it as the account claim', async () => {
    const source = tokens();
    const request = (account: string) => source.token({ scope: 'orders:read', audience: API_RESOURCE, account });
    const [alice, alsoAlice, platinum] = await Promise.all([
      request(KNOWN_IDS.customer),
      request(KNOWN_IDS.customer),
      request(KNOWN_IDS.customerPlatinum),
    ]);
    expect(alsoAlice).toBe(alice);
    expect(decodeJwt(alice)).toMatchObject({ account: KNOWN_IDS.customer, scope: 'orders:read' });
    expect(decodeJwt(platinum)).toMatchObject({ account: KNOWN_IDS.customerPlatinum });
    expect(requests()).toBe(2);
    expect(await request(KNOWN_IDS.customer)).toBe(alice);
    expect(requests()).toBe(2);
    // The IdP binds only accounts it knows.
    await expect(request(KNOWN_IDS.customerUnknown)).rejects.toThrow(/answered 400 \(invalid_request\)/);
  });

  it('refreshes shortly before expiry, single-flight, and keeps the old token when a refresh fails', async () => {
    const source = tokens();
    const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    // 4 s tokens are refreshed in their last 20% (0.8 s): aim at the middle of that window.
    const first = await source.token({ scope: 'catalog:read' });
    const firstAt = Date.now();
    await sleepUntil(firstAt + 3_600);
    const refreshed = await Promise.all(Array.from({ length: 10 }, () => source.token({ scope: 'catalog:read' })));
    const refreshedAt = Date.now();
    expect(new Set(refreshed).size).toBe(1);
    expect(refreshed[0]).not.toBe(first);
    expect(requests()).toBe(2);

    await sleepUntil(refreshedAt + 3_600);
    idp.setTokenFaults([{ grantType: 'client_credentials', status: 503 }]);
    // The refresh fails, but the current token is still valid for a few hundred ms: it is served.
    expect(await source.token({ scope: 'catalog:read' })).toBe(refreshed[0]);
    await sleepUntil(refreshedAt + 4_300);
    // Now it has expired: the failure surfaces (held for 1 s, so the IdP is not hammered).
    await expect(source.token({ scope: 'catalog:read' })).rejects.toBeInstanceOf(ClientCredentialsError);
    expect(requests()).toBe(3);
  });

  it("a caller's abort ends only its own wait; the shared request completes for the others", async () => {
    const source = tokens();
    const controller = new AbortController();
    const impatient = source.token({ scope: 'catalog:read' }, controller.signal);
    const patient = source.token({ scope: 'catalog:read' });
    controller.abort(new Error('section budget spent'));
    await expect(impatient).rejects.toThrow('section budget spent');
    expect(decodeJwt(await patient).sub).toBe(PARTNER_GATEWAY_CLIENT_ID);
    expect(requests()).toBe(1);
  });

  it('reports a refused client without leaking its secret', async () => {
    const error = await tokens({ clientSecret: 'wrong-secret' })
      .token({ scope: 'catalog:read' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientCredentialsError);
    expect((error as Error).message).toMatch(/answered 401 \(invalid_client\)/);
    expect((error as Error).message).not.toContain('wrong-secret');
  });
});

/** A relay upstream (customers, declared like the retail lib's) and a client-credentials one, called from protected routes. */
const USER_DATA_UPSTREAM: UpstreamDefinition = { name: 'customers', timeoutMs: 800, connections: 32, auth: 'relay' };
const SERVICE_UPSTREAM: UpstreamDefinition = {
  name: 'catalog',
  timeoutMs: 1_500,
  auth: 'client-credentials',
  clientCredentials: { scope: 'catalog:read', audience: API_RESOURCE },
  retry: false,
};

@Controller('test')
class TokenFlowController {
  constructor(
    @InjectUpstream('customers') private readonly customers: UpstreamClient,
    @InjectUpstream('catalog') private readonly catalog: UpstreamClient,
  ) {}

  @Get('me')
  @Protected('jwt', ['customers:read'])
  me(@CurrentUser() user: Identity): Promise<unknown> {
    return this.customers.getJson(`/customers/${encodeURIComponent(user.subject)}`);
  }

  /** Any customer's record: the upstream itself decides whether the relayed token may read it. */
  @Get('customer')
  @Protected('jwt', [])
  customer(): Promise<unknown> {
    return this.customers.getJson(`/customers/${KNOWN_IDS.customerPlatinum}`);
  }

  @Get('product')
  @Protected('jwt', [])
  product(): Promise<unknown> {
    return this.catalog.getJson(`/products/${KNOWN_IDS.product}`);
  }
}

const TOKEN_FLOW_APP = defineApp({
  name: 'token-flow-test',
  title: 'token flow',
  description: 'relay and client credentials through UpstreamTokenSource',
  version: '0',
  defaultPort: 0,
  env: [upstreamEnv([USER_DATA_UPSTREAM, SERVICE_UPSTREAM]), jwtAuthEnv, rateLimitEnv, clientCredentialsEnv],
});

@Module({
  imports: [
    CoreModule.forRoot({ app: TOKEN_FLOW_APP }),
    UpstreamModule.forRoot({ upstreams: [USER_DATA_UPSTREAM, SERVICE_UPSTREAM] }),
    RateLimitModule.forRoot(),
    JwtAuthModule.forRoot(),
    UpstreamAuthModule.forRoot({ clientCredentials: true }),
  ],
  controllers: [TokenFlowController],
})
class TokenFlowModule {}

describe('UpstreamAuthModule: token relay and client credentials through real upstream calls', () => {
  let sandbox: Sandbox;
  let app: NestFastifyApplication;
  let url: string;
  let userToken: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ basePort: 0, profile: 'test' });
    app = await createPlatformApp(TokenFlowModule, TOKEN_FLOW_APP, {
      env: appEnv({
        LOG_LEVEL: 'silent',
        ...upstreamEnvFor(sandbox),
        JWT_ISSUER: sandbox.idp!.issuer,
        // The app is a resource server of the retail API: the token it relays is valid upstream too.
        JWT_AUDIENCE: API_RESOURCE,
        UPSTREAM_AUTH_ISSUER: sandbox.idp!.issuer,
        UPSTREAM_AUTH_CLIENT_ID: PARTNER_GATEWAY_CLIENT_ID,
        UPSTREAM_AUTH_CLIENT_SECRET: PARTNER_GATEWAY_DEV_SECRET,
      }),
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    userToken = (await nativeAppLogin(sandbox.idp!, { scope: 'customers:read', resource: API_RESOURCE })).accessToken;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it("relays the caller's verified bearer token to a relay upstream, and only there", async () => {
    await sandbox.admin.resetStats();
    const res = await fetch(`${url}/test/me`, { headers: { authorization: `Bearer ${userToken}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(KNOWN_IDS.customer);
    expect((await sandbox.admin.stats('customers')).lastHeaders.authorization).toBe(`Bearer ${userToken}`);
  });

  it("answers the upstream's refusal of the relayed token (another customer's record: 403) as a 502 problem that leaks nothing", async () => {
    const res = await fetch(`${url}/test/customer`, { headers: { authorization: `Bearer ${userToken}` } });
    const body = await expectProblem(res, 502, 'upstream-error');
    expect(JSON.stringify(body)).not.toMatch(/forbidden|customers\/|c-0003|retail/);
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('sends the app its own client-credentials token, one token request for 20 concurrent calls', async () => {
    sandbox.idp!.resetStats();
    await sandbox.admin.resetStats();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${url}/test/product`, { headers: { authorization: `Bearer ${userToken}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 200));
    expect(sandbox.idp!.stats().tokenRequests.client_credentials).toBe(1);
    const sent = (await sandbox.admin.stats('catalog')).lastHeaders.authorization as string;
    expect(sent).toMatch(/^Bearer /);
    expect(sent).not.toBe(`Bearer ${userToken}`);
    expect(decodeJwt(sent.slice(7))).toMatchObject({ sub: PARTNER_GATEWAY_CLIENT_ID, aud: API_RESOURCE, scope: 'catalog:read' });
  });
});
