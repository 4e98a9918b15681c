#!/usr/bin/env node
// `npm start`: the sandbox upstreams plus every app of nest-cli.json, built, with in-memory defaults (no Redis).
// Prints every URL; Ctrl-C (or SIGTERM) stops everything cleanly and leaves no orphan process.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildPortal, PORTAL_DIR, servePortal } from './portal.ts';
import { problemPages } from './problem-catalogue.mjs';
import { PRODUCTION_NODE_FLAGS } from './production-node-flags.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const basePort = Number(process.env.SANDBOX_BASE_PORT ?? 4100);
// The docs portal (README "Docs portal"): built from openapi/*.json and served on its own port; the apps'
// problem `type` URIs point at its problem pages, so each one opens in a browser.
const portalPort = Number(process.env.PORTAL_PORT ?? 3010);
const problemTypeBase = process.env.PROBLEM_TYPE_BASE ?? `http://localhost:${portalPort}/problems/`;
const services = ['catalog', 'pricing', 'inventory', 'reviews', 'recommendations', 'customers', 'carts', 'orders'];
const upstreamEnv = Object.fromEntries(services.map((s, i) => [`UPSTREAM_${s.toUpperCase()}_URL`, `http://127.0.0.1:${basePort + i + 1}`]));
// A published DEVELOPMENT partner key (never valid anywhere but this local stack), registered for
// partner-bff by its SHA-256 like any key (see docs/auth.md for real keys: scripts/partner-keys.mjs).
const DEV_PARTNER_KEY = 'bffpk_devpartner01_sandbox-dev-partner-key-not-a-secret-000000';
const devPartnerKeys = JSON.stringify([
  {
    id: 'devpartner01',
    partner: 'dev-partner',
    scopes: ['catalog:read', 'orders:read', 'orders:write'],
    account: 'c-0001',
    sha256: createHash('sha256').update(DEV_PARTNER_KEY).digest('hex'),
  },
]);
const apps = [
  // Browser sessions against the sandbox IdP, as its `web-bff` client (a published DEV secret). The stack is
  // plain http, so the session cookie drops Secure/__Host- (SESSION_COOKIE_DEV_MODE, refused in production).
  {
    name: 'web-bff',
    port: 3000,
    env: {
      OIDC_ISSUER_URL: `http://127.0.0.1:${basePort}`,
      OIDC_CLIENT_ID: 'web-bff',
      OIDC_CLIENT_SECRET: 'web-bff-dev-secret',
      OIDC_REDIRECT_URI: 'http://localhost:3000/auth/callback',
      OIDC_POST_LOGOUT_REDIRECT_URI: 'http://localhost:3000/',
      SESSION_COOKIE_DEV_MODE: 'true',
      // The reference storefront (frontends/storefront, built by `npm run build`) at http://localhost:3000/, unless
      // SPA_DIR in the shell names another built front end.
      SPA_DIR: process.env.SPA_DIR ?? join(root, 'frontends/storefront/dist'),
      // Sign-in may return to the Vite dev server (docs/frontend.md "Dev-server mode", `npm run storefront:dev`).
      SESSION_RETURN_ORIGINS: process.env.SESSION_RETURN_ORIGINS ?? 'http://localhost:5173',
    },
  },
  // Bearer tokens of the sandbox IdP (issuer = its URL on the base port); cart and orders exchange them for the
  // retail API audience as the sandbox's `mobile-bff` client (RFC 8693, docs/auth.md).
  {
    name: 'mobile-bff',
    port: 3001,
    env: {
      JWT_ISSUER: `http://127.0.0.1:${basePort}`,
      JWT_AUDIENCE: 'mobile-bff',
      JWT_TOKEN_EXCHANGE_CLIENT_ID: 'mobile-bff',
      JWT_TOKEN_EXCHANGE_CLIENT_SECRET: 'mobile-bff-dev-secret',
      JWT_TOKEN_EXCHANGE_RESOURCE: 'https://api.retail.example',
      JWT_TOKEN_EXCHANGE_SCOPE: 'cart:write orders:read orders:write',
    },
  },
  {
    name: 'partner-bff',
    port: 3002,
    env: {
      PARTNER_API_KEYS: devPartnerKeys,
      // partner-bff's own OAuth client: orders are read with a client-credentials token.
      UPSTREAM_AUTH_ISSUER: `http://127.0.0.1:${basePort}`,
      UPSTREAM_AUTH_CLIENT_ID: 'partner-gateway',
      UPSTREAM_AUTH_CLIENT_SECRET: 'partner-gateway-dev-secret',
    },
  },
];

