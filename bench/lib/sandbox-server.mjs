#!/usr/bin/env node
// The sandbox upstreams in their own process for the benchmark (so they never share an event loop
// with the load generator): every service on an ephemeral loopback port, in the given profile.
//
//   node bench/lib/sandbox-server.mjs bench|bench-20ms
//
// Prints one JSON line {"profile":..., "urls":{service: url}, "idp":{issuer,url}|null} once every service
// (and the OpenID provider) listens; exits on SIGTERM/SIGINT or when its stdin closes (the harness went away).
import { PROFILES, startSandbox } from '../../sandbox/src/index.ts';

const profile = process.argv[2] ?? 'bench';
if (!PROFILES.includes(profile)) {
  process.stderr.write(`sandbox-server: unknown profile '${profile}' (expected ${PROFILES.join('|')})\n`);
  process.exit(2);
}

// The IdP (when the sandbox has one) issues the mobile bearer tokens; an hour outlives any scenario.
const sandbox = await startSandbox({ host: '127.0.0.1', basePort: 0, profile, idp: { accessTokenTtlSeconds: 3_600 } });
let closing = false;
const close = () => {
  if (closing) return;
  closing = true;
  const force = setTimeout(() => process.exit(0), 3_000);
  force.unref();
  sandbox.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', close);
process.on('SIGINT', close);
process.stdin.on('end', close);
process.stdin.on('error', close);
process.stdin.resume();
const idp = sandbox.idp ? { issuer: sandbox.idp.issuer, url: sandbox.idp.url } : null;
process.stdout.write(`${JSON.stringify({ profile, urls: sandbox.urls, idp })}\n`);
