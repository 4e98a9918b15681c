import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

// scripts/new-app.mjs on this repository: what it refuses, and what a dry run would write. The full
// generation (build, e2e, OpenAPI, k8s) runs in a copy of the repository: npm run check:new-app.
const root = join(import.meta.dirname, '..');

function newApp(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(root, 'scripts/new-app.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run new:app', () => {
  it.each([
    [['web', '--auth', 'session'], /"web" is reserved/],
    [['core', '--auth', 'jwt'], /"core" is reserved/],
    [['kiosk-bff', '--auth', 'jwt'], /without "-bff"/],
    [['Kiosk', '--auth', 'jwt'], /"Kiosk" is not lowercase kebab case/],
    [['kiosk--2', '--auth', 'jwt'], /not lowercase kebab case/],
    [['2kiosk', '--auth', 'jwt'], /not lowercase kebab case/],
    [['k', '--auth', 'jwt'], /must be 2 to 20 characters long/],
    [['a-very-long-client-name', '--auth', 'jwt'], /must be 2 to 20 characters long/],
    [['kiosk'], /--auth must be one of session, jwt, api-key \(got nothing\)/],
    [['kiosk', '--auth', 'oauth'], /--auth must be one of session, jwt, api-key \(got "oauth"\)/],
    [['kiosk', '--auth', 'jwt', '--port', '80'], /--port must be an integer 1024\.\.65535/],
    [['--auth', 'jwt'], /a client name is required/],
    [['kiosk', 'extra', '--auth', 'jwt'], /one client name, got kiosk extra/],
    [['kiosk', '--auth', 'jwt', '--colour'], /Unknown option '--colour'/],
  ])('refuses %j with exit code 2 and the reason', (args, reason) => {
    const result = newApp(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('usage: npm run new:app -- <name> --auth session|jwt|api-key');
  });

  it.each(['web-bff', 'mobile-bff', 'partner-bff'])('refuses the name of the existing client %s', (project) => {
    const result = newApp(project.replace(/-bff$/, ''), '--auth', 'jwt');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/is reserved|already exists/);
  });

  it.each([
    ['session', ['apps/kiosk-bff/src/auth/auth.controller.ts']],
    ['jwt', []],
    ['api-key', []],
  ])('dry run with --auth %s lists every file it would create and edit, and writes nothing', (auth, extra) => {
    const result = newApp('kiosk', '--auth', auth, '--dry-run');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const created = [...result.stdout.matchAll(/^ {2}create (\S+)$/gm)].map((match) => match[1]);
    const updated = [...result.stdout.matchAll(/^ {2}update (\S+)$/gm)].map((match) => match[1]);
    expect(created).toEqual(
      expect.arrayContaining([
        'apps/kiosk-bff/src/kiosk-bff.definition.ts',
        'apps/kiosk-bff/src/kiosk-bff.module.ts',
        'apps/kiosk-bff/src/main.ts',
        'apps/kiosk-bff/src/screens/home-screen.controller.ts',
        'apps/kiosk-bff/src/screens/home-screen.dto.ts',
        'test/kiosk-bff.e2e-spec.ts',
        'deploy/k8s/base/kiosk-bff/deployment.yaml',
        'deploy/k8s/base/kiosk-bff/config.env',
        ...extra,
      ]),
    );
    if (auth !== 'session') expect(created.some((file) => file.includes('/auth/'))).toBe(false);
    expect(updated.sort()).toEqual([
      '.env.example',
      'Dockerfile',
      'README.md',
      'deploy/k8s/base/kustomization.yaml',
      'deploy/k8s/overlays/dev/kustomization.yaml',
      'deploy/k8s/overlays/prod/kustomization.yaml',
      'nest-cli.json',
    ]);
    expect(result.stdout).toContain('dry run: nothing written');
    expect(existsSync(join(root, 'apps/kiosk-bff'))).toBe(false);
  });
});
