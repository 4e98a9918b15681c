#!/usr/bin/env node
// Checks deploy/monitoring (docs/operations.md, "Alerts" and "Dashboard"):
//   1. `promtool check rules` on the alert rules (syntax, PromQL, templates);
//   2. `promtool test rules` on their unit tests (each alert firing and not firing);
//   3. the Grafana dashboard parses, takes its datasource from the `datasource` variable, and every
//      panel query names at least one series.
// That every series the dashboard and the rules query is one the apps export is asserted by
// test/monitoring.e2e-spec.ts (it boots the apps). Needs promtool (Debian package `prometheus`).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dir = join(root, 'deploy/monitoring');
const promtool = process.env.PROMTOOL ?? 'promtool';

function fail(message) {
  console.error(`check-monitoring: ${message}`);
  process.exit(1);
}

for (const args of [
  ['check', 'rules', 'alerts.rules.yml'],
  ['test', 'rules', 'alerts.test.yml'],
]) {
  const result = spawnSync(promtool, args, { cwd: dir, encoding: 'utf8' });
  if (result.error) fail(`cannot run ${promtool} (${result.error.code ?? result.error.message}); install the Debian package prometheus`);
  process.stdout.write(result.stdout);
  if (result.status !== 0) fail(`${promtool} ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
}

let dashboard;
try {
  dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8'));
} catch (error) {
  fail(`grafana-dashboard.json does not parse: ${error.message}`);
}
const findings = [];
if (!dashboard.templating?.list?.some((variable) => variable.type === 'datasource' && variable.name === 'datasource')) {
  findings.push('no `datasource` variable of type datasource');
}
for (const panel of dashboard.panels ?? []) {
  if (panel.type === 'row') continue;
  if (panel.datasource?.uid !== '${datasource}') findings.push(`panel "${panel.title}": datasource is not \${datasource}`);
  if (!panel.targets?.length) findings.push(`panel "${panel.title}": no queries`);
  for (const target of panel.targets ?? []) {
    if (target.datasource?.uid !== '${datasource}')
      findings.push(`panel "${panel.title}" ${target.refId}: datasource is not \${datasource}`);
    if (!/[a-z0-9_]+_(?:total|seconds|bytes|state|flight|queued|up|entries|count|bucket|sum)\b/.test(target.expr ?? '')) {
      findings.push(`panel "${panel.title}" ${target.refId}: the query names no series`);
    }
  }
}
if (findings.length) fail(`grafana-dashboard.json:\n${findings.map((finding) => `  - ${finding}`).join('\n')}`);
console.log(`check-monitoring: rules and their tests pass; dashboard has ${dashboard.panels.length} panels`);
