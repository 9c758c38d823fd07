import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { sourceFiles } from './layers.js';

const SRC = join(REPO_ROOT, 'src');
/** Issue 13: a module that needs more than this is two modules. */
const MAX_LINES = 400;
/** The capability folders of the service layer (docs/architecture.md); an operation belongs to one of them. */
const SERVICE_FOLDERS = ['access', 'approvals', 'audit-trail', 'crypto-ops', 'custom-key-stores', 'detection', 'identity', 'keys', 'managed-keys', 'operator', 'pipeline', 'xks'];

describe('shape of src/ (issue 13)', () => {
  it(`no source module over ${MAX_LINES} lines`, () => {
    const long = sourceFiles(SRC)
      .map((f) => ({ file: relative(SRC, f), lines: readFileSync(f, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `${f.file}: ${f.lines} lines`);
    assert.deepEqual(long, []);
  });

  it('src/service holds only its capability folders, no loose modules', () => {
    const entries = readdirSync(join(SRC, 'service'), { withFileTypes: true });
    assert.deepEqual(entries.filter((e) => !e.isDirectory()).map((e) => e.name), []);
    assert.deepEqual(entries.map((e) => e.name).sort(), SERVICE_FOLDERS);
  });
});
