import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The browser the browser suites drive: Debian's chromium (apt install chromium), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * Whether a Chromium can be launched for `suite`. When it cannot, the suite is skipped with a loud
 * message, unless REQUIRE_BROWSER=1 (CI), where that is an error (mirrors REQUIRE_REDIS, support/redis.ts).
 */
export function browserAvailable(suite: string): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    if (process.env.REQUIRE_BROWSER === '1')
      throw new Error(`REQUIRE_BROWSER=1 but no Chromium is executable at ${CHROMIUM_PATH} (${suite})`);
    console.warn(
      `\n*** No Chromium at ${CHROMIUM_PATH}: SKIPPING ${suite} (apt install chromium, or set CHROMIUM_PATH; REQUIRE_BROWSER=1 makes this an error) ***\n`,
    );
    return false;
  }
}

/** Builds the storefront SPA from its current sources into a fresh folder (what SPA_DIR points at). */
export function buildStorefront(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'storefront-'));
  const result = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'frontends/storefront/vite.config.ts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'error',
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`storefront build failed:\n${result.stderr}${result.stdout}`);
  return outDir;
}
