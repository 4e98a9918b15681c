// Keeps docs/adr honest: every record has the sections of the short form in order, a known status and a
// "Revisit" line; the index lists every record; every relative link resolves inside the repository (anchors
// included); every repository path or source file written in backticks exists. The checkers are also run on
// broken samples, so a check that stopped finding anything would fail here rather than pass silently.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ADR_DIR = join(ROOT, 'docs/adr');
const ADR_FILE = /^(\d{4})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$/;
const SECTIONS = ['Status', 'Context', 'Decision', 'Consequences', 'Alternatives considered'] as const;
const STATUS = /^(Accepted|Proposed|Deprecated|Superseded by ADR \d{4})$/;
/** Directories never searched for a file named in backticks (generated, installed or tool output). */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.tools', 'test-results', 'coverage']);
/** Extensions of a bare file name (`login-state.ts`) that must exist somewhere in the repository. */
const SOURCE_FILE = /^[\w.-]+\.(?:ts|mts|mjs|cjs|js|json|md|yaml|yml)$/;

/** Lines outside fenced code blocks. */
function proseLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) lines.push(line);
  }
  return lines;
}

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, repeats suffixed -1, -2... */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The section headings (level 2) of a record, in order. */
function sectionsOf(markdown: string): string[] {
  return proseLines(markdown)
    .map((line) => /^##\s+(.+?)\s*$/.exec(line)?.[1])
    .filter((title): title is string => title !== undefined);
}

/** The first non-empty line under `## Status`. */
function statusOf(markdown: string): string | undefined {
  const lines = proseLines(markdown);
  const at = lines.findIndex((line) => /^##\s+Status\s*$/.test(line));
  return at < 0
    ? undefined
    : lines
        .slice(at + 1)
        .find((line) => line.trim() !== '')
        ?.trim();
}

/** Problems with the short form of one record; empty when it is fine. */
function formProblems(fileName: string, markdown: string): string[] {
  const problems: string[] = [];
  const number = ADR_FILE.exec(fileName)?.[1];
  if (!number) return [`${fileName}: not named NNNN-short-title.md`];
  if (!new RegExp(`^# ADR ${number}: \\S`).test(markdown)) problems.push(`${fileName}: first line is not "# ADR ${number}: <title>"`);
  const sections = sectionsOf(markdown);
  if (sections.join('|') !== SECTIONS.join('|'))
    problems.push(`${fileName}: sections are [${sections.join(', ')}], expected [${SECTIONS.join(', ')}]`);
  const status = statusOf(markdown);
  if (!status || !STATUS.test(status)) problems.push(`${fileName}: status "${status ?? ''}" is not one of ${STATUS.source}`);
  const consequences = markdown.split(/^## Consequences\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  if (!consequences.includes('**Revisit**')) problems.push(`${fileName}: Consequences has no **Revisit** line`);
  const lineCount = markdown.trimEnd().split('\n').length;
  if (lineCount > 100) problems.push(`${fileName}: ${lineCount} lines; an ADR is a short record (at most 100)`);
  return problems;
}

/** Markdown link targets (inline links and images), outside code. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  for (const line of proseLines(markdown)) {
    const text = line.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(match[1]);
  }
  return targets;
}

/** Broken relative links of one markdown file: missing target, outside the repository, unknown anchor. */
function linkProblems(file: string, markdown: string): string[] {
  const problems: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
    const [pathPart, anchor] = target.split('#', 2);
    const resolved = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    const inside = relative(ROOT, resolved);
    if (inside.startsWith('..') || inside.split(sep)[0] === '..') {
      problems.push(`${target}: points outside the repository`);
      continue;
    }
    if (!existsSync(resolved)) {
      problems.push(`${target}: ${inside} does not exist`);
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
      problems.push(`${target}: no heading with anchor #${anchor} in ${inside}`);
    }
  }
  return problems;
}

/** Every file's base name in the repository, outside generated and installed directories. */
function repositoryFileNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name));
      } else {
        names.add(entry.name);
      }
    }
  };
  walk(ROOT);
  return names;
}

/**
 * Repository paths written as inline code: a path whose first segment is a top-level entry of the
 * repository (`libs/upstream/src/attempt-abort.ts`, `nest-cli.json`), or a bare source file name
 * (`login-state.ts`). Patterns with placeholders (`<app>`, `*`, `{id}`) are not paths.
 */
