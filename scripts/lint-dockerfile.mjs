#!/usr/bin/env node
/**
 * Lints the Dockerfile.
 *
 *   node scripts/lint-dockerfile.mjs [path/to/Dockerfile]   (default: ./Dockerfile)
 *
 * 1. dockerfile-utils `validate()` with every configurable check enabled
 *    (with no settings object those checks default to "ignore"). Any diagnostic
 *    of severity Error or Warning fails the run.
 * 2. House rules for this repo's images:
 *    - every external base image is `node:24-<variant>` (pinned major);
 *    - no `npm install` / `npm i` / `npm add` — only `npm ci` (lockfile-exact);
 *    - a production install uses `npm ci --omit=dev`;
 *    - the final stage: runs as a non-root USER, has a HEALTHCHECK,
 *      sets NODE_ENV=production, EXPOSEs a port, and its CMD (and ENTRYPOINT,
 *      if any) is exec form (JSON array) without a `sh -c` wrapper;
 *    - the final CMD starts node with exactly the production node flags
 *      (scripts/production-node-flags.ts), which the benchmark and the e2e
 *      suites use too: what is measured and tested is what the image runs.
 *
 * Exit code 0 = clean, 1 = findings, 2 = usage / IO error.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import process from 'node:process';

import { validate, ValidationSeverity } from 'dockerfile-utils';

import { PRODUCTION_NODE_FLAGS } from './production-node-flags.ts';

const file = resolve(process.argv[2] ?? 'Dockerfile');
const rel = relative(process.cwd(), file);
const display = rel && !rel.startsWith('..') ? rel : file;

let content;
try {
  content = readFileSync(file, 'utf8');
} catch (error) {
  console.error(`lint-dockerfile: cannot read ${display}: ${error.message}`);
  process.exit(2);
}

/** @type {{ line: number, source: string, message: string }[]} */
const findings = [];
const report = (line, source, message) => findings.push({ line, source, message });

// ---------------------------------------------------------------------------
// 1) dockerfile-utils
// ---------------------------------------------------------------------------
const ALL_CHECKS = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};
// LSP DiagnosticSeverity: 1 Error, 2 Warning, 3 Information, 4 Hint.
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'hint' };
for (const diagnostic of validate(content, ALL_CHECKS)) {
  const severity = diagnostic.severity ?? 1;
  if (severity <= 2) {
    report(
      diagnostic.range.start.line + 1,
      `dockerfile-utils/${SEVERITY[severity]}`,
      `${diagnostic.message}${diagnostic.code === undefined ? '' : ` (code ${diagnostic.code})`}`,
    );
  }
}

// ---------------------------------------------------------------------------
// 2) House rules — a small parser: logical instructions with their line numbers
// ---------------------------------------------------------------------------
/**
 * @returns {{ keyword: string, args: string, line: number }[]}
 */
function parseInstructions(text) {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives (`# escape=` ...) are only valid before the first instruction.
  for (const raw of lines) {
    const directive = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(raw.trim());
    if (directive) {
      escape = directive[1];
      continue;
    }
    if (/^#\s*\w+\s*=/.test(raw.trim())) continue;
    break;
  }

  const instructions = [];
  let current = null;
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    // Comment lines are dropped, also in the middle of a continued instruction.
    if (trimmed.startsWith('#')) continue;
    if (current === null) {
      if (trimmed === '') continue;
      current = { text: '', line: i + 1 };
    }
    if (trimmed.endsWith(escape)) {
      current.text += `${trimmed.slice(0, -1)} `;
      continue;
    }
    current.text += trimmed;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(current.text.trim());
    if (match) {
      instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: current.line });
    }
    current = null;
  }
  if (current !== null) {
    const match = /^(\S+)\s*([\s\S]*)$/.exec(current.text.trim());
    if (match) instructions.push({ keyword: match[1].toUpperCase(), args: match[2].trim(), line: current.line });
  }
  return instructions;
}

/** Strips leading `--flag[=value]` options (FROM --platform, COPY --from, ...). */
function withoutFlags(args) {
  return args.replace(/^(?:--\S+\s+)*/, '');
}

/** Parses an exec-form (JSON array of strings) argument, or returns null. */
function execForm(args) {
  if (!args.startsWith('[')) return null;
  try {
    const value = JSON.parse(args);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
  } catch {
    return null;
  }
}

const instructions = parseInstructions(content);

// Split into stages.
const stages = [];
for (const instruction of instructions) {
  if (instruction.keyword === 'FROM') {
    const [image = '', as, name] = withoutFlags(instruction.args).split(/\s+/);
    stages.push({
      image,
      name: as?.toUpperCase() === 'AS' ? name : undefined,
      line: instruction.line,
      instructions: [],
    });
  } else if (stages.length > 0) {
    stages.at(-1).instructions.push(instruction);
  }
}

const RULE = 'house-rule';
/** A shell as argv[0] (sh, bash, dash, ash, with or without a path). */
const SHELL = /(?:^|\/)(?:ba|da|a)?sh$/;

