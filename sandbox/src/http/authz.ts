/**
 * Authorization of the services that hold customer data (customers, carts, orders), as a real
 * resource server does it (RFC 6750, RFC 9068): the relayed bearer token must be a JWT access token
 * (`typ: at+jwt`) signed by the sandbox IdP, issued by it, for the retail API audience, unexpired,
 * and carry the operation's scope. Its subject (a customer) or, for a partner client-credentials
 * token, its `account` claim, decides whose data it sees.
 */
import type { FastifyRequest } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';

import { ACCESS_TOKEN_TYPE, API_RESOURCE } from '../idp/clients.ts';
import { HttpProblem } from './problem.ts';

/** `jwt`: every call needs a valid token and sees its owner's data only; `off`: no checks (as before). */
export type AuthzMode = 'jwt' | 'off';

export const REALM = 'retail';

/** Who a verified token speaks for. */
export interface Principal {
  /** `sub`: the customer id of a user token, the client id of a client-credentials token. */
  readonly subject: string;
  readonly clientId: string | undefined;
  readonly scopes: ReadonlySet<string>;
  /**
   * The customer whose data the token may see: the `account` claim of a partner token, else the
   * subject of a user token; undefined for a client-credentials token bound to no account.
   */
  readonly customerId: string | undefined;
}

/** What a service asks of each request: a principal with `scope`, or undefined when authorization is off. */
export interface Authorizer {
  readonly mode: AuthzMode;
  require(request: FastifyRequest, scope: string): Promise<Principal | undefined>;
}

export interface JwtAuthorizerOptions {
  /** `iss` every token must carry (the IdP's issuer identifier). */
  readonly issuer: string;
  /** The IdP's public keys. */
  readonly jwks: JSONWebKeySet;
  /** `aud` every token must include. Default: the retail API resource. */
  readonly audience?: string;
}

const challenge = (params: Record<string, string> = {}): string =>
  ['Bearer realm="retail"', ...Object.entries(params).map(([name, value]) => `${name}="${value.replaceAll('"', "'")}"`)].join(', ');

/** 401 without an error code: the request carried no bearer token (RFC 6750 §3.1). */
export function missingToken(): HttpProblem {
  return new HttpProblem(401, 'a bearer access token is required', 'unauthorized', { 'www-authenticate': challenge() });
}

export function invalidToken(description: string): HttpProblem {
  return new HttpProblem(401, `the access token is not valid: ${description}`, 'invalid-token', {
    'www-authenticate': challenge({ error: 'invalid_token', error_description: description }),
  });
}

export function insufficientScope(scope: string): HttpProblem {
  return new HttpProblem(403, `the access token lacks the '${scope}' scope`, 'insufficient-scope', {
    'www-authenticate': challenge({ error: 'insufficient_scope', scope }),
  });
}

/** 403: a valid token asking for data of another customer. */
export function forbidden(detail: string): HttpProblem {
  return new HttpProblem(403, detail, 'forbidden');
}

export const AUTHZ_OFF: Authorizer = { mode: 'off', require: () => Promise.resolve(undefined) };

/** The bearer token of `Authorization`, or undefined when there is none (another scheme counts as none). */
function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  if (match === null) {
    if (/^Bearer(\s|$)/i.test(header)) throw invalidToken('malformed bearer credentials');
    return undefined;
  }
  return match[1];
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const claim = (error as { claim?: unknown }).claim;
      return typeof claim === 'string' ? `unexpected ${claim}` : 'unexpected claim';
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'signature not verified';
    default:
      return 'malformed token';
  }
}

function principalOf(payload: JWTPayload): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '') throw invalidToken('no subject');
  const clientId = typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined;
  const account = payload['account'];
  const scopes = new Set(typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : []);
  // oidc-provider sets sub = client_id on client-credentials tokens: such a token is no customer.
  const customerId = typeof account === 'string' && account !== '' ? account : subject === clientId ? undefined : subject;
  return { subject, clientId, scopes, customerId };
}

export function jwtAuthorizer(options: JwtAuthorizerOptions): Authorizer {
  const keys = createLocalJWKSet(options.jwks);
  const audience = options.audience ?? API_RESOURCE;
  return {
    mode: 'jwt',
    async require(request, scope) {
      const token = bearerOf(request);
      if (token === undefined) throw missingToken();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience,
          typ: ACCESS_TOKEN_TYPE,
          algorithms: ['RS256'],
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (error) {
        throw invalidToken(describe(error));
      }
      const principal = principalOf(payload);
      if (!principal.scopes.has(scope)) throw insufficientScope(scope);
      return principal;
    },
  };
}

/**
 * Throws 403 unless the principal may see `customerId`'s data (always allowed when authorization
 * is off, i.e. without a principal).
 */
export function requireOwner(principal: Principal | undefined, customerId: string, what: string): void {
  if (principal === undefined || principal.customerId === customerId) return;
  throw forbidden(`the access token may not access ${what}`);
}
