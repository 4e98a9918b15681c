import { createHash, randomBytes } from 'node:crypto';

import { KNOWN_IDS, loginViaForms, MOBILE_APP_CLIENT_ID, MOBILE_BFF_RESOURCE } from '../../sandbox/src/index.ts';
import { dpopProof, type DpopKey } from './dpop.js';

/** An OpenID provider, by its issuer (the sandbox IdP, or a proxy in front of it). */
export interface Issuer {
  readonly issuer: string;
}

export interface NativeAppTokens {
  readonly accessToken: string;
  readonly refreshToken: string | undefined;
  readonly scope: string;
  readonly expiresIn: number;
  /** `Bearer`, or `DPoP` for a key-bound token. */
  readonly tokenType: string;
}

export interface NativeAppLoginOptions {
  /** API scopes to ask for, e.g. 'catalog:read' ('openid' is always asked). */
  readonly scope: string;
  readonly email?: string;
  readonly password?: string;
  /** Resource indicator (RFC 8707); default: the mobile BFF. */
  readonly resource?: string;
  /** Sends a DPoP proof of this key to the token endpoint: the IdP binds the access token to it (cnf.jkt). */
  readonly dpop?: DpopKey;
}

async function discovery(idp: Issuer): Promise<{ authorization_endpoint: string; token_endpoint: string }> {
  const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`discovery answered ${res.status}`);
  return (await res.json()) as { authorization_endpoint: string; token_endpoint: string };
}

/**
 * What a native app does (RFC 8252): the authorization code flow with PKCE (S256) as the public
 * client `mobile-app`, the user signing in through the IdP's real login and consent forms, a
 * loopback redirect URI, then the code exchanged at the token endpoint with the code verifier.
 * Nothing is minted by hand: the access token is the IdP's. With `dpop`, the token request carries
 * a DPoP proof (RFC 9449 §5) and the IdP answers a DPoP-bound token (`token_type: DPoP`, `cnf.jkt`).
 */
export async function nativeAppLogin(idp: Issuer, options: NativeAppLoginOptions): Promise<NativeAppTokens> {
  const { authorization_endpoint, token_endpoint } = await discovery(idp);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const redirectUri = `http://127.0.0.1:${40_000 + Math.floor(Math.random() * 20_000)}/callback`;
  const resource = options.resource ?? MOBILE_BFF_RESOURCE;
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: MOBILE_APP_CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid ${options.scope}`.trim(),
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource,
  }).toString();

  const login = await loginViaForms({
    authorizeUrl: authorize,
    email: options.email ?? KNOWN_IDS.customerEmail,
    password: options.password ?? KNOWN_IDS.customerPassword,
    redirectUri,
  });
  if (!login.code || login.state !== state)
    throw new Error(`authorization failed: ${login.error ?? 'no code'} (state ${login.state === state ? 'ok' : 'mismatch'})`);

  const res = await fetch(token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      ...(options.dpop ? { dpop: await dpopProof(options.dpop, { htm: 'POST', htu: token_endpoint }) } : {}),
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: redirectUri,
      client_id: MOBILE_APP_CLIENT_ID,
      code_verifier: verifier,
      resource,
    }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`token request answered ${res.status}: ${JSON.stringify(body.error)}`);
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token as string | undefined,
    scope: typeof body.scope === 'string' ? body.scope : '',
    expiresIn: Number(body.expires_in),
    tokenType: String(body.token_type),
  };
}

/** The claims of a JWT, decoded without verification (to build forged variants in attack tests). */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
    signature,
  };
}

/** A client-credentials token straight from a token endpoint (attack material: real tokens for the wrong audience or issuer). */
export async function clientCredentialsToken(
  tokenEndpoint: string,
  client: { id: string; secret: string },
  params: { scope: string; resource: string },
): Promise<string> {
  const res = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  if (res.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`client credentials answered ${res.status}: ${JSON.stringify(body.error)}`);
  return body.access_token;
}

export const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
