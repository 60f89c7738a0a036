#!/usr/bin/env node
// Runs a type checker over files that must not type-check, and requires an error on each line
// that follows a `must fail` comment, and on no other line. For the frameworks whose templates
// have no `@ts-expect-error` (Svelte's markup, Angular's templates): without it, types that had
// quietly become `any` would pass.
//   node scripts/expect-type-errors.mjs <folder with the must-fail files> -- <checker command…>
// The checker runs in the current directory; it must report `file:line` (tsc and ngc) or
// svelte-check's `--output machine` lines.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const separator = process.argv.indexOf('--');
if (separator !== 3 || process.argv.length < 5) {
  console.error('usage: expect-type-errors.mjs <folder> -- <checker command…>');
  process.exit(2);
}
const folder = process.argv[2];
const [command, ...args] = process.argv.slice(separator + 1);

// `file:line` → the reason written in its `must fail` comment.
const expected = new Map();
for (const file of readdirSync(folder)) {
  if (!/\.(ts|svelte|vue|html)$/.test(file)) continue;
  const lines = readFileSync(join(folder, file), 'utf8').split('\n');
  lines.forEach((line, index) => {
    const marker = line.match(/must fail: (.*?)\s*(-->|\*\/)?\s*$/);
    if (marker) expected.set(`${file}:${index + 2}`, marker[1]);
  });
}
if (expected.size === 0) {
  console.error(`expect-type-errors: no \`must fail\` lines in ${folder}`);
  process.exit(1);
}

const run = spawnSync(command, args, { encoding: 'utf8', shell: false });
if (run.error) {
  console.error(`expect-type-errors: ${command}: ${run.error.message}`);
  process.exit(1);
}
// ngc colours its report even when it is not a terminal.
const output = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
const reported = new Set();
const patterns = [
  /ERROR "([^"]+)" (\d+):\d+/g, // svelte-check --output machine
  /([\w./-]+\.(?:ts|svelte|vue|html))[(:](\d+)[,:]\d+\)?:? -? ?error/g, // tsc and ngc
];
for (const pattern of patterns) {
  for (const [, file, line] of output.matchAll(pattern)) reported.add(`${basename(file)}:${line}`);
}

const missing = [...expected].filter(([at]) => !reported.has(at));
const unexpected = [...reported].filter((at) => !expected.has(at));
for (const [at, reason] of missing) console.error(`expect-type-errors: ${at} type-checked, but must fail (${reason})`);
for (const at of unexpected) console.error(`expect-type-errors: ${at} failed without a \`must fail\` comment`);
if (missing.length > 0 || unexpected.length > 0) {
  console.error(output);
  process.exit(1);
}
console.log(`expect-type-errors: all ${expected.size} \`must fail\` lines in ${folder} fail to type-check, and no other line`);
