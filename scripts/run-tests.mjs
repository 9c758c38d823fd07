#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js whose .ts source still exists) with node's test runner.
// Node 20's `node --test` takes no globs, so the files are listed here. Extra arguments are passed
// through as file filters: `npm test -- sigv4` runs only files whose path contains "sigv4".
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = ['src', 'test']
  .map((d) => join(root, 'dist', d))
  .filter(existsSync)
  .flatMap(walk)
  .filter((f) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts')))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (files.length === 0 && !filters.some((x) => x.startsWith('web'))) {
  console.error('run-tests: no test files found (did the build run?)');
  process.exit(1);
}
const r = files.length === 0 ? { status: 0 } : spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit', cwd: root });
// The console's component tests (web/test, Vitest), unless a filter names only other files.
let web = 0;
if (filters.length === 0 || filters.some((x) => 'web/test'.includes(x) || x.startsWith('web'))) {
  const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  web = spawnSync(process.execPath, [vitest, 'run', '--root', join(root, 'web')], { stdio: 'inherit', cwd: root }).status ?? 1;
}
process.exit(r.status || web);