if (stages.length === 0) {
  report(1, RULE, 'No FROM instruction found.');
} else {
  // Base images: node:24-<variant>. Earlier stage names may be used as bases.
  const knownStages = new Set();
  for (const stage of stages) {
    const isStageRef = knownStages.has(stage.image.toLowerCase());
    if (!isStageRef && !/^node:24-[a-z0-9][a-z0-9._-]*(?:@sha256:[a-f0-9]{64})?$/.test(stage.image)) {
      report(
        stage.line,
        RULE,
        `Base image "${stage.image}" must be node:24-<variant> (e.g. node:24-slim): pinned Node major, no "latest".`,
      );
    }
    if (stage.name) knownStages.add(stage.name.toLowerCase());
  }

  // npm: only `npm ci`, and a production install must omit devDependencies.
  let sawOmitDev = false;
  for (const { keyword, args, line } of instructions) {
    if (keyword !== 'RUN') continue;
    for (const command of args.split(/&&|\|\||;|\|/)) {
      const npm = /(?:^|\s)npm\s+(\S+)(.*)$/.exec(command.trim());
      if (!npm) continue;
      const [, sub, rest] = npm;
      if (['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal', 'isntall', 'add'].includes(sub)) {
        report(line, RULE, `"npm ${sub}" is not allowed: use "npm ci" (installs exactly package-lock.json).`);
      }
      if ((sub === 'ci' || sub === 'clean-install') && /--omit[= ]dev\b|--production\b|--only[= ]prod/.test(rest)) {
        sawOmitDev = true;
      }
    }
  }
  if (!sawOmitDev) {
    report(stages[0].line, RULE, 'No production install found: expected "npm ci --omit=dev" in a stage.');
  }

  // Final stage.
  const final = stages.at(-1);
  const finalOf = (keyword) => final.instructions.filter((instruction) => instruction.keyword === keyword);
  const where = `final stage (FROM ${final.image}${final.name ? ` AS ${final.name}` : ''}, line ${final.line})`;

  const users = finalOf('USER');
  if (users.length === 0) {
    report(final.line, RULE, `${where} has no USER: the runtime must not run as root.`);
  } else {
    const last = users.at(-1);
    const user = last.args.split(':')[0].trim();
    if (user === '' || user === 'root' || user === '0') {
      report(last.line, RULE, `${where} runs as "${last.args}": use a non-root user (e.g. USER node).`);
    }
  }

  const healthchecks = finalOf('HEALTHCHECK');
  if (healthchecks.length === 0 || /^NONE$/i.test(healthchecks.at(-1).args.trim())) {
    report(final.line, RULE, `${where} has no HEALTHCHECK.`);
  }

  const nodeEnvProduction = finalOf('ENV').some(({ args }) => /(?:^|\s)NODE_ENV(?:=|\s+)"?production"?(?:\s|$)/.test(args));
  if (!nodeEnvProduction) {
    report(final.line, RULE, `${where} does not set ENV NODE_ENV=production.`);
  }

  if (finalOf('EXPOSE').length === 0) {
    report(final.line, RULE, `${where} does not EXPOSE the app port.`);
  }

  const cmds = finalOf('CMD');
  if (cmds.length === 0 && finalOf('ENTRYPOINT').length === 0) {
    report(final.line, RULE, `${where} has no CMD.`);
  }
  for (const keyword of ['CMD', 'ENTRYPOINT']) {
    for (const { args, line } of finalOf(keyword)) {
      const argv = execForm(args);
      if (argv === null) {
        report(line, RULE, `${keyword} must use exec form, e.g. ${keyword} ["node", "/app/main.js"], so node receives SIGTERM directly.`);
      } else if (argv.length === 0) {
        report(line, RULE, `${keyword} is an empty array.`);
      } else if (SHELL.test(argv[0]) && argv.includes('-c')) {
        report(line, RULE, `${keyword} wraps the process in "${argv[0]} -c": the shell, not node, would be PID 1.`);
      }
    }
  }
  const cmd = cmds.at(-1);
  const argv = cmd ? execForm(cmd.args) : null;
  if (argv && argv.length > 0 && !SHELL.test(argv[0])) {
    const expected = ['node', ...PRODUCTION_NODE_FLAGS, argv.at(-1)];
    if (JSON.stringify(argv) !== JSON.stringify(expected)) {
      report(
        cmd.line,
        RULE,
        `CMD must start node with the production node flags of scripts/production-node-flags.ts: ${JSON.stringify(expected)}.`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------
findings.sort((a, b) => a.line - b.line);
if (findings.length > 0) {
  for (const { line, source, message } of findings) {
    console.error(`${display}:${line}  ${source}  ${message}`);
  }
  console.error(`\nlint-dockerfile: ${findings.length} problem(s) in ${display}`);
  process.exit(1);
}
console.log(`lint-dockerfile: ${display} OK (${stages.length} stages, final: ${stages.at(-1).name ?? stages.at(-1).image})`);
