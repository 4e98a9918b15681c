#!/usr/bin/env node
// `npm run new:app -- <name> --auth session|jwt|api-key [--port N] [--dry-run] [--skip-build]`
// Generates apps/<name>-bff with the schematic tools/schematics:bff-app (docs/new-app.md), formats what it
// wrote, then builds and writes openapi/<name>-bff.json (and the typed clients when `clients:gen` exists).
// Exits 2 on bad arguments (name taken or invalid, unknown --auth) with the reason, before touching anything.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { AUTH_KINDS, nameProblem } = require('../tools/schematics/bff-app/index.cjs');

const USAGE = 'usage: npm run new:app -- <name> --auth session|jwt|api-key [--port N] [--dry-run] [--skip-build]';

function refuse(message) {
  console.error(`new:app: ${message}\n${USAGE}`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      auth: { type: 'string' },
      port: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (error) {
  refuse(error.message);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1)
  refuse(positionals.length ? `one client name, got ${positionals.join(' ')}` : 'a client name is required, e.g. kiosk');
const [name] = positionals;
if (!AUTH_KINDS.includes(values.auth ?? '')) {
  refuse(`--auth must be one of ${AUTH_KINDS.join(', ')} (got ${values.auth === undefined ? 'nothing' : `"${values.auth}"`})`);
}
let port;
if (values.port !== undefined) {
  port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port < 1024 || port > 65_535) refuse(`--port must be an integer 1024..65535 (got "${values.port}")`);
}
const projects = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')).projects ?? {};
const problem = nameProblem(name, projects, (path) => {
  try {
    readFileSync(join(root, path));
    return true;
  } catch (error) {
    return error.code === 'EISDIR';
  }
});
if (problem) refuse(problem);

// The schematic, run as `nest g -c ./tools/schematics bff-app` would: NodeWorkflow over the repository.
const { NodeWorkflow } = require('@angular-devkit/schematics/tools');
const workflow = new NodeWorkflow(root, { force: false, dryRun: values['dry-run'], resolvePaths: [root] });
const written = [];
workflow.reporter.subscribe((event) => {
  if (event.kind === 'error') console.error(`  error  ${event.path}: ${event.description}`);
  else {
    console.log(`  ${event.kind.padEnd(6)} ${event.path.replace(/^\//, '')}`);
    if (event.kind !== 'delete') written.push(event.path.replace(/^\//, ''));
  }
});
try {
  await workflow
    .execute({
      collection: join(root, 'tools/schematics/collection.json'),
      schematic: 'bff-app',
      options: { name, auth: values.auth, ...(port === undefined ? {} : { port }) },
      allowPrivate: false,
    })
    .toPromise();
} catch (error) {
  refuse(error.message);
}
if (values['dry-run']) {
  console.log('dry run: nothing written');
  process.exit(0);
}

function run(command, args) {
  console.log(`\n> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`new:app: \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
// Templates are written unformatted (conditional blocks); the repository's Prettier config decides the layout.
run(process.execPath, [
  bin('prettier', 'bin/prettier.cjs'),
  '--write',
  '--log-level',
  'warn',
  ...written.filter((f) => /\.(ts|json|md|ya?ml)$/.test(f)),
]);
if (values['skip-build']) {
  console.log(`\napps/${name}-bff generated. Next: npm run build && npm run openapi`);
  process.exit(0);
}
run('npm', ['run', 'build']);
run('npm', ['run', 'openapi']);
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts ?? {};
if (scripts['clients:gen']) run('npm', ['run', 'clients:gen']);
console.log(
  `\napps/${name}-bff is ready (auth ${values.auth}). Try it: npm start, then http://localhost:<port>/docs. ` +
    `Its e2e suite: npx vitest run test/${name}-bff.e2e-spec.ts`,
);
