import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const GENERATOR = join(ROOT, 'scripts/clients.mjs');

function applications(root: string): string[] {
  const { projects } = JSON.parse(readFileSync(join(root, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { type: string }> };
  return Object.entries(projects)
    .filter(([, project]) => project.type === 'application')
    .map(([name]) => name);
}

function generator(...args: string[]) {
  return spawnSync(process.execPath, [GENERATOR, ...args], { cwd: ROOT, encoding: 'utf8' });
}

/** Type errors of a tsconfig project (the clients, their usage examples), as readable lines. */
function diagnostics(tsconfig: string): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(tsconfig, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('typed clients (clients/<app>)', () => {
  const temp = mkdtempSync(join(tmpdir(), 'bff-clients-'));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it('has a package for every application of nest-cli.json', () => {
    const apps = applications(ROOT);
    expect(apps.length).toBeGreaterThanOrEqual(3);
    for (const app of apps) {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'clients', app, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(pkg).toMatchObject({ name: `@bff-clients/${app}`, private: true, type: 'module', exports: { '.': './src/index.ts' } });
      for (const file of ['src/index.ts', 'src/schema.gen.ts', 'README.md'])
        expect(existsSync(join(ROOT, 'clients', app, file))).toBe(true);
    }
  });

  it('are current: the drift check passes on the committed files', () => {
    const result = generator('--check');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60_000);

  it('the drift check fails on a stale or missing client, and generation gives a new app its client', () => {
    const root = join(temp, 'repo');
    mkdirSync(join(root, 'openapi'), { recursive: true });
    const nest = JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')) as { projects: Record<string, unknown> };
    nest.projects['kiosk-bff'] = {
      type: 'application',
      root: 'apps/kiosk-bff',
      entryFile: 'apps/kiosk-bff/src/main',
      sourceRoot: 'apps/kiosk-bff/src',
    };
    writeFileSync(join(root, 'nest-cli.json'), JSON.stringify(nest));
    for (const app of applications(ROOT)) cpSync(join(ROOT, 'openapi', `${app}.json`), join(root, 'openapi', `${app}.json`));
    cpSync(join(ROOT, 'openapi/partner-bff.json'), join(root, 'openapi/kiosk-bff.json'));
    cpSync(join(ROOT, 'clients'), join(root, 'clients'), { recursive: true });

    const missing = generator('--check', '--root', root);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('clients/kiosk-bff/src/index.ts is missing');

    expect(generator('--root', root).status).toBe(0);
    const index = readFileSync(join(root, 'clients/kiosk-bff/src/index.ts'), 'utf8');
    expect(index).toContain('export function createKioskBffClient(');
    expect(JSON.parse(readFileSync(join(root, 'clients/kiosk-bff/package.json'), 'utf8'))).toMatchObject({
      name: '@bff-clients/kiosk-bff',
    });
    expect(generator('--check', '--root', root).status).toBe(0);

    writeFileSync(join(root, 'clients/web-bff/src/schema.gen.ts'), '// edited by hand\n');
    const stale = generator('--check', '--root', root);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('clients/web-bff/src/schema.gen.ts is stale');

    writeFileSync(join(root, 'nest-cli.json'), JSON.stringify({ projects: { 'web-bff': { type: 'application' } } }));
    expect(generator('--root', root).status).toBe(1);
    const orphans = generator('--check', '--root', root);
    expect(orphans.status).toBe(1);
    expect(orphans.stderr).toContain('clients/kiosk-bff belongs to no application of nest-cli.json');
    expect(orphans.stderr).not.toContain('clients/runtime');
  }, 180_000);

  it('compile, with the typed usage examples, against their documents (no type errors)', () => {
    expect(diagnostics(join(ROOT, 'clients/tsconfig.json'))).toEqual([]);
  }, 60_000);
});
