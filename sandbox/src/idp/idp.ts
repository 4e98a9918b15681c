// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- oidc-provider ships no types; this makes ours visible to every program that reaches the sandbox
/// <reference path="./oidc-provider.d.ts" />
/**
 * Sandbox OpenID Connect provider (oidc-provider 9) for dev and tests: the seeded customers sign
 * in through server-rendered login and consent forms; its clients (web-bff, mobile-app, mobile-bff,
 * partner-gateway, platform-admin); token exchange (RFC 8693, token-exchange.ts); JWT access tokens with an audience (resource indicators); rotating refresh
 * tokens; revocation, RP-initiated logout and back-channel logout (to web-bff, when its URI is given).
 * Stats and token-endpoint faults for tests.
 */
import { createHash, createPrivateKey, generateKeyPairSync, sign, timingSafeEqual, type JsonWebKey } from 'node:crypto';
import { createServer, IncomingMessage, type Server, type ServerResponse } from 'node:http';

import Provider, { errors, type ClientLike, type KoaContextWithOIDC } from 'oidc-provider';

import { getSeedCustomers } from '../seed/data.ts';
import type { SeedCustomer } from '../seed/model.ts';
import {
  ACCOUNT_CLIENTS,
  ALLOWED_RESOURCES_BY_CLIENT,
  clientMetadata,
  DEFAULT_RESOURCE_BY_CLIENT,
  DEFAULT_WEB_POST_LOGOUT_REDIRECT_URIS,
  DEFAULT_WEB_REDIRECT_URIS,
  MOBILE_APP_REDIRECT_URIS,
  OIDC_SCOPES,
  RESOURCE_SERVERS,
  SESSION_ADMIN_RESOURCE,
} from './clients.ts';
import { MemoryAdapter } from './memory-adapter.ts';
import { actClaimOf, registerTokenExchange } from './token-exchange.ts';
import { consentPage, errorPage, loggedOutPage, loginPage, logoutPage } from './views.ts';

export interface StartIdpOptions {
  /** Listening address. Default `127.0.0.1`. */
  host?: string;
  /** Listening port; `0` (default) = ephemeral. */
  port?: number;
  /** Issuer identifier. Default `http://<host>:<port>` of the listening socket. */
  issuer?: string;
  /** Redirect URIs registered for the `web-bff` client (exact match). */
  webRedirectUris?: readonly string[];
  /** Post-logout redirect URIs registered for the `web-bff` client. */
  webPostLogoutRedirectUris?: readonly string[];
  /** Redirect URIs of the `mobile-app` client (loopback URIs match any port, RFC 8252). */
  mobileRedirectUris?: readonly string[];
  /**
   * web-bff's back-channel logout URI (`<web-bff>/auth/backchannel-logout`): when set, ending an IdP
   * session (RP-initiated logout, or `backchannelLogout(accountId)`) POSTs a logout token there, and
   * ID tokens carry `sid`. Loopback http is allowed (the sandbox only).
   */
  webBackchannelLogoutUri?: string;
  /** Lifetime of access tokens (user and client-credentials). Default 300 s. */
  accessTokenTtlSeconds?: number;
  /** Most lifetime of a token issued by token exchange (RFC 8693; never past the subject token's expiry). Default 120 s. */
  exchangedTokenTtlSeconds?: number;
  /** Lifetime of refresh tokens (renewed at each rotation). Default 86400 s. */
  refreshTokenTtlSeconds?: number;
  /** Lifetime of the IdP's own login session (SSO cookie). Default 86400 s. */
  sessionTtlSeconds?: number;
  /** Receives one line per internal IdP error. Default: silent. */
  log?: (line: string) => void;
}

