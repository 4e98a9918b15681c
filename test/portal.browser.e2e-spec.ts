/**
 * The docs portal (scripts/portal.ts) built from the current openapi/*.json and PROBLEM_TYPES, served as
 * static files, in Debian's Chromium: every app's operations are listed by the reference, every problem
 * type URL resolves to its page, the auth pages draw their sequence diagrams, the changelog renders.
 * Screenshots of each page land in test-results/portal/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PROBLEM_TYPES, problemSlug, type ProblemCode } from '@bff/core';

import { buildPortal, discoverApps, operationsOf, servePortal } from '../scripts/portal.ts';
import { browserAvailable, CHROMIUM_PATH } from './support/browser.js';

const SHOTS = join(import.meta.dirname, '..', 'test-results', 'portal');
const available = browserAvailable('the docs portal browser suite');
const apps = discoverApps();

describe.skipIf(!available)('docs portal in Chromium', () => {
  let dir: string;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(join(SHOTS, 'problems'), { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'portal-'));
    const problems = (Object.keys(PROBLEM_TYPES) as ProblemCode[]).map((code) => ({ slug: problemSlug(code), info: PROBLEM_TYPES[code] }));
    buildPortal({ problems, out: dir, base: 'https://docs.example.com/problems/' });
    ({ server, url } = await servePortal(dir));
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every app of nest-cli.json that has an OpenAPI document', () => {
    expect(apps.map((app) => app.name)).toEqual(expect.arrayContaining(['mobile-bff', 'partner-bff', 'web-bff']));
  });

  it('lists every operation of each app picked in the picker', { timeout: 90_000 }, async () => {
    await page.goto(`${url}/`);
    for (const app of apps) {
      await page.locator('#app-picker').selectOption(app.name);
      await page.locator(`body[data-ready=${JSON.stringify(app.name)}]`).waitFor({ state: 'attached' });
      await page.locator('.opblock').first().waitFor();
      const listed = await page.locator('.opblock').evaluateAll((blocks) =>
        blocks.map((block) => ({
          method: block.querySelector('.opblock-summary-method')?.textContent?.trim().toLowerCase(),
          path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
          operationId: block.querySelector('.opblock-summary-operation-id')?.textContent?.trim(),
        })),
      );
      const expected = operationsOf(app.document).map(({ method, path, operationId }) => ({ method, path, operationId }));
      expect(expected.length, `${app.name} has operations`).toBeGreaterThan(0);
      expect(listed, `${app.name} reference`).toEqual(expect.arrayContaining(expected));
      expect(listed).toHaveLength(expected.length);
      expect(await page.locator('.info .title').innerText()).toContain(app.title);
      await page.screenshot({ path: join(SHOTS, `reference-${app.name}.png`), fullPage: true });
    }
    expect(pageErrors).toEqual([]);
  });

  it("explains each app's auth with a sequence diagram per security scheme", async () => {
    for (const app of apps) {
      const response = await page.goto(`${url}/auth/${app.name}`);
      expect(response?.status()).toBe(200);
      const schemes = Object.keys((app.document.components as { securitySchemes?: object }).securitySchemes ?? {});
      expect(schemes.length).toBeGreaterThan(0);
      for (const scheme of schemes) {
        const diagram = page.locator(`section[data-scheme=${JSON.stringify(scheme)}] svg.sequence`);
        await expect(diagram.isVisible()).resolves.toBe(true);
        expect(await diagram.locator('line[marker-end]').count()).toBeGreaterThan(2);
      }
      await page.screenshot({ path: join(SHOTS, `auth-${app.name}.png`), fullPage: true });
    }
  });

  it('resolves every problem type URL to its page (title, status, type URI)', { timeout: 180_000 }, async () => {
    await page.goto(`${url}/problems/`);
    const codes = Object.keys(PROBLEM_TYPES) as ProblemCode[];
    expect(await page.locator('tbody tr').count()).toBe(codes.length);
    for (const code of codes) {
      const slug = problemSlug(code);
      const response = await page.goto(`${url}/problems/${slug}`);
      expect(response?.status(), slug).toBe(200);
      expect(await page.locator('h1').innerText()).toBe(PROBLEM_TYPES[code].title);
      expect(await page.locator('[data-status]').innerText()).toBe(String(PROBLEM_TYPES[code].status));
      expect(await page.locator(`article[data-problem=${JSON.stringify(slug)}]`).innerText()).toContain(
        `https://docs.example.com/problems/${slug}`,
      );
      await page.screenshot({ path: join(SHOTS, 'problems', `${slug}.png`) });
    }
    expect((await page.goto(`${url}/problems/no-such-type`))?.status()).toBe(404);
  });

  it('shows a changelog section per app built from OpenAPI diffs', async () => {
    const response = await page.goto(`${url}/changelog`);
    expect(response?.status()).toBe(200);
    for (const app of apps) {
      const section = page.locator(`section[data-changelog=${JSON.stringify(app.name)}]`);
      expect(await section.locator('section.release').count(), app.name).toBeGreaterThan(0);
    }
    await page.screenshot({ path: join(SHOTS, 'changelog.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
