#!/usr/bin/env node
// Schema-compatibility check (docs/versioning.md): compares the generated partner-bff document
// (openapi/partner-bff.json, kept current by `npm run openapi:check`) with the published v1 contract
// (openapi/published/partner-bff.v1.json) and fails on any change that breaks a partner's client.
// Rules: scripts/openapi-compat.ts. After a release, `npm run openapi:compat -- --publish` makes today's document the baseline.
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { breakingChanges } from './openapi-compat.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const current = join(root, 'openapi/partner-bff.json');
const baseline = join(root, 'openapi/published/partner-bff.v1.json');

if (process.argv.includes('--publish')) {
  const findings = breakingChanges(JSON.parse(readFileSync(baseline, 'utf8')), JSON.parse(readFileSync(current, 'utf8')));
  if (findings.length && !process.argv.includes('--accept-breaking')) {
    console.error(
      `refusing to publish: ${findings.length} breaking change(s) against the published v1 contract (see npm run openapi:compat);`,
    );
    console.error('a breaking change belongs in a new version (/v2), not in v1; --accept-breaking overrides after review');
    process.exit(1);
  }
  copyFileSync(current, baseline);
  console.log('openapi/published/partner-bff.v1.json now holds openapi/partner-bff.json');
  process.exit(0);
}

const findings = breakingChanges(JSON.parse(readFileSync(baseline, 'utf8')), JSON.parse(readFileSync(current, 'utf8')));
if (findings.length) {
  console.error(
    `openapi/partner-bff.json breaks the published v1 contract (openapi/published/partner-bff.v1.json) in ${findings.length} place(s):`,
  );
  for (const finding of findings) console.error(`  - ${finding}`);
  console.error('Keep v1 compatible (add, do not change or remove); see docs/versioning.md.');
  process.exit(1);
}
console.log('openapi/partner-bff.json is compatible with the published v1 contract');
