#!/usr/bin/env node
// Checks the Kubernetes manifests of deploy/k8s (docs/deploy.md): renders every overlay with
// `kubectl kustomize`, then
//   1. validates every object against the Kubernetes JSON schemas (kubernetes-models, offline);
//   2. applies the house policies (scripts/k8s-policy.ts) with the overlay's own expectations;
//   3. boots each app's env validation (the built app's schemas, as at startup) on the environment
//      its pod gets: the image's ENV + the rendered ConfigMap + placeholders for the Secret keys.
// Needs kubectl with kustomize v5 (kubectl >= 1.27) and a build (npm run build). Exits 1 on any finding.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { loadAll } from 'js-yaml';

import { checkAppConfig, checkPolicies, IMAGE_USER_ID, validateSchemas } from './k8s-policy.ts';

const root = join(import.meta.dirname, '..');
const overlaysDir = join(root, 'deploy/k8s/overlays');
const kubectl = process.env.KUBECTL ?? 'kubectl';

/** What each overlay promises (docs/deploy.md "Overlays"); an overlay missing here fails the check. */
const EXPECTATIONS = {
  dev: { minReplicas: 1 },
  prod: { minReplicas: 3, pdbMinAvailable: true, tagPattern: /^\d+\.\d+\.\d+$/ },
};

function fail(message) {
  console.error(`check-k8s: ${message}`);
  process.exit(1);
}

function run(args) {
  const result = spawnSync(kubectl, args, { cwd: root, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.error) fail(`cannot run ${kubectl} (${result.error.code ?? result.error.message}); install it (docs/deploy.md "Checks")`);
  if (result.status !== 0) fail(`${kubectl} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
}

const version = JSON.parse(run(['version', '--client', '-o', 'json']));
const kustomizeMajor = Number(/^v?(\d+)/.exec(version.kustomizeVersion ?? '')?.[1] ?? 0);
if (kustomizeMajor < 5) {
  fail(
    `${kubectl} ${version.clientVersion?.gitVersion} ships kustomize ${version.kustomizeVersion ?? 'none'}; deploy/k8s needs kustomize v5 (kubectl >= 1.27)`,
  );
}

// The pods run as uid IMAGE_USER_ID because the image's runtime user is `node`; a changed USER must change both.
const users = [...readFileSync(join(root, 'Dockerfile'), 'utf8').matchAll(/^USER\s+(\S+)/gm)].map((match) => match[1]);
if (users.at(-1) !== 'node') {
  fail(`the Dockerfile's runtime USER is ${users.at(-1) ?? 'unset'}, but deploy/k8s runs the pods as uid ${IMAGE_USER_ID} (node)`);
}

const core = await importBuilt('dist/libs/core/src/index.js');
const findings = [];
const overlays = readdirSync(overlaysDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
for (const overlay of overlays) {
  const expectations = EXPECTATIONS[overlay];
  if (!expectations) {
    findings.push(`overlay ${overlay}: no expectations in scripts/check-k8s.mjs (EXPECTATIONS)`);
    continue;
  }
  const objects = loadAll(run(['kustomize', `deploy/k8s/overlays/${overlay}`])).filter(Boolean);
  const overlayFindings = [...(await validateSchemas(objects)), ...checkPolicies(objects, expectations)];
  const apps = objects.filter((object) => object.kind === 'Deployment').map((deployment) => deployment.metadata.name);
  const definitions = new Map();
  for (const app of apps) definitions.set(app, findDefinition(app, await importBuilt(`dist/apps/${app}/src/${app}.definition.js`)));
  overlayFindings.push(...checkAppConfig(objects, (app, env) => bootProblems(definitions.get(app), env)));
  findings.push(...overlayFindings.map((finding) => `overlay ${overlay}: ${finding}`));
  console.log(
    `overlay ${overlay}: ${objects.length} objects, ${overlayFindings.length ? `${overlayFindings.length} finding(s)` : 'schemas, policies and app config pass'} (${apps.join(', ')})`,
  );
}

if (findings.length) {
  console.error(`\ncheck-k8s: ${findings.length} finding(s):\n${findings.map((finding) => `  - ${finding}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `check-k8s: ${overlays.length} overlays pass (kubectl ${version.clientVersion?.gitVersion}, kustomize ${version.kustomizeVersion})`,
);

/** The problems the app's startup validation (core's schema + the app's slices) finds in `env`. */
function bootProblems(definition, env) {
  try {
    core.validateEnvironment([core.envClass(core.CoreEnv, 'core'), ...definition.env], env);
    return [];
  } catch (error) {
    if (error instanceof core.ConfigValidationError) return [...error.problems];
    throw error;
  }
}

async function importBuilt(relativePath) {
  const path = join(root, relativePath);
  if (!existsSync(path)) fail(`${relativePath} is missing: run npm run build first`);
  return import(pathToFileURL(path).href);
}

/** The app's definition (defineApp(...)) among the module's exports, by its name. */
function findDefinition(app, module) {
  const definition = Object.values(module).find((value) => value?.name === app && Array.isArray(value.env));
  if (!definition) fail(`dist/apps/${app}/src/${app}.definition.js exports no app definition named ${app}`);
  return definition;
}
