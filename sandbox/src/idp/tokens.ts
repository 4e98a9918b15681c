/**
 * Real access tokens of the sandbox IdP for tests and tools: nothing is minted by hand, each token
 * comes out of the IdP's own flows (the login and consent forms, or client credentials).
 */
import { createHash, randomBytes } from 'node:crypto';

import { getSeedCustomers } from '../seed/data.ts';
import { API_RESOURCE, MOBILE_APP_CLIENT_ID, PARTNER_GATEWAY_CLIENT_ID, PARTNER_GATEWAY_DEV_SECRET } from './clients.ts';
import { loginViaForms } from './login-driver.ts';

/** Every scope of the retail services that hold customer data. */
export const CUSTOMER_DATA_SCOPES = 'customers:read cart:write orders:read orders:write';

async function endpoints(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  return (await res.json()) as { authorization_endpoint: string; token_endpoint: string };
}

async function accessTokenOf(res: Response): Promise<string> {
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200 || typeof body['access_token'] !== 'string') {
    const text = (value: unknown): string => (typeof value === 'string' ? value : '');
    throw new Error(`token request answered ${res.status}: ${text(body['error'])} ${text(body['error_description'])}`.trim());
  }
  return body['access_token'];
}

export interface CustomerTokenOptions {
  /** API scopes (space-separated). Default: every customer-data scope. */
  readonly scope?: string;
  /** Resource indicator (the token's audience). Default: the retail API. */
  readonly resource?: string;
}

/**
 * A seeded customer's access token, as the native app obtains one: authorization code + PKCE as the
 * public client `mobile-app`, signing in with the customer's seeded credentials and consenting.
 */
export async function customerAccessToken(
  idp: { issuer: string },
  customerId: string,
  options: CustomerTokenOptions = {},
): Promise<string> {
  const customer = getSeedCustomers().find((c) => c.id === customerId);
  if (customer === undefined) throw new Error(`no seeded customer '${customerId}'`);
  const resource = options.resource ?? API_RESOURCE;
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const redirectUri = `http://127.0.0.1:${40_000 + Math.floor(Math.random() * 20_000)}/callback`;
  const { authorization_endpoint, token_endpoint } = await endpoints(idp.issuer);
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: MOBILE_APP_CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid ${options.scope ?? CUSTOMER_DATA_SCOPES}`.trim(),
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource,
  }).toString();
  const login = await loginViaForms({ authorizeUrl: authorize, email: customer.email, password: customer.password, redirectUri });
  if (login.code === undefined || login.state !== state) throw new Error(`authorization failed: ${login.error ?? 'no code'}`);
  const res = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: redirectUri,
      client_id: MOBILE_APP_CLIENT_ID,
      code_verifier: verifier,
      resource,
    }),
  });
  return accessTokenOf(res);
}

export interface PartnerTokenOptions {
  /** The customer account the token acts for (its `account` claim); none when omitted. */
  readonly account?: string;
  /** Default `orders:read orders:write`. */
  readonly scope?: string;
}

/** The partner gateway's client-credentials token for the retail API, bound to `account`. */
export async function partnerAccessToken(idp: { issuer: string }, options: PartnerTokenOptions = {}): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    scope: options.scope ?? 'orders:read orders:write',
    resource: API_RESOURCE,
  });
  if (options.account !== undefined) body.set('account', options.account);
  const res = await fetch((await endpoints(idp.issuer)).token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(`${PARTNER_GATEWAY_CLIENT_ID}:${PARTNER_GATEWAY_DEV_SECRET}`).toString('base64')}`,
    },
    body,
  });
  return accessTokenOf(res);
}
