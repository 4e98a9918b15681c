/**
 * CLI: node sandbox/src/main.ts [--profile dev|test|bench|bench-20ms] [--base-port 4100] [--host 127.0.0.1]
 * Env: SANDBOX_PROFILE, SANDBOX_BASE_PORT, SANDBOX_HOST. Prints `SANDBOX READY` once every service listens.
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
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});

if (values.help === true) {
  process.stdout.write('usage: node sandbox/src/main.ts [--profile dev|test|bench|bench-20ms] [--base-port 4100] [--host 127.0.0.1]\n');
  process.exit(0);
}

const profileArg = values.profile ?? process.env['SANDBOX_PROFILE'] ?? 'dev';
if (!(PROFILES as readonly string[]).includes(profileArg)) fail(`unknown profile '${profileArg}' (expected ${PROFILES.join('|')})`);
const profile = profileArg as Profile;

const basePortArg = values['base-port'] ?? process.env['SANDBOX_BASE_PORT'] ?? String(DEFAULT_BASE_PORT);
const basePort = Number(basePortArg);
if (!/^\d+$/.test(basePortArg) || basePort > 65_527) fail(`invalid base port '${basePortArg}'`);

const host = values.host ?? process.env['SANDBOX_HOST'] ?? DEFAULT_HOST;

const sandbox = await startSandbox({ host, basePort, profile }).catch((error: unknown) =>
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
process.stdout.write(`sandbox profile=${profile}\n`);
for (const name of SERVICE_NAMES) {
  const url = sandbox.urls[name];
  process.stdout.write(`  ${name.padEnd(width)}  ${url}  (${url}/openapi.json)\n`);
}
process.stdout.write('SANDBOX READY\n');