export interface IdpStats {
  /** POST /token requests per grant_type (faulted ones included). */
  tokenRequests: Record<string, number>;
  /** Successful refresh_token grants. */
  refreshes: number;
  /** refresh_token grants answered with an error (faulted ones included). */
  refreshFailures: number;
  /** Successful / failed credential submissions on the login form. */
  logins: number;
  loginFailures: number;
  /** POST /token/revocation requests. */
  revocations: number;
  /** Completed RP-initiated logouts (end_session confirmed). */
  endSessions: number;
  /** Logout tokens delivered to a client's back-channel logout URI (answered 200/204), and those that failed. */
  backchannelLogouts: number;
  backchannelLogoutFailures: number;
  /** Token requests answered by an injected fault. */
  faultsApplied: number;
}

/**
 * Makes matching POST /token requests fail before the provider sees them (the token is not
 * consumed), or, with only `latencyMs`, just slows them down.
 */
export interface TokenFaultRule {
  /** Only requests with this grant_type. Default: every grant type. */
  grantType?: string;
  /** Apply to the next N matching requests only. Default: unlimited. */
  times?: number;
  /** Error status. Default 400 when `error` is given. */
  status?: number;
  /** OAuth error code. Default `invalid_grant` (400) or `server_error` (5xx). */
  error?: string;
  /** Delay before answering. Alone (no status, no error), the request then proceeds normally. */
  latencyMs?: number;
}

export interface Idp {
  /** Issuer identifier (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** Base URL of the listening socket. */
  readonly url: string;
  stats(): IdpStats;
  resetStats(): void;
  /**
   * Ends every grant of a user (as when they revoke the app's access, or an administrator blocks
   * the account): the refresh tokens issued under them are refused from now on with `invalid_grant`.
   * Returns how many grants ended.
   */
  revokeGrants(accountId: string): number;
  /**
   * Ends every IdP session of a user, as an administrator would: each client of those sessions with a
   * back-channel logout URI receives a logout token (sub and sid), then the sessions and their grants
   * end. Resolves to how many logout tokens were delivered (200/204).
   */
  backchannelLogout(accountId: string): Promise<{ sessions: number; delivered: number; failed: number }>;
  /**
   * Signs `payload` (RS256) with the IdP's own signing key, `header` merged over { alg, kid }: tokens
   * the provider would never issue (expired, for another audience, replayed...) for attack tests.
   */
  signJwt(payload: Record<string, unknown>, header?: Record<string, unknown>): string;
  /** Replaces the token-endpoint fault rules. */
  setTokenFaults(rules: readonly TokenFaultRule[]): void;
  clearTokenFaults(): void;
  /** Resets stats and faults. */
  reset(): void;
  close(): Promise<void>;
}

const FORM_LIMIT_BYTES = 16 * 1024;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const TOKEN_BODY_LIMIT_BYTES = 56 * 1024;
/** Cookie signing keys of the IdP's interaction/session cookies: a published sandbox value. */
const DEV_COOKIE_KEYS = ['sandbox-idp-dev-cookie-key-not-a-secret'];

let signingKey: JsonWebKey | undefined;

/**
 * The public half of the IdP's signing key as a JWKS: what `<issuer>/jwks` publishes. The sandbox's
 * own services verify tokens with it in-process (the key is per process, so every IdP shares it).
 */
export function idpPublicJwks(): { keys: JsonWebKey[] } {
  const { kty, n, e, kid, alg, use } = devSigningKey();
  return { keys: [{ kty, n, e, kid, alg, use }] };
}

/** One RSA signing key per process (RS256), identified by its RFC 7638 thumbprint. */
function devSigningKey(): JsonWebKey {
  if (signingKey) return signingKey;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = createHash('sha256')
    .update(JSON.stringify({ e: jwk.e, kty: jwk.kty, n: jwk.n }))
    .digest('base64url');
  signingKey = { ...jwk, kid: thumbprint, alg: 'RS256', use: 'sig' };
  return signingKey;
}

