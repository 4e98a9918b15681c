/**
 * OAuth 2.0 Token Exchange (RFC 8693) for the sandbox IdP, registered through oidc-provider's public
 * `registerGrantType`. A client listed in TOKEN_EXCHANGE_POLICIES (mobile-bff) trades an access token
 * this IdP issued for its own audience (the caller's mobile token) for a short-lived `at+jwt` for the
 * retail API: same `sub`, scope = requested ∩ policy ∩ subject token's scope, `act: { sub: <client> }`
 * (RFC 8693 §4.1: who acts for the subject). Nothing else is exchanged: every refusal is an OAuth error.
 */
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';

import { ACCESS_TOKEN_TOKEN_TYPE, ACCESS_TOKEN_TYPE, RESOURCE_SERVERS, TOKEN_EXCHANGE_GRANT, TOKEN_EXCHANGE_POLICIES } from './clients.ts';

/** Request parameters of the grant (RFC 8693 §2.1); `resource` and `audience` may repeat (refused below unless one value). */
const PARAMETERS = [
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'resource',
  'audience',
  'scope',
];

export interface TokenExchangeOptions {
  /** The IdP's public keys: the subject token's signature is checked with them. */
  readonly jwks: JSONWebKeySet;
  /** Most seconds an exchanged token lives (never past the subject token's own expiry). */
  readonly ttlSeconds: number;
}

/** `act` of an exchanged token, read back by the extraTokenClaims hook (the token model carries no custom fields). */
const ACTORS = new WeakMap<object, string>();

/** The `act` claim for an access token this grant issued, else undefined. */
export function actClaimOf(token: object): { act: { sub: string } } | undefined {
  const actor = ACTORS.get(token);
  return actor === undefined ? undefined : { act: { sub: actor } };
}

/** A parameter's one value (oidc-provider parses the form: strings, arrays for parameters allowed to repeat). */
function single(ctx: KoaContextWithOIDC, name: string): string | undefined {
  const value = ctx.oidc.params?.[name];
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    if (value.length !== 1) throw new errors.InvalidTarget(`only one ${name} value is supported`);
    return typeof value[0] === 'string' ? value[0] : undefined;
  }
  return typeof value === 'string' ? value : undefined;
}

export function registerTokenExchange(provider: Provider, options: TokenExchangeOptions): void {
  const keys = createLocalJWKSet(options.jwks);

  const handler = async (ctx: KoaContextWithOIDC): Promise<void> => {
    const client = ctx.oidc.client;
    const policy = client ? TOKEN_EXCHANGE_POLICIES[client.clientId] : undefined;
    if (!client || !policy) throw new errors.UnauthorizedClient('this client may not exchange tokens');

    const subjectToken = single(ctx, 'subject_token');
    if (!subjectToken) throw new errors.InvalidRequest('missing required parameter subject_token');
    if (single(ctx, 'subject_token_type') !== ACCESS_TOKEN_TOKEN_TYPE)
      throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TOKEN_TYPE}`);
    if (single(ctx, 'actor_token') !== undefined) throw new errors.InvalidRequest('actor_token is not supported');
    const requestedType = single(ctx, 'requested_token_type');
    if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TOKEN_TYPE)
      throw new errors.InvalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TOKEN_TYPE}`);

    // The target: `resource` or `audience` (RFC 8693 §2.1), at most one value, and only the policy's resource.
    const resource = single(ctx, 'resource');
    const audience = single(ctx, 'audience');
    const target = resource ?? audience ?? policy.resource;
    if ((resource !== undefined && audience !== undefined && resource !== audience) || target !== policy.resource)
      throw new errors.InvalidTarget('this client may exchange tokens only for its configured resource');
    const server = RESOURCE_SERVERS[target];
    if (!server) throw new errors.InvalidTarget();

    let subject: JWTPayload;
    try {
      ({ payload: subject } = await jwtVerify(subjectToken, keys, {
        issuer: provider.issuer,
        audience: policy.subjectAudience,
        typ: ACCESS_TOKEN_TYPE,
        algorithms: ['RS256'],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch {
      // InvalidGrant's description is generic; the reason is not told to the client.
      throw new errors.InvalidGrant('subject_token is not a valid access token for this client');
    }
    const sub = subject.sub!;
    if (sub === subject['client_id']) throw new errors.InvalidGrant('subject_token names no user');

    const granted = new Set(typeof subject['scope'] === 'string' ? subject['scope'].split(' ').filter(Boolean) : []);
    const allowed = policy.scopes.filter((scope) => granted.has(scope) && server.scopes.includes(scope));
    const requested = single(ctx, 'scope')?.split(' ').filter(Boolean);
    const scopes = requested === undefined ? allowed : requested.filter((scope) => allowed.includes(scope));
    if (scopes.length === 0) throw new errors.InvalidScope('no requested scope may be exchanged', requested?.join(' ') ?? '');

    const lifetime = Math.min(options.ttlSeconds, subject.exp! - Math.floor(Date.now() / 1000));
    if (lifetime < 1) throw new errors.InvalidGrant('subject_token expires now');

    const token = new provider.AccessToken({
      accountId: sub,
      client,
      gty: TOKEN_EXCHANGE_GRANT,
      scope: scopes.join(' '),
      expiresIn: lifetime,
      resourceServer: new provider.ResourceServer(target, {
        scope: server.scopes.join(' '),
        audience: server.audience,
        accessTokenTTL: lifetime,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    });
    ACTORS.set(token, client.clientId);
    ctx.oidc.entity('AccessToken', token);
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: token.expiration,
      scope: token.scope,
    };
  };

  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, handler, PARAMETERS, ['resource', 'audience']);
}
