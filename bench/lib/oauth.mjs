// Real credentials for the authenticated scenarios, obtained the way clients obtain them — nothing
// is minted by hand.
import { createHash, randomBytes } from 'node:crypto';

/**
 * A mobile access token from the sandbox IdP, as the native app gets one (RFC 8252): authorization
 * code flow with PKCE (S256) as the public client `mobile-app`, the seed customer signing in
 * through the IdP's login and consent forms, a loopback redirect URI, then the code exchange.
 */
export async function mobileAccessToken(issuer, { scope = 'catalog:read' } = {}) {
  // Loaded only when a scenario needs it: the sandbox's form driver and client constants.
  const { KNOWN_IDS, loginViaForms, MOBILE_APP_CLIENT_ID, MOBILE_BFF_RESOURCE } = await import('../../sandbox/src/index.ts');
  const discovery = await fetch(`${issuer}/.well-known/openid-configuration`);
  if (!discovery.ok) throw new Error(`IdP discovery answered ${discovery.status}`);
  const { authorization_endpoint, token_endpoint } = await discovery.json();

  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const redirectUri = 'http://127.0.0.1:49152/callback'; // loopback: any port matches (RFC 8252); never contacted
  const authorize = new URL(authorization_endpoint);
  authorize.search = new URLSearchParams({
    client_id: MOBILE_APP_CLIENT_ID,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: `openid ${scope}`,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource: MOBILE_BFF_RESOURCE,
  }).toString();
  const login = await loginViaForms({
    authorizeUrl: authorize,
    email: KNOWN_IDS.customerEmail,
    password: KNOWN_IDS.customerPassword,
    redirectUri,
  });
  if (!login.code || login.state !== state) throw new Error(`IdP authorization failed: ${login.error ?? 'no code'}`);

  const res = await fetch(token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: login.code,
      redirect_uri: redirectUri,
      client_id: MOBILE_APP_CLIENT_ID,
      code_verifier: verifier,
      resource: MOBILE_BFF_RESOURCE,
    }),
  });
  const body = await res.json();
  if (res.status !== 200 || typeof body.access_token !== 'string')
    throw new Error(`IdP token request answered ${res.status}: ${JSON.stringify(body.error)}`);
  return body.access_token;
}

/** A partner API key in the platform's format (`bffpk_<id>_<secret>`) and its PARTNER_API_KEYS record (`account`: the customer account it orders for). */
export function partnerApiKey({ partner = 'bench-partner', scopes = ['catalog:read'], account } = {}) {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const id = Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('');
  const key = `bffpk_${id}_${randomBytes(32).toString('base64url')}`;
  const record = {
    id,
    partner,
    scopes,
    sha256: createHash('sha256').update(key, 'utf8').digest('hex'),
    ...(account === undefined ? {} : { account }),
  };
  return { key, record };
}