function codePaths(markdown: string, topLevel: ReadonlySet<string>): { paths: string[]; fileNames: string[] } {
  const paths: string[] = [];
  const fileNames: string[] = [];
  for (const line of proseLines(markdown)) {
    for (const match of line.matchAll(/`([^`\s]+)`/g)) {
      const code = match[1];
      if (/[<>*{}$]/.test(code)) continue;
      const first = code.split('/')[0];
      if (topLevel.has(first)) paths.push(code.replace(/\/$/, ''));
      else if (!code.includes('/') && SOURCE_FILE.test(code)) fileNames.push(code);
    }
  }
  return { paths, fileNames };
}

const adrFiles = readdirSync(ADR_DIR)
  .filter((name) => ADR_FILE.test(name))
  .sort();
const markdownFiles = readdirSync(ADR_DIR).filter((name) => name.endsWith('.md'));
const read = (name: string): string => readFileSync(join(ADR_DIR, name), 'utf8');
const topLevel = new Set(readdirSync(ROOT).filter((name) => !SKIPPED_DIRS.has(name)));

describe('docs/adr', () => {
  it('holds numbered records, 0001 upward without gaps or repeats', () => {
    expect(adrFiles.length).toBeGreaterThanOrEqual(7);
    const numbers = adrFiles.map((name) => Number(ADR_FILE.exec(name)?.[1]));
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    // Anything else in the folder is the index.
    expect(markdownFiles.filter((name) => !ADR_FILE.test(name))).toEqual(['README.md']);
  });

  it.each(adrFiles)('%s has the short form: title, status, context, decision, consequences with Revisit, alternatives', (name) => {
    expect(formProblems(name, read(name))).toEqual([]);
  });

  it('the index lists every record once, with its status', () => {
    const index = read('README.md');
    for (const name of adrFiles) {
      const rows = index.split('\n').filter((line) => line.includes(`](${name})`));
      expect(rows, `${name} in docs/adr/README.md`).toHaveLength(1);
      expect(rows[0]).toContain(`| ${statusOf(read(name))}`);
    }
  });

  it.each(markdownFiles)('%s: every relative link resolves inside the repository, anchors included', (name) => {
    const markdown = read(name);
    expect(linkTargets(markdown).length).toBeGreaterThan(0);
    expect(linkProblems(join(ADR_DIR, name), markdown)).toEqual([]);
  });

  it('every repository path and source file named in backticks exists', () => {
    const known = repositoryFileNames();
    const missing: string[] = [];
    let checked = 0;
    for (const name of markdownFiles) {
      const { paths, fileNames } = codePaths(read(name), topLevel);
      checked += paths.length + fileNames.length;
      for (const path of paths) if (!existsSync(join(ROOT, path))) missing.push(`${name}: \`${path}\``);
      for (const fileName of fileNames) if (!known.has(fileName)) missing.push(`${name}: \`${fileName}\` (no such file)`);
    }
    expect(missing).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('the root README links the index', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/adr/README.md)');
    expect(statSync(join(ADR_DIR, 'README.md')).isFile()).toBe(true);
  });
});

describe('the ADR checkers catch what they look for', () => {
  const good = readFileSync(join(ADR_DIR, adrFiles[0]), 'utf8');

  it('a missing or misplaced section, a bad status, a missing Revisit line, a wrong number', () => {
    expect(formProblems(adrFiles[0], good)).toEqual([]);
    expect(formProblems(adrFiles[0], good.replace('## Context', '## Background')).join()).toMatch(/sections are/);
    expect(formProblems(adrFiles[0], good.replace(/## Status\n\nAccepted/, '## Status\n\nMaybe')).join()).toMatch(/status "Maybe"/);
    expect(formProblems(adrFiles[0], good.replaceAll('**Revisit**', 'Revisit')).join()).toMatch(/no \*\*Revisit\*\*/);
    expect(formProblems('0042-x.md', good).join()).toMatch(/first line is not "# ADR 0042/);
    expect(formProblems('notes.md', good).join()).toMatch(/not named/);
  });

  it('a missing file, a path outside the repository, an unknown anchor', () => {
    const file = join(ADR_DIR, 'sample.md');
    expect(linkProblems(file, '[ok](../caching.md#scopes-how-to-choose) [web](https://example.com/x)')).toEqual([]);
    expect(linkProblems(file, '[gone](../no-such-doc.md)').join()).toMatch(/does not exist/);
    expect(linkProblems(file, '[out](../../../shared/reference/landscape.md)').join()).toMatch(/outside the repository/);
    expect(linkProblems(file, '[anchor](../caching.md#no-such-heading)').join()).toMatch(/no heading with anchor/);
    expect(linkProblems(file, '```\n[in code](../no-such-doc.md)\n```')).toEqual([]);
  });

  it('paths in backticks: repository paths and bare source names are found, routes and placeholders are not', () => {
    const { paths, fileNames } = codePaths(
      'see `libs/cache/src/route/route-key.ts`, `nest-cli.json`, `login-state.ts`, `POST /auth/logout`, `/auth/user`, ' +
        '`dist/apps/<app>/main.js`, `@nestjs/axios`, `X-CSRF: 1`',
      topLevel,
    );
    expect(paths).toEqual(['libs/cache/src/route/route-key.ts', 'nest-cli.json']);
    expect(fileNames).toEqual(['login-state.ts']);
  });

  it('anchors follow GitHub: punctuation dropped, repeats numbered', () => {
    expect([
      ...anchorsOf('# Web: browser session (web-bff)\n## Caching (`@bff/cache`)\n## Tests\n## Tests\n```\n# not a heading\n```'),
    ]).toEqual(['web-browser-session-web-bff', 'caching-bffcache', 'tests', 'tests-1']);
  });
});
