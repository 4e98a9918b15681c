#!/usr/bin/env node
// Docs portal (README "Docs portal"): `npm run portal:build` writes the static site to dist/portal;
// `-- --serve [--port N]` then serves it (default port 3010). Pages and rules: scripts/portal.ts.
import { relative } from 'node:path';

import { buildPortal, PORTAL_DIR, ROOT, servePortal } from './portal.ts';
import { problemPages } from './problem-catalogue.mjs';

const { apps, problems } = buildPortal({ problems: problemPages() });
console.log(`docs portal: ${apps.map((app) => app.name).join(', ')}; ${problems} problem types -> ${relative(ROOT, PORTAL_DIR)}/`);
if (process.argv.includes('--serve')) {
  const at = process.argv.indexOf('--port');
  const port = at > 0 ? Number(process.argv[at + 1]) : 3010;
  const { url } = await servePortal(PORTAL_DIR, port);
  console.log(`docs portal at ${url}/ (Ctrl-C stops)`);
}
