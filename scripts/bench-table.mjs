#!/usr/bin/env node
/**
 * `npm run bench:table`: renders the results table of docs/performance.md from the latest full benchmark
 * run (bench/results/latest.md, written by `npm run bench`) and writes it between the markers
 * `<!-- results-table:start -->` and `<!-- results-table:end -->`.
 *
 *   node scripts/bench-table.mjs [--from <report.md>] [--check]
 *
 * --from   another report of scripts/bench.mjs (default bench/results/latest.md)
 * --check  write nothing; exit 1 when docs/performance.md does not hold the table the report gives
 *
 * A quick, partial (--only, --scenarios) or profiled run is refused: the table stands for the whole benchmark.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { format, resolveConfig } from 'prettier';

import { ROOT } from '../bench/lib/processes.mjs';
import { incompleteRun, parseReport, renderTable } from '../bench/lib/results-table.mjs';

const DOC = join(ROOT, 'docs/performance.md');
const START = '<!-- results-table:start -->';
const END = '<!-- results-table:end -->';

function fail(message) {
  console.error(`bench:table: ${message}`);
  process.exit(1);
}

const { values: args } = parseArgs({ options: { from: { type: 'string' }, check: { type: 'boolean', default: false } } });
const from = resolve(args.from ?? join(ROOT, 'bench/results/latest.md'));

let report;
try {
  report = parseReport(readFileSync(from, 'utf8'));
} catch (error) {
  fail(`${from}: ${error.message}`);
}
const incomplete = incompleteRun(report);
if (incomplete) fail(`${from} is not a complete full run (${incomplete}): run \`npm run bench\` first, or pass --from`);

const doc = readFileSync(DOC, 'utf8');
const [start, end] = [doc.indexOf(START), doc.indexOf(END)];
if (start < 0 || end < start) fail(`docs/performance.md has no ${START} … ${END} markers`);
const updated = await format(`${doc.slice(0, start + START.length)}\n\n${renderTable(report)}\n\n${doc.slice(end)}`, {
  ...(await resolveConfig(DOC)),
  filepath: DOC,
});

if (args.check) {
  if (updated !== doc) fail('docs/performance.md does not hold the table of the latest full run: run `npm run bench:table`');
  console.log('bench:table: docs/performance.md is up to date');
} else {
  writeFileSync(DOC, updated);
  console.log(`bench:table: docs/performance.md ← ${report.scenarios.length} scenarios of the run of ${report.startedAt}`);
}
