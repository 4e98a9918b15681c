#!/usr/bin/env node
// `npm run check:new-app` (CI): proves `npm run new:app` produces apps that pass every gate the existing apps pass.
// Copies the repository (its git files, node_modules linked) to a temporary directory and, there:
//   1. generates one app per auth kind: counter (session) and pos (api-key) with --skip-build, then kiosk (jwt)
//      through the whole pipeline (format, build, openapi, clients when the repo has clients:gen);
//   2. checks that generating an existing name, an invalid name or an unknown --auth is refused (exit 2, the reason);
//   3. runs Prettier and ESLint on everything the generator wrote or edited, dependency-cruiser, the type check,
//      the three generated e2e suites against the sandbox, the OpenAPI drift check, and the Kubernetes check.
// Needs kubectl with kustomize v5 (like check:k8s) and, with REQUIRE_REDIS=1, Redis at REDIS_URL. Keeps the copy on failure.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const APPS = [
  { name: 'counter', auth: 'session' },
  { name: 'pos', auth: 'api-key' },
  { name: 'kiosk', auth: 'jwt' },
];
const started = performance.now();
const timings = [];

function fail(message) {
  printTimings();
  console.error(`\ncheck-new-app: ${message}\n(the copy is kept at ${copy})`);
  process.exit(1);
}

function run(label, command, args, { expectStatus = 0, expectOutput } = {}) {
  const t0 = performance.now();
  console.log(`\n> ${label}: ${command === process.execPath ? 'node' : command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    cwd: copy,
    encoding: 'utf8',
    stdio: expectOutput ? 'pipe' : 'inherit',
    env: { ...process.env, STACK_QUIET: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  timings.push([label, seconds]);
  if (result.status !== expectStatus) {
    fail(`${label}: exit ${result.status ?? result.signal}, expected ${expectStatus}\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  }
  if (expectOutput && !expectOutput.test(`${result.stdout}${result.stderr}`)) {
    fail(`${label}: the output does not say ${expectOutput}:\n${result.stdout}${result.stderr}`);
  }
  if (expectOutput) console.log(`  refused as expected: ${(result.stderr.split('\n')[0] ?? '').trim()}`);
  return result;
}

// The repository as CI sees it: tracked files plus new ones not ignored (a working tree under development).
const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
if (files.status !== 0) {
  console.error(`check-new-app: git ls-files failed: ${files.stderr}`);
  process.exit(1);
}
const copy = mkdtempSync(join(tmpdir(), 'bff-new-app-'));
for (const file of files.stdout.split('\0').filter(Boolean)) {
  mkdirSync(dirname(join(copy, file)), { recursive: true });
  try {
    cpSync(join(root, file), join(copy, file));
  } catch (error) {
    // A file deleted in the working tree but still in the index: git ls-files lists it, it is not part of the tree.
    if (error.code !== 'ENOENT') throw error;
  }
}
symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');
console.log(`check-new-app: repository copied to ${copy} in ${Math.round(performance.now() - started)} ms`);

const node = process.execPath;
/** A package's executable, as npm links it (node_modules/.bin). */
const bin = (name) => join(copy, 'node_modules/.bin', name);
const newApp = (...args) => [join(copy, 'scripts/new-app.mjs'), ...args];

for (const [i, app] of APPS.entries()) {
  const last = i === APPS.length - 1;
  run(`generate ${app.name} (${app.auth})`, node, newApp(app.name, '--auth', app.auth, ...(last ? [] : ['--skip-build'])));
}

run('refuse an existing name', node, newApp('kiosk', '--auth', 'jwt'), { expectStatus: 2, expectOutput: /kiosk-bff already exists/ });
run('refuse a name of an existing client', node, newApp('mobile', '--auth', 'jwt'), { expectStatus: 2, expectOutput: /reserved/ });
run('refuse an invalid name', node, newApp('Kiosk_2', '--auth', 'jwt'), { expectStatus: 2, expectOutput: /not lowercase kebab case/ });
run('refuse an unknown --auth', node, newApp('tablet', '--auth', 'oauth'), {
  expectStatus: 2,
  expectOutput: /--auth must be one of session, jwt, api-key/,
});

const generated = APPS.flatMap(({ name }) => [`apps/${name}-bff`, `test/${name}-bff.e2e-spec.ts`, `deploy/k8s/base/${name}-bff`]);
run('prettier', bin('prettier'), ['--check', 'README.md', 'nest-cli.json', 'deploy/k8s', ...generated]);
run('eslint', bin('eslint'), ['--max-warnings', '0', ...generated.filter((path) => !path.startsWith('deploy/'))]);
run('dependency-cruiser', bin('depcruise'), ['apps', 'libs', 'sandbox', 'test', '--config', '.dependency-cruiser.cjs']);
run('type check', bin('tsc'), ['-p', 'tsconfig.json']);
run('e2e suites of the generated apps', bin('vitest'), [
  'run',
  '--project',
  'e2e',
  ...APPS.map(({ name }) => `test/${name}-bff.e2e-spec.ts`),
]);
run('OpenAPI drift check', 'npm', ['run', 'openapi:check']);
run('Kubernetes manifests', 'npm', ['run', 'check:k8s']);

rmSync(copy, { recursive: true, force: true });
console.log('\ncheck-new-app: every gate passes for the generated apps');
printTimings();

function printTimings() {
  for (const [label, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${label}`);
  console.log(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  total`);
}
