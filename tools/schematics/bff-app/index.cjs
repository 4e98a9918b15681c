'use strict';
/**
 * Schematic `bff-app`: a new client BFF wired like the existing apps (docs/new-app.md).
 * Templates in ./files; the edits of shared files (nest-cli.json, the Kubernetes base and overlays,
 * the Dockerfile, .env.example, README) are made on the schematic's tree, so a dry run shows them all.
 * CommonJS because the schematics engine loads factories with require().
 */
const {
  apply,
  applyTemplates,
  chain,
  filter,
  mergeWith,
  move,
  renameTemplateFiles,
  SchematicsException,
  url,
} = require('@angular-devkit/schematics');

const AUTH_KINDS = ['session', 'jwt', 'api-key'];
const NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const NAME_MIN = 2;
const NAME_MAX = 20;
/** Names that would read as another part of the platform (libs, repo areas, infrastructure) or the existing clients. */
const RESERVED = new Set([
  'web',
  'mobile',
  'partner',
  'admin',
  'api',
  'app',
  'apps',
  'auth',
  'bench',
  'cache',
  'clients',
  'core',
  'deploy',
  'dist',
  'docs',
  'frontends',
  'health',
  'libs',
  'metrics',
  'node',
  'openapi',
  'retail',
  'sandbox',
  'scripts',
  'test',
  'tools',
  'upstream',
]);

/** Per auth kind: the module to import and the credentials the pod reads from its Secret. */
const AUTH = {
  jwt: { authModule: 'JwtAuthModule', secrets: [], like: 'mobile-bff' },
  session: { authModule: 'SessionAuthModule', secrets: ['OIDC_CLIENT_SECRET'], like: 'web-bff' },
  'api-key': { authModule: 'ApiKeyAuthModule', secrets: ['PARTNER_API_KEYS'], like: 'partner-bff' },
};

/** Why `name` cannot be a new client (undefined when it can). */
function nameProblem(name, projects, exists) {
  if (typeof name !== 'string' || name === '') return 'a client name is required, e.g. kiosk';
  if (name.endsWith('-bff') || name === 'bff')
    return `give the client name without "-bff" (the app becomes <name>-bff): e.g. ${name.replace(/-?bff$/, '') || 'kiosk'}`;
  if (!NAME_PATTERN.test(name)) {
    return `"${name}" is not lowercase kebab case: letters a-z, digits and single hyphens, starting with a letter (e.g. self-checkout)`;
  }
  if (name.length < NAME_MIN || name.length > NAME_MAX) return `"${name}" must be ${NAME_MIN} to ${NAME_MAX} characters long`;
  if (RESERVED.has(name)) return `"${name}" is reserved (an existing client or a part of the platform): pick another name`;
  const app = `${name}-bff`;
  if (projects[app] || projects[name]) return `a project named ${projects[app] ? app : name} already exists in nest-cli.json`;
  if (exists(`apps/${app}`)) return `apps/${app} already exists`;
  return undefined;
}

function readJson(tree, path) {
  const buffer = tree.read(path);
  if (!buffer) throw new SchematicsException(`${path} is missing: run the schematic at the repository root`);
  return JSON.parse(buffer.toString('utf8'));
}

function readText(tree, path) {
  const buffer = tree.read(path);
  if (!buffer) throw new SchematicsException(`${path} is missing`);
  return buffer.toString('utf8');
}

/** One above the highest `defaultPort` of the existing apps' definitions. */
function nextPort(tree, projects) {
  let highest = 2999;
  for (const [name, project] of Object.entries(projects)) {
    if (project.type !== 'application') continue;
    const text = tree.read(`${project.sourceRoot}/${name}.definition.ts`)?.toString('utf8') ?? '';
    const port = Number(/defaultPort:\s*(\d+)/.exec(text)?.[1] ?? 0);
    if (port > highest) highest = port;
  }
  return highest + 1;
}

/** Replaces the first match of `pattern` in `path`, failing loudly when the file no longer has the expected shape. */
function edit(tree, path, pattern, replace) {
  const text = readText(tree, path);
  if (!pattern.test(text)) throw new SchematicsException(`${path}: cannot find ${pattern} to register the new app; edit it by hand`);
  tree.overwrite(path, text.replace(pattern, replace));
}

/** The cells of a markdown table row (`| a | b |`). */
const cellsOf = (row) =>
  row
    .slice(1, -1)
    .split('|')
    .map((cell) => cell.trim());
const rowOf = (cells) => `| ${cells.join(' | ')} |`;

/** Edits the rows of the README table between `<!-- marker:start -->` and `<!-- marker:end -->`. */
function editReadmeTable(tree, marker, editRows) {
  const path = 'README.md';
  const text = readText(tree, path);
  const start = text.indexOf(`<!-- ${marker}:start -->`);
  const end = text.indexOf(`<!-- ${marker}:end -->`);
  if (start < 0 || end < start) throw new SchematicsException(`README.md: the markers <!-- ${marker}:start/end --> are missing`);
  const lines = text.slice(start, end).split('\n');
  tree.overwrite(path, text.slice(0, start) + editRows(lines).join('\n') + text.slice(end));
}

function registerProject(o) {
  return (tree) => {
    const config = readJson(tree, 'nest-cli.json');
    const entries = Object.entries(config.projects);
    const lastApp = entries.map(([, p]) => p.type).lastIndexOf('application');
    entries.splice(lastApp + 1, 0, [
      o.app,
      { type: 'application', root: `apps/${o.app}`, entryFile: `apps/${o.app}/src/main`, sourceRoot: `apps/${o.app}/src` },
    ]);
    config.projects = Object.fromEntries(entries);
    tree.overwrite('nest-cli.json', `${JSON.stringify(config, null, 2)}\n`);
  };
}

