/**
 * CLI: node sandbox/src/main.ts [--profile dev|test|bench|bench-20ms] [--base-port 4100] [--host 127.0.0.1] [--no-idp] [--no-authz]
 * (`--no-authz`: customers, carts and orders accept calls without a bearer token; implied by `--no-idp`).
 * Env: SANDBOX_PROFILE, SANDBOX_BASE_PORT, SANDBOX_HOST; IdP: SANDBOX_IDP_ISSUER, SANDBOX_IDP_ACCESS_TOKEN_TTL (seconds),
 * SANDBOX_IDP_WEB_REDIRECT_URIS, SANDBOX_IDP_WEB_POST_LOGOUT_REDIRECT_URIS (comma-separated),
 * SANDBOX_IDP_WEB_BACKCHANNEL_LOGOUT_URI (web-bff's /auth/backchannel-logout; unset: no back-channel logout).
 * Prints `SANDBOX READY` once every service listens.
 */
import { parseArgs } from 'node:util';

import { DEFAULT_BASE_PORT, DEFAULT_HOST, PROFILES, SERVICE_NAMES, startSandbox, type Profile } from './index.ts';

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    profile: { type: 'string' },
    'base-port': { type: 'string' },
    host: { type: 'string' },
    idp: { type: 'boolean', default: true },
    authz: { type: 'boolean', default: true },
    help: { type: 'boolean', short: 'h' },
  },
  allowNegative: true,
  strict: true,
});

if (values.help === true) {
  process.stdout.write(
    'usage: node sandbox/src/main.ts [--profile dev|test|bench|bench-20ms] [--base-port 4100] [--host 127.0.0.1] [--no-idp] [--no-authz]\n',
  );
  process.exit(0);
}

const profileArg = values.profile ?? process.env['SANDBOX_PROFILE'] ?? 'dev';
if (!(PROFILES as readonly string[]).includes(profileArg)) fail(`unknown profile '${profileArg}' (expected ${PROFILES.join('|')})`);
const profile = profileArg as Profile;

const basePortArg = values['base-port'] ?? process.env['SANDBOX_BASE_PORT'] ?? String(DEFAULT_BASE_PORT);
const basePort = Number(basePortArg);
if (!/^\d+$/.test(basePortArg) || basePort > 65_527) fail(`invalid base port '${basePortArg}'`);

const host = values.host ?? process.env['SANDBOX_HOST'] ?? DEFAULT_HOST;

const list = (value: string | undefined): string[] | undefined =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
const ttlArg = process.env['SANDBOX_IDP_ACCESS_TOKEN_TTL'];
if (ttlArg !== undefined && !/^[1-9]\d*$/.test(ttlArg)) fail(`invalid SANDBOX_IDP_ACCESS_TOKEN_TTL '${ttlArg}'`);
const idp =
  values.idp === false
    ? false
    : {
        issuer: process.env['SANDBOX_IDP_ISSUER'],
        accessTokenTtlSeconds: ttlArg === undefined ? undefined : Number(ttlArg),
        webRedirectUris: list(process.env['SANDBOX_IDP_WEB_REDIRECT_URIS']),
        webPostLogoutRedirectUris: list(process.env['SANDBOX_IDP_WEB_POST_LOGOUT_REDIRECT_URIS']),
        webBackchannelLogoutUri: process.env['SANDBOX_IDP_WEB_BACKCHANNEL_LOGOUT_URI'] || undefined,
        log: (line: string) => process.stderr.write(`${line}\n`),
      };

const authz = values.authz === false || idp === false ? 'off' : 'jwt';
const sandbox = await startSandbox({ host, basePort, profile, idp, authz }).catch((error: unknown) =>
  fail(error instanceof Error ? error.message : String(error)),
);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  if (profile === 'dev') process.stdout.write(`sandbox: ${signal}, shutting down\n`);
  const force = setTimeout(() => process.exit(0), 3000);
  force.unref();
  sandbox.close().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`sandbox: error while closing: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// Handlers are installed before READY is printed: tooling may signal us right after reading it.
const width = Math.max(...SERVICE_NAMES.map((name) => name.length));
process.stdout.write(`sandbox profile=${profile} authz=${sandbox.authz}\n`);
for (const name of SERVICE_NAMES) {
  const url = sandbox.urls[name];
  process.stdout.write(`  ${name.padEnd(width)}  ${url}  (${url}/openapi.json)\n`);
}
if (sandbox.idp) {
  process.stdout.write(
    `  ${'idp'.padEnd(width)}  ${sandbox.idp.url}  (issuer ${sandbox.idp.issuer}, ${sandbox.idp.issuer}/.well-known/openid-configuration)\n`,
  );
}
process.stdout.write('SANDBOX READY\n');
