#!/usr/bin/env node
// Writes openapi/<app>.json from the built apps (`node dist/apps/<app>/main.js --print-openapi`).
// With --check, fails when a committed document differs from what the code generates (CI drift check).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const apps = Object.entries(JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')).projects)
  .filter(([, p]) => p.type === 'application')
  .map(([name]) => name);
// Placeholder upstream URLs: generating the document makes no upstream call.
const env = { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' };
for (const name of ['CATALOG', 'PRICING', 'INVENTORY', 'REVIEWS', 'RECOMMENDATIONS', 'CUSTOMERS', 'CARTS', 'ORDERS']) {
  env[`UPSTREAM_${name}_URL`] = 'http://upstream.invalid';
}
// Placeholder bearer-JWT settings (mobile-bff): printing the document needs no IdP (a failed key prefetch is only logged).
env.JWT_ISSUER = 'https://idp.invalid';
env.JWT_AUDIENCE = 'mobile-bff';
// Placeholder session-client settings (web-bff): the IdP is only contacted at sign-in (a failed prefetch is only logged).
env.OIDC_ISSUER_URL = 'https://idp.invalid';
env.OIDC_CLIENT_ID = 'web-bff';
env.OIDC_CLIENT_SECRET = 'openapi-placeholder-secret';
env.OIDC_REDIRECT_URI = 'https://shop.example.com/auth/callback';
// partner-bff: its own OAuth client for client-credentials upstreams (orders).
env.UPSTREAM_AUTH_ISSUER = 'https://idp.invalid';
env.UPSTREAM_AUTH_CLIENT_ID = 'partner-gateway';
env.UPSTREAM_AUTH_CLIENT_SECRET = 'openapi-placeholder-secret';

let drift = 0;
mkdirSync(join(root, 'openapi'), { recursive: true });
for (const app of apps) {
  const entry = join(root, 'dist/apps', app, 'main.js');
  if (!existsSync(entry)) {
    console.error(`${entry} is missing: run npm run build first`);
    process.exit(1);
  }
  const result = spawnSync(process.execPath, [entry, '--print-openapi'], { cwd: root, env, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 });
  if (result.status !== 0) {
    console.error(`${app}: could not generate its OpenAPI document\n${result.stderr}`);
    process.exit(1);
  }
  const generated = `${JSON.stringify(JSON.parse(result.stdout), null, 2)}\n`;
  const file = join(root, 'openapi', `${app}.json`);
  if (check) {
    const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (committed !== generated) {
      drift++;
      console.error(`openapi/${app}.json is out of date: run \`npm run build && npm run openapi\` and commit the result`);
    } else console.log(`openapi/${app}.json is current`);
  } else {
    writeFileSync(file, generated);
    console.log(`wrote openapi/${app}.json`);
  }
}
process.exit(drift ? 1 : 0);