function registerKubernetes(o) {
  return (tree) => {
    edit(tree, 'deploy/k8s/base/kustomization.yaml', /((?:^ {2}- [a-z0-9-]+-bff\n)+)/m, `$1  - ${o.app}\n`);
    tree.getDir('deploy/k8s/overlays').visit((path) => {
      if (!path.endsWith('/kustomization.yaml')) return;
      const file = path.slice(1);
      // The image pin: the same tag as the apps already there.
      edit(
        tree,
        file,
        /((?:^ {2}- name: bff\/[a-z0-9-]+-bff\n {4}newTag: (.+)\n)+)/m,
        (all, _block, tag) => `${all}  - name: bff/${o.app}\n    newTag: ${tag}\n`,
      );
      // Per-app ConfigMap overrides (dev: LOG_LEVEL=debug): the same for the new app.
      const text = readText(tree, file);
      const blocks = [...text.matchAll(/^ {2}- name: ([a-z0-9-]+-bff)-config\n {4}behavior: merge\n {4}literals:\n(?: {6}- .*\n)+/gm)];
      const last = blocks.at(-1);
      if (last) {
        const copy = last[0].replace(`- name: ${last[1]}-config`, `- name: ${o.app}-config`);
        const at = last.index + last[0].length;
        tree.overwrite(file, text.slice(0, at) + copy + text.slice(at));
      }
    });
  };
}

function registerDockerfile(o) {
  return (tree) => {
    edit(
      tree,
      'Dockerfile',
      /((?:^# {3}docker build --build-arg APP=.*\n)+)/m,
      `$1#   docker build --build-arg APP=${o.app} --build-arg PORT=${o.port} -t bff/${o.app} .\n`,
    );
    edit(tree, 'Dockerfile', /^(# \((?:[a-z0-9-]+-bff \d+, )*[a-z0-9-]+-bff \d+)\)\./m, `$1, ${o.app} ${o.port}).`);
  };
}

function registerEnvExample(o) {
  return (tree) => {
    edit(tree, '.env.example', /^(# Listening port\. Default: .*?)\. 0 = ephemeral\./m, `$1, ${o.app} ${o.port}. 0 = ephemeral.`);
    edit(tree, '.env.example', /((?:^# [a-z0-9-]+-bff: [a-z, ]+\n)+)/m, `$1# ${o.app}: ${o.services.join(', ')}\n`);
  };
}

/** The README config-table rows naming the apps that read an auth kind's settings. */
const AUTH_ROWS = {
  jwt: ['`JWT_ISSUER`', '`JWT_DPOP`'],
  session: ['`OIDC_ISSUER_URL`'],
  'api-key': ['`PARTNER_API_KEYS`', '`PARTNER_DAILY_QUOTA`'],
};

function registerReadme(o) {
  return (tree) => {
    const clients = { jwt: 'bearer JWT', session: 'cookie session (server-side tokens)', 'api-key': 'API keys' };
    editReadmeTable(tree, 'bff-apps', (lines) => {
      const lastRow = lines.map((line) => line.startsWith('| `apps/')).lastIndexOf(true);
      lines.splice(lastRow + 1, 0, rowOf([`\`apps/${o.app}\``, `${o.name} client`, clients[o.auth], String(o.port)]));
      return lines;
    });
    editReadmeTable(tree, 'bff-config', (lines) =>
      lines.map((line) => {
        if (!line.startsWith('| ')) return line;
        const cells = cellsOf(line);
        if (cells[0] === '`PORT`') cells[2] = `${cells[2]}, ${o.name} ${o.port}`;
        else if (AUTH_ROWS[o.auth].some((prefix) => cells[0].startsWith(prefix))) cells[1] = `${cells[1]}, ${o.name}`;
        else return line;
        return rowOf(cells);
      }),
    );
  };
}

function bffApp(options) {
  return (tree) => {
    const name = options.name;
    const auth = options.auth;
    if (!AUTH_KINDS.includes(auth)) {
      throw new SchematicsException(`--auth must be one of ${AUTH_KINDS.join(', ')} (got ${auth === undefined ? 'nothing' : `"${auth}"`})`);
    }
    const projects = readJson(tree, 'nest-cli.json').projects ?? {};
    const problem = nameProblem(name, projects, (path) => tree.getDir(path).subfiles.length > 0 || tree.getDir(path).subdirs.length > 0);
    if (problem) throw new SchematicsException(problem);
    const app = `${name}-bff`;
    const port = options.port ?? nextPort(tree, projects);
    const words = name.split('-');
    const o = {
      name,
      app,
      auth,
      port,
      services: ['catalog', 'pricing', 'inventory'],
      className: words.map((w) => w[0].toUpperCase() + w.slice(1)).join('') + 'Bff',
      CONST: `${app.toUpperCase().replace(/-/g, '_')}`,
      title: `${words.join(' ').replace(/^./, (c) => c.toUpperCase())} BFF`,
      ...AUTH[auth],
    };
    const templates = apply(url('./files'), [
      // The sign-in routes exist only where callers hold a browser session.
      filter((path) => auth === 'session' || !path.includes('/src/auth/')),
      applyTemplates(o),
      renameTemplateFiles(),
      move('.'),
    ]);
    return chain([
      mergeWith(templates),
      registerProject(o),
      registerKubernetes(o),
      registerDockerfile(o),
      registerEnvExample(o),
      registerReadme(o),
    ]);
  };
}

module.exports = { bffApp, nameProblem, AUTH_KINDS };
