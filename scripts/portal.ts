/**
 * The docs portal (README "Docs portal"): one static site listing every client app's API. Apps are the
 * `application` projects of nest-cli.json that have an openapi/<app>.json, so a new app appears without
 * touching this file. Pages: index.html (app picker + Swagger UI reference), auth/<app>.html (the app's
 * security schemes with a sequence diagram drawn here as SVG), problems/<slug>.html (one per entry of
 * PROBLEM_TYPES, the stable target of the problem `type` URIs), changelog.html (OpenAPI diffs between
 * releases). Everything is local files: no CDN, no network at build or view time.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';

import { breakingChanges, type OpenApiDocument } from './openapi-compat.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

type Json = Record<string, unknown>;
interface SecurityScheme {
  type: string;
  scheme?: string;
  in?: string;
  name?: string;
  description?: string;
}
export interface PortalApp {
  name: string;
  title: string;
  version: string;
  document: Json & OpenApiDocument;
}
export interface PortalOperation {
  method: string;
  path: string;
  operationId?: string;
  summary?: string;
}
/** One release step of an app's document: the changes between two versions of openapi/<app>.json. */
export interface ChangelogEntry {
  release: string;
  date: string;
  added: string[];
  removed: string[];
  changed: string[];
  breaking: string[];
}

export const ROOT = join(import.meta.dirname, '..');
export const PORTAL_DIR = join(ROOT, 'dist', 'portal');

/** The client apps: nest-cli.json `application` projects with a generated OpenAPI document. */
export function discoverApps(root = ROOT): PortalApp[] {
  const cli = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { type: string }> };
  return Object.entries(cli.projects)
    .filter(([name, project]) => project.type === 'application' && existsSync(join(root, 'openapi', `${name}.json`)))
    .map(([name]) => {
      const document = JSON.parse(readFileSync(join(root, 'openapi', `${name}.json`), 'utf8')) as Json & OpenApiDocument;
      const info = (document.info ?? {}) as { title?: string; version?: string };
      return { name, title: info.title ?? name, version: info.version ?? '', document };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function operationsOf(document: OpenApiDocument): PortalOperation[] {
  const found: PortalOperation[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) {
      const operation = item[method] as { operationId?: string; summary?: string } | undefined;
      if (operation) found.push({ method, path, operationId: operation.operationId, summary: operation.summary });
    }
  }
  return found;
}

/** What the portal shows of one entry of libs/core's PROBLEM_TYPES (same shape as its ProblemTypeInfo). */
export interface ProblemTypeInfo {
  readonly status: number;
  readonly title: string;
  readonly meaning: string;
  readonly action: string;
}
/**
 * One problem type page: the slug of its `type` URI and its catalogue entry. Callers hand the catalogue in
 * (scripts/problem-catalogue.mjs reads libs/core's source; tests use @bff/core), so this file stays outside
 * the libs' import boundaries.
 */
export interface ProblemPage {
  readonly slug: string;
  readonly info: ProblemTypeInfo;
}

// ---------------------------------------------------------------------------------------------------------
// Changelog

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

function keyed(document: OpenApiDocument): Map<string, string> {
  const operations = new Map<string, string>();
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const method of METHODS) if (item[method]) operations.set(`${method.toUpperCase()} ${path}`, JSON.stringify(item[method]));
  }
  return operations;
}

/** What changed from `before` to `after`: operations added, removed, changed, and the breaking changes (scripts/openapi-compat.ts). */
export function diffDocuments(before: OpenApiDocument, after: OpenApiDocument, at: Date): Omit<ChangelogEntry, 'release' | 'date'> {
  const was = keyed(before);
  const now = keyed(after);
  const schemasChanged = JSON.stringify(before.components ?? {}) !== JSON.stringify(after.components ?? {});
  return {
    added: [...now.keys()].filter((key) => !was.has(key)),
    removed: [...was.keys()].filter((key) => !now.has(key)),
    changed: [
      ...[...now.keys()].filter((key) => was.has(key) && was.get(key) !== now.get(key)),
      ...(schemasChanged ? ['components (schemas, headers, responses)'] : []),
    ],
    breaking: breakingChanges(before, after, at),
  };
}

