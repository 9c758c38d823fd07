import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/server.js';
import { sourceFiles } from './layers.js';

describe('SQLite store conventions', () => {
  it('every write transaction is BEGIN IMMEDIATE (several worker processes share one database file)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(REPO_ROOT, 'src', 'store'))) {
      const text = readFileSync(file, 'utf8');
      const opened = text.match(/\.transaction\(/g)?.length ?? 0;
      const immediate = text.match(/\)\.immediate\(\)/g)?.length ?? 0;
      if (opened !== immediate) offenders.push(`${file}: ${opened} transactions, ${immediate} immediate`);
    }
    assert.deepEqual(offenders, []);
  });
});
