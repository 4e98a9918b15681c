import type { NestFastifyApplication } from '@nestjs/platform-fastify';

import { createPlatformApp, type TracingOptions } from '@bff/core';

import { WEB_BFF } from '../../apps/web-bff/src/web-bff.definition.js';
import { WebBffModule } from '../../apps/web-bff/src/web-bff.module.js';
import {
  CookieJar,
  DEV_PASSWORD,
  KNOWN_IDS,
  loginViaForms,
  startSandbox,
  WEB_BFF_CLIENT_ID,
  WEB_BFF_DEV_SECRET,
  type Idp,
  type LoginViaFormsResult,
  type Sandbox,
} from '../../sandbox/src/index.ts';
import { freePort, isAddressInUse } from './process.js';
import { appEnv, isolatedRedisNamespaces, upstreamEnvFor } from './stack.js';

/** The origin the SPA is served from in these tests (CORS allowlist). */
export const SPA_ORIGIN = 'https://shop.example.com';
export const PROD_SESSION_COOKIE = '__Host-bff-session';
export const PROD_LOGIN_COOKIE = '__Host-bff-login';

export { WEB_AUTH_OFFLINE_ENV } from './web-auth-env.js';

/** The env that points one web-bff instance at the sandbox IdP. */
export function webAuthEnv(idp: Idp, appUrl: string): Record<string, string> {
  return {
    OIDC_ISSUER_URL: idp.issuer,
    OIDC_CLIENT_ID: WEB_BFF_CLIENT_ID,
    OIDC_CLIENT_SECRET: WEB_BFF_DEV_SECRET,
    OIDC_REDIRECT_URI: `${appUrl}/auth/callback`,
    OIDC_POST_LOGOUT_REDIRECT_URI: `${appUrl}/`,
  };
}

export interface WebInstance {
  readonly url: string;
  readonly app: NestFastifyApplication;
}

export interface WebAuthStack {
  readonly sandbox: Sandbox;
  readonly idp: Idp;
  readonly instances: readonly WebInstance[];
  /** URL of the first instance. */
  readonly url: string;
  close(): Promise<void>;
}

export interface WebAuthStackOptions {
  /** How many web-bff instances (they share the sandbox, the IdP and, with REDIS_URL, Redis). Default 1. */
  readonly instances?: number;
  /** Access-token lifetime at the IdP. Default 300 s. */
  readonly accessTokenTtlSeconds?: number;
  /** Extra env for every instance. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The IdP's issuer, when it is reached through another address (a proxy in front of it). Default: its own URL. */
  readonly idpIssuer?: string;
  /** Runs once the sandbox and its IdP listen, before the instances boot (e.g. to point a proxy at the IdP). */
  readonly onSandboxStarted?: (sandbox: Sandbox) => void | Promise<void>;
  /** Tracing for the (single) instance, e.g. an in-memory span exporter. */
  readonly tracing?: TracingOptions;
  /** Register the first instance's /auth/backchannel-logout at the IdP (logout tokens go there). Default false. */
  readonly backchannelLogout?: boolean;
}

/**
 * The real sandbox (upstreams + OpenID provider) and N real web-bff instances on loopback. The
 * instances' ports are picked first, because the IdP must know each instance's redirect URI.
 */
export async function startWebAuthStack(options: WebAuthStackOptions = {}): Promise<WebAuthStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWebAuthStackOnce(options);
    } catch (error) {
      // A port picked for an instance was taken before the instance listened: start over with new ports.
      if (attempt < 3 && isAddressInUse(error)) continue;
      throw error;
    }
  }
}