/**
 * An app's changelog, newest first. A release is a git tag `v*`; each entry diffs the document at one
 * release against the previous one, and "Unreleased" diffs the working tree against the newest tag. Without
 * tags, every commit that changed openapi/<app>.json on the first-parent history counts as a release step
 * (named by its short hash). An app with a published baseline (openapi/published/<app>.v*.json) also gets
 * "Unreleased since published <file>": what today's document changes against the contract clients hold.
 */
export function changelog(app: PortalApp, root = ROOT): ChangelogEntry[] {
  const file = `openapi/${app.name}.json`;
  const at = (ref: string): OpenApiDocument | undefined => {
    const text = git(['show', `${ref}:${file}`]);
    return text === undefined ? undefined : (JSON.parse(text) as OpenApiDocument);
  };
  const entries: ChangelogEntry[] = [];
  const tags = (git(['tag', '--list', 'v*', '--sort=-creatordate', '--format=%(refname:short)\t%(creatordate:short)']) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\t') as [string, string]);
  let steps: [ref: string, label: string, date: string][];
  if (tags.length) {
    steps = tags.map(([tag, date]) => [tag, tag, date]);
  } else {
    steps = (git(['log', '--first-parent', '--format=%H\t%h %s\t%ad', '--date=short', '--', file]) ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string, string]);
  }
  const newest = steps[0] ? at(steps[0][0]) : undefined;
  if (tags.length && newest) {
    const unreleased = diffDocuments(newest, app.document, new Date());
    if (unreleased.added.length + unreleased.removed.length + unreleased.changed.length) {
      entries.push({ release: 'Unreleased', date: 'working tree', ...unreleased });
    }
  }
  for (let index = 0; index < steps.length; index++) {
    const [ref, label, date] = steps[index];
    const after = at(ref);
    if (!after) continue;
    const previous = steps[index + 1];
    const before = (previous && at(previous[0])) || { paths: {} };
    entries.push({ release: label, date, ...diffDocuments(before, after, new Date(date)) });
  }
  const published = join(root, 'openapi', 'published');
  if (existsSync(published)) {
    for (const name of execFileSync('ls', [published], { encoding: 'utf8' }).split('\n')) {
      if (!name.startsWith(`${app.name}.v`) || !name.endsWith('.json')) continue;
      const baseline = JSON.parse(readFileSync(join(published, name), 'utf8')) as OpenApiDocument;
      entries.unshift({
        release: `Unreleased since published ${name}`,
        date: 'working tree',
        ...diffDocuments(baseline, app.document, new Date()),
      });
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------------------
// Sequence diagrams (SVG drawn here: no renderer, no network)

type Message = [from: string, to: string, label: string, reply?: boolean];

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

export function sequenceSvg(title: string, participants: string[], messages: Message[]): string {
  const gap = 230;
  const left = 100;
  const top = 60;
  const row = 40;
  const width = left * 2 + gap * (participants.length - 1);
  const height = top + row * (messages.length + 1) + 30;
  const x = (name: string): number => {
    const index = participants.indexOf(name);
    if (index < 0) throw new Error(`sequence "${title}": unknown participant ${name}`);
    return left + index * gap;
  };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`,
    `<title>${escape(title)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#333"/></marker></defs>',
  ];
  for (const name of participants) {
    const cx = x(name);
    parts.push(
      `<line x1="${cx}" y1="${top}" x2="${cx}" y2="${height - 10}" stroke="#999" stroke-dasharray="4 4"/>`,
      `<rect x="${cx - 85}" y="10" width="170" height="36" rx="6" fill="#eef3fb" stroke="#35629a"/>`,
      `<text x="${cx}" y="33" text-anchor="middle" font-family="sans-serif" font-size="14" font-weight="bold">${escape(name)}</text>`,
    );
  }
  messages.forEach(([from, to, label, reply], index) => {
    const y = top + row * (index + 1);
    const x1 = x(from);
    const x2 = x(to);
    const text = `<text x="${(x1 + x2) / 2}" y="${y - 6}" text-anchor="middle" font-family="sans-serif" font-size="12" paint-order="stroke" stroke="#fff" stroke-width="4">${escape(`${index + 1}. ${label}`)}</text>`;
    if (x1 === x2) {
      parts.push(
        `<path d="M${x1},${y - 4} h40 v14 h-40" fill="none" stroke="#333" marker-end="url(#arrow)"/>`,
        `<text x="${x1 + 46}" y="${y + 6}" font-family="sans-serif" font-size="12">${escape(`${index + 1}. ${label}`)}</text>`,
      );
      return;
    }
    parts.push(
      `<line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}" stroke="#333"${reply ? ' stroke-dasharray="6 4"' : ''} marker-end="url(#arrow)"/>`,
      text,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** The sign-in and call sequence a security scheme implies, by its OpenAPI type and location. */
function schemeSequence(app: string, name: string, scheme: SecurityScheme): { title: string; svg: string } {
  if (scheme.type === 'apiKey' && scheme.in === 'cookie') {
    const title = `${app}: browser session (${name})`;
    return {
      title,
      svg: sequenceSvg(
        title,
        ['Browser', app, 'Identity provider', 'Upstream services'],
        [
          ['Browser', app, 'GET /auth/login?returnTo=/account'],
          [app, 'Browser', '302 to authorize (code + PKCE, state); sealed login cookie', true],
          ['Browser', 'Identity provider', 'sign in'],
          ['Identity provider', 'Browser', '302 /auth/callback?code&state', true],
          ['Browser', app, 'GET /auth/callback (login cookie)'],
          [app, 'Identity provider', 'token request: code + code_verifier'],
          ['Identity provider', app, 'access, refresh and ID tokens (kept server-side)', true],
          [app, 'Browser', `302 returnTo; Set-Cookie ${scheme.name ?? 'session'} (opaque)`, true],
          ['Browser', app, 'GET /api/v1/... with the cookie + X-CSRF: 1'],
          [app, 'Upstream services', 'calls with the access token (refreshed when due)'],
          [app, 'Browser', '200 JSON, or 401 session-required / session-expired', true],
        ],
      ),
    };
  }
  if (scheme.type === 'http' && scheme.scheme?.toLowerCase() === 'bearer') {
    const title = `${app}: bearer access token (${name})`;
    return {
      title,
      svg: sequenceSvg(
        title,
        ['Native app', 'Identity provider', app, 'Upstream services'],
        [
          ['Native app', 'Identity provider', 'authorize: code flow + PKCE (resource = this API)'],
          ['Identity provider', 'Native app', 'authorization code', true],
          ['Native app', 'Identity provider', 'token request (+ DPoP proof for a bound token)'],
          ['Identity provider', 'Native app', 'access token (JWT, at+jwt) + refresh token', true],
          ['Native app', app, 'request: Authorization: Bearer|DPoP <token> (+ DPoP proof)'],
          [app, 'Identity provider', 'JWKS (cached; fetched on an unknown key id)'],
          [app, app, 'verify signature, issuer, audience, expiry, scopes, DPoP'],
          [app, 'Upstream services', 'aggregate the screen'],
          [app, 'Native app', '200 JSON, or 401 invalid-token / invalid-dpop-proof', true],
          ['Native app', 'Identity provider', 'on 401: refresh the token, then retry once'],
        ],
      ),
    };
  }
  if (scheme.type === 'apiKey') {
    const title = `${app}: API key (${name})`;
    return {
      title,
      svg: sequenceSvg(
        title,
        ['Partner', 'Platform team', app, 'Upstream services'],
        [
          ['Platform team', 'Partner', 'issues a key bound to a partner id and scopes'],
          ['Partner', app, `request with ${scheme.name ?? 'the key'} header (${scheme.in ?? 'header'})`],
          [app, app, 'verify key (hash), expiry, revocation, scopes'],
          [app, app, 'per-partner rate limit and daily quota'],
          [app, 'Upstream services', 'fetch for the partner account'],
          [app, 'Partner', '200 JSON, or 401 invalid-api-key / 403 insufficient-scope / 429 quota-exceeded', true],
        ],
      ),
    };
  }
  const title = `${app}: ${name} (${scheme.type})`;
  return {
    title,
    svg: sequenceSvg(
      title,
      ['Client', app],
      [
        ['Client', app, `request with ${name} credentials`],
        [app, 'Client', 'answer, or a 401 problem', true],
      ],
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Pages

function layout(title: string, depth: number, apps: PortalApp[], body: string, head = ''): string {
  const up = depth ? '../'.repeat(depth) : './';
  const nav = [
    `<a href="${up}index.html">API reference</a>`,
    ...apps.map((app) => `<a href="${up}auth/${app.name}.html">Auth: ${escape(app.name)}</a>`),
    `<a href="${up}problems/index.html">Problem types</a>`,
    `<a href="${up}changelog.html">Changelog</a>`,
  ].join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} · BFF docs portal</title>
<link rel="stylesheet" href="${up}portal.css">
${head}
</head>
<body>
<header class="portal-header"><strong>BFF docs portal</strong><nav>${nav}</nav></header>
<main>
${body}
</main>
</body>
</html>
`;
}

const CSS = `body{margin:0;font-family:system-ui,sans-serif;color:#222}
.portal-header{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.25rem;background:#1b2b44;color:#fff;flex-wrap:wrap}
.portal-header a{color:#cfe0ff}
main{padding:1rem 1.25rem;max-width:1200px;margin:0 auto}
.picker{display:flex;gap:.75rem;align-items:center;margin:.5rem 0 1rem}
.picker select{font-size:1rem;padding:.25rem .5rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
.sequence{max-width:100%;height:auto;border:1px solid #ddd;background:#fff}
dl.problem dt{font-weight:bold;margin-top:.75rem}
code{background:#f3f3f3;padding:0 .2rem}
.breaking{color:#a00}
`;

function indexPage(apps: PortalApp[]): string {
  const options = apps.map((app) => `<option value="${app.name}">${escape(app.name)} — ${escape(app.title)}</option>`).join('');
  const body = `<div class="picker"><label for="app-picker">Client app</label><select id="app-picker">${options}</select>
<a id="auth-link" href="auth/${apps[0]?.name ?? ''}.html">How this app authenticates</a></div>
<div id="swagger-ui"></div>
<script src="swagger-ui/swagger-ui-bundle.js"></script>
<script src="portal.js"></script>`;
  return layout('API reference', 0, apps, body, '<link rel="stylesheet" href="swagger-ui/swagger-ui.css">');
}

/** Picker: ?app=<name> selects the document; Swagger UI renders it with operation ids shown. */
function portalScript(apps: PortalApp[]): string {
  return `const APPS = ${JSON.stringify(apps.map((app) => app.name))};
const picker = document.getElementById('app-picker');
const wanted = new URLSearchParams(location.search).get('app');
const app = APPS.includes(wanted) ? wanted : APPS[0];
picker.value = app;
document.getElementById('auth-link').href = 'auth/' + app + '.html';
document.body.dataset.app = app;
picker.addEventListener('change', () => {
  location.search = '?app=' + encodeURIComponent(picker.value);
});
window.ui = SwaggerUIBundle({
  url: 'openapi/' + app + '.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  displayOperationId: true,
  docExpansion: 'list',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  onComplete: () => { document.body.dataset.ready = app; },
});
`;
}

function authPage(app: PortalApp, apps: PortalApp[]): string {
  const schemes = (app.document.components as { securitySchemes?: Record<string, SecurityScheme> } | undefined)?.securitySchemes ?? {};
  // OpenAPI: an operation's `security` overrides the document's; none at all means no credentials.
  const documentSecurity = (app.document.security as Record<string, string[]>[] | undefined) ?? [];
  const access = operationsOf(app.document).map((op) => {
    const operation = (app.document.paths?.[op.path] as Json)[op.method] as { security?: Record<string, string[]>[] };
    const needs = (operation.security ?? documentSecurity)
      .map((requirement) =>
        Object.entries(requirement)
          .map(([scheme, scopes]) => (scopes.length ? `${scheme} (${scopes.join(', ')})` : scheme))
          .join(' + '),
      )
      .join(' or ');
    return `<tr><td><code>${op.method.toUpperCase()} ${escape(op.path)}</code></td><td>${escape(needs || 'no credentials')}</td></tr>`;
  });
  const sections = Object.entries(schemes).map(([name, scheme]) => {
    const { title, svg } = schemeSequence(app.name, name, scheme);
    return `<section data-scheme="${escape(name)}"><h2>${escape(name)}: ${escape(scheme.type)}${scheme.scheme ? ` (${escape(scheme.scheme)})` : ''}${scheme.in ? ` in ${escape(scheme.in)} <code>${escape(scheme.name ?? '')}</code>` : ''}</h2>
<p>${escape(scheme.description ?? '')}</p>
<figure>${svg}<figcaption>${escape(title)}</figcaption></figure></section>`;
  });
  const body = `<h1>${escape(app.title)}: authentication</h1>
<p><a href="../index.html?app=${app.name}">API reference for ${escape(app.name)}</a></p>
${sections.join('\n') || '<p>This app declares no security scheme.</p>'}
<h2>What each operation needs</h2>
<table><thead><tr><th>operation</th><th>credentials (scopes)</th></tr></thead><tbody>${access.join('')}</tbody></table>
<p>Every refusal is an RFC 9457 problem; see <a href="../problems/index.html">problem types</a>.</p>`;
  return layout(`${app.name} authentication`, 1, apps, body);
}

function problemsIndex(apps: PortalApp[], base: string, problems: readonly ProblemPage[]): string {
  const rows = [...problems]
    .sort((a, b) => a.slug.localeCompare(b.slug))
    .map(({ slug, info }) => `<tr><td><a href="${slug}.html">${slug}</a></td><td>${info.status}</td><td>${escape(info.title)}</td></tr>`)
    .join('\n');
  const body = `<h1>Problem types</h1>
<p>Every error leaves the BFFs as <code>application/problem+json</code> (RFC 9457). Its <code>type</code> is
<code>${escape(base)}&lt;slug&gt;</code>, and that URL is the page of the type below.</p>
<table><thead><tr><th>type (slug)</th><th>status</th><th>title</th></tr></thead><tbody>
${rows}
</tbody></table>`;
  return layout('Problem types', 1, apps, body);
}

function problemPage(slug: string, info: ProblemTypeInfo, apps: PortalApp[], base: string): string {
  const inline = (text: string): string => escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
  const body = `<article data-problem="${slug}">
<h1>${escape(info.title)}</h1>
<dl class="problem">
<dt>type</dt><dd><code>${escape(base + slug)}</code></dd>
<dt>status</dt><dd data-status>${info.status}</dd>
<dt>meaning</dt><dd>${inline(info.meaning)}</dd>
<dt>what to do</dt><dd>${inline(info.action)}</dd>
</dl>
<p>Every problem also carries <code>title</code>, <code>status</code>, <code>detail</code>, <code>instance</code> and
<code>requestId</code> (quote it when reporting).</p>
<p><a href="index.html">All problem types</a></p></article>`;
  return layout(info.title, 1, apps, body);
}

function changelogPage(apps: PortalApp[]): string {
  const list = (label: string, items: string[], cls = ''): string =>
    items.length
      ? `<h4>${label}</h4><ul${cls ? ` class="${cls}"` : ''}>${items.map((item) => `<li><code>${escape(item)}</code></li>`).join('')}</ul>`
      : '';
  const sections = apps.map((app) => {
    const entries = changelog(app);
    const body = entries
      .map(
        (entry) => `<section class="release"><h3>${escape(entry.release)} <small>${escape(entry.date)}</small></h3>
${list('Added', entry.added)}${list('Removed', entry.removed)}${list('Changed', entry.changed)}${list('Breaking', entry.breaking, 'breaking')}
${entry.added.length + entry.removed.length + entry.changed.length === 0 ? '<p>No change to the document.</p>' : ''}</section>`,
      )
      .join('\n');
    return `<section data-changelog="${app.name}"><h2>${escape(app.name)}</h2>${body || '<p>No release history available (not a git checkout).</p>'}</section>`;
  });
  const body = `<h1>Changelog</h1>
<p>Generated from OpenAPI diffs. A release is a git tag <code>v*</code>; without tags, each commit that changed
<code>openapi/&lt;app&gt;.json</code> on the main line is a step. "Unreleased since published …" compares today's
document with the published contract in <code>openapi/published/</code>. Breaking changes are those
<code>npm run openapi:compat</code> refuses.</p>
${sections.join('\n')}`;
  return layout('Changelog', 0, apps, body);
}

export interface PortalOptions {
  /** The problem type catalogue, one page each. */
  readonly problems: readonly ProblemPage[];
  /** Where to write the site; dist/portal by default. */
  readonly out?: string;
  /** The PROBLEM_TYPE_BASE the pages name; the environment's (or the default) when absent. */
  readonly base?: string;
}

/** Writes the whole site and returns what it holds. */
export function buildPortal({ problems, out = PORTAL_DIR, base = problemTypeBaseFromEnv() }: PortalOptions): {
  apps: PortalApp[];
  problems: number;
} {
  if (!problems.length) throw new Error('no problem types given');
  const apps = discoverApps();
  if (!apps.length) throw new Error('no app with an openapi/<app>.json: run npm run openapi first');
  rmSync(out, { recursive: true, force: true });
  for (const dir of ['swagger-ui', 'openapi', 'auth', 'problems']) mkdirSync(join(out, dir), { recursive: true });
  const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'NOTICE'])
    cpSync(join(swagger, file), join(out, 'swagger-ui', file));
  writeFileSync(join(out, 'portal.css'), CSS);
  writeFileSync(join(out, 'portal.js'), portalScript(apps));
  writeFileSync(join(out, 'index.html'), indexPage(apps));
  for (const app of apps) {
    writeFileSync(join(out, 'openapi', `${app.name}.json`), JSON.stringify(app.document));
    writeFileSync(join(out, 'auth', `${app.name}.html`), authPage(app, apps));
  }
  writeFileSync(join(out, 'problems', 'index.html'), problemsIndex(apps, base, problems));
  for (const { slug, info } of problems) writeFileSync(join(out, 'problems', `${slug}.html`), problemPage(slug, info, apps, base));
  writeFileSync(join(out, 'changelog.html'), changelogPage(apps));
  return { apps, problems: problems.length };
}

/** The same rule as libs/core's PROBLEM_TYPE_BASE, for the text the pages show. */
function problemTypeBaseFromEnv(): string {
  const raw = process.env.PROBLEM_TYPE_BASE?.trim();
  if (!raw) return 'https://bff.example.com/problems/';
  return raw.endsWith('/') ? raw : `${raw}/`;
}

// ---------------------------------------------------------------------------------------------------------
// Serving

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
};

/**
 * Serves a built portal like a static host with `try_files $uri $uri.html $uri/index.html`: so
 * `/problems/<slug>` (the problem `type` URL) answers problems/<slug>.html. GET and HEAD only.
 */
export function servePortal(dir: string, port = 0, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://portal').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const base = normalize(join(dir, path));
    if (base !== dir && !base.startsWith(dir + sep)) {
      res.writeHead(404).end();
      return;
    }
    const file = [base, `${base}.html`, join(base, 'index.html')].find(
      (candidate) => existsSync(candidate) && statSync(candidate).isFile(),
    );
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve) =>
    server.listen(port, host, () => resolve({ server, url: `http://${host}:${(server.address() as AddressInfo).port}` })),
  );
}
