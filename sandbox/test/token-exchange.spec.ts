import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  ACCESS_TOKEN_TOKEN_TYPE,
  API_RESOURCE,
  customerAccessToken,
  KNOWN_IDS,
  MOBILE_BFF_AUDIENCE,
  MOBILE_BFF_CLIENT_ID,
  MOBILE_BFF_DEV_SECRET,
  MOBILE_BFF_RESOURCE,
  PARTNER_GATEWAY_CLIENT_ID,
  PARTNER_GATEWAY_DEV_SECRET,
  startIdp,
  TOKEN_EXCHANGE_GRANT,
  type Idp,
} from '../src/index.ts';

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const MOBILE_BFF = basic(MOBILE_BFF_CLIENT_ID, MOBILE_BFF_DEV_SECRET);

describe('sandbox IdP: token exchange (RFC 8693)', () => {
  let idp: Idp;
  let tokenEndpoint: string;
  /** alice's mobile token (audience mobile-bff), as the app gets it: code + PKCE through the forms. */
  let mobileToken: string;

  beforeAll(async () => {
    idp = await startIdp({ accessTokenTtlSeconds: 300, exchangedTokenTtlSeconds: 90 });
    const discovery = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    tokenEndpoint = String(discovery['token_endpoint']);
    expect(discovery['grant_types_supported']).toContain(TOKEN_EXCHANGE_GRANT);
    mobileToken = await customerAccessToken(idp, KNOWN_IDS.customer, {
      resource: MOBILE_BFF_RESOURCE,
      scope: 'catalog:read cart:write orders:read',
    });
  });
  afterAll(() => idp?.close());

  async function exchange(
    params: Record<string, string | string[]>,
    authorization: string = MOBILE_BFF,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const body = new URLSearchParams({ grant_type: TOKEN_EXCHANGE_GRANT });
    for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) body.append(name, v);
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
      body,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const subject = (token = mobileToken) => ({ subject_token: token, subject_token_type: ACCESS_TOKEN_TOKEN_TYPE });

  it('issues an at+jwt for the retail API: same subject, act = mobile-bff, scope narrowed to what the subject holds', async () => {
    const { status, body } = await exchange({ ...subject(), resource: API_RESOURCE, scope: 'cart:write orders:read orders:write' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ issued_token_type: ACCESS_TOKEN_TOKEN_TYPE, token_type: 'Bearer', scope: 'cart:write orders:read' });
    const token = String(body['access_token']);
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt');
    const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
      issuer: idp.issuer,
      audience: API_RESOURCE,
      typ: 'at+jwt',
    });
    expect(payload).toMatchObject({ sub: KNOWN_IDS.customer, client_id: MOBILE_BFF_CLIENT_ID, act: { sub: MOBILE_BFF_CLIENT_ID } });
    expect(payload.scope).toBe('cart:write orders:read');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(90);
    expect(body['expires_in']).toBeLessThanOrEqual(90);
  });

  it('without scope, grants every exchangeable scope the subject holds; `audience` names the target too', async () => {
    const { status, body } = await exchange({ ...subject(), audience: API_RESOURCE });
    expect(status).toBe(200);
    expect(body['scope']).toBe('cart:write orders:read');
  });

  it('refuses scopes it may not exchange (catalog:read is not in the policy): invalid_scope', async () => {
    const { status, body } = await exchange({ ...subject(), resource: API_RESOURCE, scope: 'catalog:read orders:write' });
    expect(status).toBe(400);
    expect(body['error']).toBe('invalid_scope');
  });

  it('refuses other targets, and more than one: invalid_target', async () => {
    const targets: Record<string, string | string[]>[] = [
      { resource: MOBILE_BFF_RESOURCE },
      { audience: 'https://elsewhere.example' },
      { resource: [API_RESOURCE, MOBILE_BFF_RESOURCE] },
      { resource: API_RESOURCE, audience: MOBILE_BFF_RESOURCE },
    ];
    for (const params of targets) {
      const { status, body } = await exchange({ ...subject(), ...params });
      expect(status, JSON.stringify(params)).toBe(400);
      expect(body['error'], JSON.stringify(params)).toBe('invalid_target');
    }
  });

  it('refuses a subject token for another audience, expired, forged or malformed: invalid_grant', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: idp.issuer, sub: KNOWN_IDS.customer, aud: MOBILE_BFF_AUDIENCE, scope: 'cart:write', iat: now - 600 };
    const apiToken = await customerAccessToken(idp, KNOWN_IDS.customer, { scope: 'cart:write' });
    const tokens = [
      apiToken, // audience is the retail API, not mobile-bff
      idp.signJwt({ ...claims, exp: now - 60 }, { typ: 'at+jwt' }), // expired
      idp.signJwt({ ...claims, iss: 'https://other-idp.example', exp: now + 60 }, { typ: 'at+jwt' }),
      idp.signJwt({ ...claims, exp: now + 60 }, { typ: 'JWT' }), // an ID-token-like JWT, not an access token
      `${mobileToken.slice(0, -4)}AAAA`, // signature broken
      'not-a-jwt',
    ];
    for (const token of tokens) {
      const { status, body } = await exchange({ ...subject(token), resource: API_RESOURCE });
      expect(status).toBe(400);
      expect(body['error']).toBe('invalid_grant');
    }
  });

  it('never outlives the subject token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const shortLived = idp.signJwt(
      { iss: idp.issuer, sub: KNOWN_IDS.customer, aud: MOBILE_BFF_AUDIENCE, scope: 'orders:read', iat: now, exp: now + 20 },
      { typ: 'at+jwt' },
    );
    const { status, body } = await exchange({ ...subject(shortLived), resource: API_RESOURCE });
    expect(status).toBe(200);
    expect(body['expires_in']).toBeLessThanOrEqual(20);
  });

  it('refuses malformed requests (invalid_request) and clients without the grant or with a wrong secret (invalid_client)', async () => {
    expect((await exchange({ subject_token: mobileToken, resource: API_RESOURCE })).body['error']).toBe('invalid_request');
    expect((await exchange({ subject_token_type: ACCESS_TOKEN_TOKEN_TYPE, resource: API_RESOURCE })).body['error']).toBe('invalid_request');
    expect((await exchange({ ...subject(), requested_token_type: 'urn:ietf:params:oauth:token-type:id_token' })).body['error']).toBe(
      'invalid_request',
    );
    const partner = await exchange({ ...subject(), resource: API_RESOURCE }, basic(PARTNER_GATEWAY_CLIENT_ID, PARTNER_GATEWAY_DEV_SECRET));
    // oidc-provider answers a grant type the client is not registered for with invalid_request.
    expect(partner.body).toEqual({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
    const wrongSecret = await exchange({ ...subject(), resource: API_RESOURCE }, basic(MOBILE_BFF_CLIENT_ID, 'wrong'));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body['error']).toBe('invalid_client');
  });
});