// Apps added with `npm run new:app` (docs/new-app.md): found in nest-cli.json, each started on its definition's default
// port and configured for the sandbox like the existing app with the same auth. The definition's source names both
// (importing the built definition here would load the platform's libs into this supervisor process).
const idpUrl = `http://127.0.0.1:${basePort}`;
const AUTH_DEV_ENV = {
  JWT_STRATEGY: () => ({ JWT_ISSUER: idpUrl, JWT_AUDIENCE: 'mobile-bff' }),
  API_KEY_STRATEGY: () => ({ PARTNER_API_KEYS: devPartnerKeys }),
  SESSION_STRATEGY: (port) => ({
    OIDC_ISSUER_URL: idpUrl,
    OIDC_CLIENT_ID: 'web-bff',
    OIDC_CLIENT_SECRET: 'web-bff-dev-secret',
    OIDC_REDIRECT_URI: `http://localhost:${port}/auth/callback`,
    OIDC_POST_LOGOUT_REDIRECT_URI: `http://localhost:${port}/`,
    SESSION_COOKIE_DEV_MODE: 'true',
  }),
};
const projects = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')).projects;
for (const [name, project] of Object.entries(projects)) {
  if (project.type !== 'application' || apps.some((app) => app.name === name)) continue;
  const file = join(root, project.sourceRoot, `${name}.definition.ts`);
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const port = Number(/defaultPort:\s*(\d+)/.exec(source)?.[1]);
  const strategy = /\[(JWT_STRATEGY|API_KEY_STRATEGY|SESSION_STRATEGY)\]:/.exec(source)?.[1];
  if (!port || !strategy) {
    console.error(`${name}: ${file} names no defaultPort or no security scheme [JWT_STRATEGY | API_KEY_STRATEGY | SESSION_STRATEGY]`);
    process.exit(1);
  }
  apps.push({ name, port, auth: strategy, env: AUTH_DEV_ENV[strategy](port) });
}
// Session apps sign in as the IdP's `web-bff` client: it must know each one's redirect URIs (web-bff's are its defaults).
const sessionApps = apps.filter((app) => app.auth === 'SESSION_STRATEGY');
const sandboxEnv = sessionApps.length
  ? {
      SANDBOX_IDP_WEB_REDIRECT_URIS: ['http://localhost:3000/auth/callback', 'http://127.0.0.1:3000/auth/callback']
        .concat(sessionApps.map((app) => `http://localhost:${app.port}/auth/callback`))
        .join(','),
      SANDBOX_IDP_WEB_POST_LOGOUT_REDIRECT_URIS: ['http://localhost:3000/', 'http://127.0.0.1:3000/', 'http://localhost:5173/']
        .concat(sessionApps.map((app) => `http://localhost:${app.port}/`))
        .join(','),
    }
  : {};

const children = [];
let stopping = false;

function start(name, args, env, onLine) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const prefix = `[${name}]`.padEnd(14);
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        onLine?.(line);
        if (process.env.STACK_QUIET !== '1') process.stdout.write(`${prefix} ${line}\n`);
      }
    });
  }
  child.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${signal ?? code}); stopping the stack`);
      void stop(1);
    }
  });
  return child;
}

async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  const alive = children.filter((c) => c.exitCode === null && c.signalCode === null);
  await Promise.all(
    alive.map(
      (c) =>
        new Promise((resolve) => {
          const kill = setTimeout(() => c.kill('SIGKILL'), 15_000);
          c.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('sandbox did not start in 30 s')), 30_000);
  start(
    'sandbox',
    ['sandbox/src/main.ts', '--profile', process.env.SANDBOX_PROFILE ?? 'dev', '--base-port', String(basePort)],
    sandboxEnv,
    (line) => {
      if (line.includes('SANDBOX READY')) {
        clearTimeout(timer);
        resolve();
      }
    },
  );
});

buildPortal({ problems: problemPages(), out: PORTAL_DIR, base: problemTypeBase });
await servePortal(PORTAL_DIR, portalPort, '127.0.0.1');

await Promise.all(
  apps.map(async (app) => {
    start(app.name, [...PRODUCTION_NODE_FLAGS, join('dist/apps', app.name, 'main.js')], {
      ...upstreamEnv,
      PORT: String(app.port),
      // One management port each (9464, 9465, ...): the apps share this host.
      METRICS_PORT: String(9464 + apps.indexOf(app)),
      NODE_ENV: 'development',
      PROBLEM_TYPE_BASE: problemTypeBase,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      CORS_ORIGINS: process.env.CORS_ORIGINS ?? 'http://localhost:5173',
      ...app.env,
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${app.port}/health/live`)).ok) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) throw new Error(`${app.name} did not start in 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }),
).catch(async (error) => {
  console.error(error.message);
  await stop(1);
});

console.log('\nThe BFF platform is up:');
for (const app of apps) {
  console.log(
    `  ${app.name.padEnd(12)} http://localhost:${app.port}   docs: http://localhost:${app.port}/docs   openapi: http://localhost:${app.port}/docs-json`,
  );
}
console.log(`  docs portal  http://localhost:${portalPort}/   (every app's reference, auth, problem types, changelog)`);
console.log('  sandbox      ' + services.map((s, i) => `${s} http://localhost:${basePort + i + 1}`).join(', '));
console.log('  storefront   http://localhost:3000/   (the SPA in frontends/storefront; `npm run storefront:dev` serves it live on :5173)');
console.log(`  idp          http://127.0.0.1:${basePort}   sign in: http://localhost:3000/auth/login   (alice@example.com / password)`);
console.log(`  partner key  X-Api-Key: ${DEV_PARTNER_KEY}   (dev-partner: catalog:read orders:read orders:write)`);
console.log(
  `\nTry: curl http://localhost:3000/api/v1/pages/product/p-00001\n     curl -H 'X-Api-Key: ${DEV_PARTNER_KEY}' 'http://localhost:3002/v1/catalog?limit=3'\nCtrl-C stops everything.\n`,
);