async function startWebAuthStackOnce(options: WebAuthStackOptions): Promise<WebAuthStack> {
  const count = options.instances ?? 1;
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const sandbox = await startSandbox({
    basePort: 0,
    profile: 'test',
    idp: {
      ...(options.idpIssuer === undefined ? {} : { issuer: options.idpIssuer }),
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
      webRedirectUris: urls.map((url) => `${url}/auth/callback`),
      webPostLogoutRedirectUris: urls.map((url) => `${url}/`),
      ...(options.backchannelLogout ? { webBackchannelLogoutUri: `${urls[0]}/auth/backchannel-logout` } : {}),
    },
  });
  const idp = sandbox.idp;
  const instances: WebInstance[] = [];
  try {
    if (!idp) throw new Error('the sandbox started without its IdP');
    await options.onSandboxStarted?.(sandbox);
    // One namespace per stack, shared by its instances; a suite about state across stacks passes its own prefixes.
    const namespaces = isolatedRedisNamespaces();
    for (const [i, url] of urls.entries()) {
      const app = await createPlatformApp(WebBffModule, WEB_BFF, {
        env: appEnv({
          LOG_LEVEL: 'silent',
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          CORS_ORIGINS: SPA_ORIGIN,
          // Suites sign in far more often than a user; the sign-in budget has suites of its own.
          AUTH_LOGIN_RATE_LIMIT: '100000',
          ...namespaces,
          ...upstreamEnvFor(sandbox),
          ...webAuthEnv(idp, url),
          ...options.env,
        }),
        tracing: options.tracing,
      });
      instances.push({ url, app });
      await app.listen({ port: ports[i] ?? 0, host: '127.0.0.1' });
    }
  } catch (error) {
    await Promise.allSettled(instances.map((instance) => instance.app.close()));
    await sandbox.close();
    throw error;
  }
  const [first] = instances;
  if (!first) throw new Error('startWebAuthStack: at least one instance');
  return {
    sandbox,
    idp,
    instances,
    url: first.url,
    async close() {
      await Promise.allSettled(instances.map((instance) => instance.app.close()));
      await sandbox.close();
    },
  };
}

export interface BrowserLogin extends LoginViaFormsResult {
  /** The session cookie value the callback set (undefined when the login failed). */
  readonly sessionId: string | undefined;
}

/**
 * Signs in like a browser: the SPA navigates to `<app>/auth/login`, the user fills the IdP's real
 * forms, the IdP redirects back (cross-site) to `/auth/callback`. Stops after the callback.
 */
export async function browserLogin(
  appUrl: string,
  jar: CookieJar,
  options: { returnTo?: string; email?: string; password?: string; cookieName?: string; consent?: 'allow' | 'deny' } = {},
): Promise<BrowserLogin> {
  const start = new URL('/auth/login', appUrl);
  if (options.returnTo !== undefined) start.searchParams.set('returnTo', options.returnTo);
  const result = await loginViaForms({
    authorizeUrl: start,
    email: options.email ?? KNOWN_IDS.customerEmail,
    password: options.password ?? DEV_PASSWORD,
    cookieJar: jar,
    consent: options.consent,
    initiatorOrigin: new URL(appUrl).origin,
    stopAfter: (url) => url.origin === new URL(appUrl).origin && url.pathname === '/auth/callback',
  });
  return { ...result, sessionId: jar.get(appUrl, options.cookieName ?? PROD_SESSION_COOKIE)?.value };
}

/**
 * A same-site fetch by the SPA (not a navigation): the jar's cookies for `url`, `X-CSRF: 1`
 * unless `csrf: false`, and the response's Set-Cookie stored back.
 */
export async function spaFetch(
  jar: CookieJar,
  url: string,
  init: { method?: string; csrf?: boolean; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Response> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.csrf ?? true) headers['x-csrf'] = '1';
  const cookie = jar.header(url, { crossSite: false, topLevel: false, method });
  if (cookie) headers.cookie = cookie;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  jar.store(url, res);
  return res;
}

/** The Set-Cookie lines of the login cookies (`__Host-bff-login-<suffix>`) in a response. */
export function loginCookieLines(res: Response): string[] {
  return res.headers.getSetCookie().filter((line) => line.startsWith(`${PROD_LOGIN_COOKIE}-`));
}

/** The login cookies (`__Host-bff-login-<suffix>`) a jar holds for `url`. */
export function jarLoginCookies(jar: CookieJar, url: string): Array<{ name: string; value: string }> {
  return jar
    .cookiesFor(url, { crossSite: false, topLevel: true, method: 'GET' })
    .filter((cookie) => cookie.name.startsWith(`${PROD_LOGIN_COOKIE}-`));
}

/** The Set-Cookie line of `name` in a response. */
export function setCookieLine(res: Response, name: string): string | undefined {
  return res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
}

/** The claims of a JWT, without verifying it (tests inspect what an upstream received). */
export function jwtClaims(token: string): Record<string, unknown> {
  const [, payload = ''] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