function signWithDevKey(payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const jwk = devSigningKey();
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', kid: jwk.kid, ...header })}.${encode(payload)}`;
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

function emptyStats(): IdpStats {
  return {
    tokenRequests: {},
    refreshes: 0,
    refreshFailures: 0,
    logins: 0,
    loginFailures: 0,
    revocations: 0,
    endSessions: 0,
    backchannelLogouts: 0,
    backchannelLogoutFailures: 0,
    faultsApplied: 0,
  };
}

function fullName(customer: SeedCustomer): string {
  return `${customer.givenName} ${customer.familyName}`;
}

function samePassword(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req.iterator({ destroyOnReturn: false })) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A fresh, unread request carrying `body`, so the provider can parse a body we already read. */
function replayRequest(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.complete = true;
  copy.push(body);
  copy.push(null);
  return copy;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  });
  res.end(html);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** Starts the IdP and resolves once it listens. */
export async function startIdp(options: StartIdpOptions = {}): Promise<Idp> {
  const host = options.host ?? '127.0.0.1';
  const accessTokenTtl = options.accessTokenTtlSeconds ?? 300;
  const refreshTokenTtl = options.refreshTokenTtlSeconds ?? 86_400;
  const sessionTtl = options.sessionTtlSeconds ?? 86_400;
  const exchangedTokenTtl = options.exchangedTokenTtlSeconds ?? 120;
  const log = options.log ?? (() => undefined);
  for (const [name, value] of Object.entries({ accessTokenTtl, refreshTokenTtl, sessionTtl, exchangedTokenTtl })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`startIdp: ${name} must be a positive integer (seconds)`);
  }

  const customers = getSeedCustomers();
  const byId = new Map(customers.map((c) => [c.id, c]));
  const byEmail = new Map(customers.map((c) => [c.email.toLowerCase(), c]));

  /** The `account` parameter of a token request, by the (replayed) request the provider handles. */
  const requestedAccounts = new WeakMap<IncomingMessage, string>();

  let stats = emptyStats();
  let faults: { rule: TokenFaultRule; remaining: number | undefined }[] = [];

  // The issuer contains the port, so the provider exists only once the socket listens.
  const ready: { handler?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server: Server = createServer((req, res) => {
    if (ready.handler) ready.handler(req, res);
    else sendJson(res, 503, { error: 'temporarily_unavailable' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}`;
  const issuer = (options.issuer ?? url).replace(/\/+$/, '');

  const adapter = MemoryAdapter.factory();
  const provider = new Provider(issuer, {
    adapter,
    clients: clientMetadata({
      webRedirectUris: options.webRedirectUris ?? DEFAULT_WEB_REDIRECT_URIS,
      webPostLogoutRedirectUris: options.webPostLogoutRedirectUris ?? DEFAULT_WEB_POST_LOGOUT_REDIRECT_URIS,
      mobileRedirectUris: options.mobileRedirectUris ?? MOBILE_APP_REDIRECT_URIS,
      webBackchannelLogoutUri: options.webBackchannelLogoutUri,
    }),
    // oidc-provider refuses outgoing requests to special-use addresses (SSRF protection); the sandbox
    // delivers logout tokens to BFFs on loopback, so loopback alone is let through, nothing else.
    fetch: (url: string | URL, init: RequestInit & { dispatcher?: unknown }) => {
      const { hostname } = new URL(url);
      if (LOOPBACK.has(hostname)) {
        const { dispatcher: _ssrfGuard, ...rest } = init;
        return fetch(url, rest);
      }
      return fetch(url, init);
    },
    jwks: { keys: [devSigningKey()] },
    cookies: { keys: DEV_COOKIE_KEYS },
    scopes: [...OIDC_SCOPES],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'locale'],
      email: ['email', 'email_verified'],
    },
    // Profile and email claims go into the ID token: access tokens are for the APIs (JWT with an
    // audience), so the userinfo endpoint is not how the BFF learns who signed in.
    conformIdTokenClaims: false,
    allowOmittingSingleRegisteredRedirectUri: false,
    pkce: { required: () => true },
    rotateRefreshToken: true,
    // Refresh tokens for every client allowed the grant. Without offline_access (the web BFF) they
    // expire with the IdP session, so an IdP logout also ends them.
    issueRefreshToken: (_ctx: unknown, client: ClientLike) => client.grantTypeAllowed('refresh_token'),
    findAccount: (_ctx: unknown, id: string) => {
      const customer = byId.get(id);
      if (!customer) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          email: customer.email,
          email_verified: true,
          name: fullName(customer),
          given_name: customer.givenName,
          family_name: customer.familyName,
          locale: customer.locale,
        }),
      };
    },
    // The partner gateway's `account` (stashed by token() below) becomes the `account` claim of its
    // client-credentials token; any other client naming one is refused.
    extraTokenClaims: (ctx: KoaContextWithOIDC, token: { kind: string; clientId?: string }) => {
      const act = actClaimOf(token);
      if (act !== undefined) return act;
      const account = requestedAccounts.get(ctx.req);
      if (account === undefined) return undefined;
      if (token.kind !== 'ClientCredentials' || !ACCOUNT_CLIENTS.has(token.clientId ?? '')) {
        throw new errors.InvalidRequest('the account parameter is only for partner client-credentials requests');
      }
      if (!byId.has(account)) throw new errors.InvalidRequest('unknown account');
      return { account };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // DPoP (RFC 9449): a token request carrying a DPoP proof gets a key-bound access token (cnf.jkt,
      // token_type DPoP); without one, a plain bearer token as before. Proofs: ES256, EdDSA, Ed25519.
      dPoP: { enabled: true },
      backchannelLogout: { enabled: true },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: ClientLike, token: { clientId: string }) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => {
          ctx.type = 'html';
          ctx.body = loggedOutPage(ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx: unknown, client: ClientLike | undefined, oneOf?: string[]) =>
          oneOf ?? (client ? DEFAULT_RESOURCE_BY_CLIENT[client.clientId] : undefined),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resourceIndicator: string, client?: ClientLike) => {
          const spec = RESOURCE_SERVERS[resourceIndicator];
          if (!spec) throw new errors.InvalidTarget();
          // The admin audience is the platform-admin client's alone, and that client gets nothing else.
          const allowed = client ? ALLOWED_RESOURCES_BY_CLIENT[client.clientId] : undefined;
          if (allowed ? !allowed.includes(resourceIndicator) : resourceIndicator === SESSION_ADMIN_RESOURCE)
            throw new errors.InvalidTarget();
          return {
            scope: spec.scopes.join(' '),
            audience: spec.audience,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    clientBasedCORS: () => false,
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPage(out.error, out.error_description);
    },
    ttl: {
      AccessToken: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      ClientCredentials: (_ctx: unknown, token: { resourceServer?: { accessTokenTTL?: number } }) =>
        token.resourceServer?.accessTokenTTL ?? accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3_600,
      Interaction: 600,
      RefreshToken: refreshTokenTtl,
      Session: sessionTtl,
      Grant: Math.max(refreshTokenTtl, sessionTtl),
    },
  });
  registerTokenExchange(provider, { jwks: idpPublicJwks(), ttlSeconds: Math.min(exchangedTokenTtl, accessTokenTtl) });
  provider.on('end_session.success', () => {
    stats.endSessions += 1;
  });
  provider.on('backchannel.success', () => {
    stats.backchannelLogouts += 1;
  });
  provider.on('backchannel.error', (_ctx: never, error: never) => {
    stats.backchannelLogoutFailures += 1;
    log(`idp: back-channel logout failed: ${String((error as Error)?.message ?? error)}`);
  });
  provider.on('server_error', (_ctx: never, error: never) => log(`idp: server error: ${String((error as Error)?.stack ?? error)}`));
  const oidc = provider.callback();

  const clientName = async (clientId: string): Promise<string> => {
    const client = await provider.Client.find(clientId);
    return (client?.['clientName'] as string | undefined) ?? clientId;
  };

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, action: string): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      sendHtml(res, 400, errorPage('invalid_request', 'interaction mismatch'));
      return;
    }
    const name = await clientName(details.params.client_id);
    const prompt = details.prompt.name;

    if (action === 'abort' && req.method === 'POST') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (action === '' && req.method === 'GET') {
      if (prompt === 'login') {
        sendHtml(res, 200, loginPage({ uid, clientName: name }));
        return;
      }
      if (prompt === 'consent') {
        const account = details.session ? byId.get(details.session.accountId) : undefined;
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
        const scopes = [
          ...new Set([...(missing.missingOIDCScope ?? []), ...Object.values(missing.missingResourceScopes ?? {}).flat()]),
        ].filter((s) => s !== 'openid');
        sendHtml(res, 200, consentPage({ uid, clientName: name, accountName: account ? fullName(account) : 'unknown', scopes }));
        return;
      }
      sendHtml(res, 400, errorPage('invalid_request', `unsupported prompt ${prompt}`));
      return;
    }
    if (action === 'login' && req.method === 'POST' && prompt === 'login') {
      const form = new URLSearchParams((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8'));
      const email = (form.get('email') ?? '').trim();
      const customer = byEmail.get(email.toLowerCase());
      if (!customer || !samePassword(form.get('password') ?? '', customer.password)) {
        stats.loginFailures += 1;
        sendHtml(res, 401, loginPage({ uid, clientName: name, email, error: 'Invalid email or password.' }));
        return;
      }
      stats.logins += 1;
      await provider.interactionFinished(req, res, { login: { accountId: customer.id } }, { mergeWithLastSubmission: false });
      return;
    }
    if (action === 'confirm' && req.method === 'POST' && prompt === 'consent') {
      await readBody(req, FORM_LIMIT_BYTES);
      const accountId = details.session?.accountId;
      if (!accountId) {
        sendHtml(res, 400, errorPage('invalid_request', 'no signed-in account'));
        return;
      }
      const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
      const grant = existing ?? new provider.Grant({ accountId, clientId: details.params.client_id });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
        grant.addResourceScope(indicator, scopes.join(' '));
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: existing ? {} : { grantId } }, { mergeWithLastSubmission: true });
      return;
    }
    sendHtml(res, 400, errorPage('invalid_request', 'unexpected interaction step'));
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, TOKEN_BODY_LIMIT_BYTES);
    const form = new URLSearchParams(body.toString('utf8'));
    const grantType = form.get('grant_type') ?? 'unknown';
    stats.tokenRequests[grantType] = (stats.tokenRequests[grantType] ?? 0) + 1;
    const fault = faults.find(
      ({ rule, remaining }) => (remaining === undefined || remaining > 0) && (rule.grantType === undefined || rule.grantType === grantType),
    );
    if (fault) {
      if (fault.remaining !== undefined) fault.remaining -= 1;
      stats.faultsApplied += 1;
      if (fault.rule.latencyMs) await new Promise((r) => setTimeout(r, fault.rule.latencyMs));
    }
    if (fault && (fault.rule.status !== undefined || fault.rule.error !== undefined)) {
      if (grantType === 'refresh_token') stats.refreshFailures += 1;
      const status = fault.rule.status ?? 400;
      sendJson(res, status, {
        error: fault.rule.error ?? (status >= 500 ? 'server_error' : 'invalid_grant'),
        error_description: 'injected by the sandbox IdP',
      });
      return;
    }
    if (grantType === 'refresh_token') {
      res.once('finish', () => {
        if (res.statusCode === 200) stats.refreshes += 1;
        else stats.refreshFailures += 1;
      });
    }
    const accounts = form.getAll('account');
    if (accounts.length > 0 && (grantType !== 'client_credentials' || accounts.length > 1 || accounts[0] === '')) {
      return sendJson(res, 400, {
        error: 'invalid_request',
        error_description: 'account: one non-empty value, with grant_type=client_credentials only',
      });
    }
    const replay = replayRequest(req, body);
    if (accounts[0] !== undefined) requestedAccounts.set(replay, accounts[0]);
    oidc(replay, res);
  }

  /** The same controls over HTTP, for an IdP in another process (CLI, dev stack). */
  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/__admin/stats' && req.method === 'GET') return sendJson(res, 200, stats);
    if (path === '/__admin/stats/reset' && req.method === 'POST') {
      stats = emptyStats();
      return sendJson(res, 200, stats);
    }
    if (path === '/__admin/token-faults' && req.method === 'POST') {
      const parsed = JSON.parse((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8') || '{}') as { rules?: unknown };
      if (!Array.isArray(parsed.rules))
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected { rules: TokenFaultRule[] }' });
      setFaults(parsed.rules as TokenFaultRule[]);
      return sendJson(res, 200, { rules: faults.map(({ rule, remaining }) => ({ ...rule, remaining: remaining ?? null })) });
    }
    if (path === '/__admin/revoke-grants' && req.method === 'POST') {
      const parsed = JSON.parse((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8') || '{}') as { accountId?: unknown };
      if (typeof parsed.accountId !== 'string' || parsed.accountId === '')
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected { accountId: string }' });
      return sendJson(res, 200, { revoked: adapter.revokeAccount(parsed.accountId) });
    }
    if (path === '/__admin/backchannel-logout' && req.method === 'POST') {
      const parsed = JSON.parse((await readBody(req, FORM_LIMIT_BYTES)).toString('utf8') || '{}') as { accountId?: unknown };
      if (typeof parsed.accountId !== 'string' || parsed.accountId === '')
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected { accountId: string }' });
      return sendJson(res, 200, await backchannelLogout(parsed.accountId));
    }
    if (path === '/__admin/token-faults' && req.method === 'DELETE') {
      faults = [];
      return sendJson(res, 200, { rules: [] });
    }
    return sendJson(res, 404, { error: 'not_found' });
  }

  /** Ends the user's IdP sessions with a logout token to each client of theirs that has a back-channel logout URI. */
  async function backchannelLogout(accountId: string): Promise<{ sessions: number; delivered: number; failed: number }> {
    const sessions = adapter.sessionsOf(accountId);
    let delivered = 0;
    let failed = 0;
    for (const session of sessions) {
      for (const [clientId, { sid }] of Object.entries(session.authorizations)) {
        const client = await provider.Client.find(clientId);
        if (!client?.['backchannelLogoutUri'] || !sid) continue;
        try {
          await client.backchannelLogout(accountId, sid);
          delivered += 1;
          stats.backchannelLogouts += 1;
        } catch (error) {
          failed += 1;
          stats.backchannelLogoutFailures += 1;
          log(`idp: back-channel logout to ${clientId} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      adapter.endSession(session.id);
    }
    adapter.revokeAccount(accountId);
    return { sessions: sessions.length, delivered, failed };
  }

  const setFaults = (rules: readonly TokenFaultRule[]): void => {
    faults = rules.map((rule) => ({ rule: { ...rule }, remaining: rule.times }));
  };

  ready.handler = (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const step = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(path);
    const work = async (): Promise<void> => {
      if (path === '/health' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
      if (path.startsWith('/__admin/')) return admin(req, res, path);
      if (step?.[1]) return interaction(req, res, step[1], step[2] ?? '');
      if (path === '/token' && req.method === 'POST') return token(req, res);
      if (path === '/token/revocation' && req.method === 'POST') stats.revocations += 1;
      oidc(req, res);
    };
    work().catch((error: unknown) => {
      const status = (error as { status?: number }).status;
      const name = (error as { name?: string }).name;
      if (name === 'SessionNotFound') {
        if (!res.headersSent) sendHtml(res, 400, errorPage('invalid_request', 'the sign-in request expired or is unknown; start again'));
        return;
      }
      log(`idp: ${req.method} ${path} failed: ${String((error as Error)?.stack ?? error)}`);
      if (!res.headersSent)
        sendHtml(res, status === 413 ? 413 : 500, errorPage('server_error', status === 413 ? 'request too large' : undefined));
      else res.destroy();
    });
  };

  let closing: Promise<void> | undefined;
  return {
    issuer,
    url,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    revokeGrants: (accountId) => adapter.revokeAccount(accountId),
    backchannelLogout,
    signJwt: signWithDevKey,
    setTokenFaults: setFaults,
    clearTokenFaults: () => {
      faults = [];
    },
    reset: () => {
      stats = emptyStats();
      faults = [];
    },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
