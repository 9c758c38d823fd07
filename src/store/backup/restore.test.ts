import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { TableSpec } from '../migrate/tables.js';
import type { NeutralValue } from './neutral.js';
import { restoreIntoSqlite, type RestoreSource } from './restore.js';

/** A source of one principal row whose `finish` answers as told (a streamed payload's final check). */
function sourceOf(finish: () => Promise<void>): RestoreSource & { readonly asked: string[] } {
  const asked: string[] = [];
  return {
    chains: [],
    asked,
    async *rowsOf(spec: TableSpec): AsyncIterable<readonly NeutralValue[]> {
      asked.push(spec.table);
      if (spec.table === 'principals') yield ['p-1', 'user', 'someone', 'arn:aws:iam::111122223333:user/someone', 0];
    },
    finish,
  };
}

describe('restoreIntoSqlite commits only after the source finishes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-restore-unit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every row in one transaction, asking for each table once in order, then commits', async () => {
    const target = join(dir, 'ok');
    const source = sourceOf(async () => undefined);
    const counts = await restoreIntoSqlite(target, source);
    assert.equal(counts.find((c) => c.table === 'principals')?.rows, 1);
    assert.equal(new Set(source.asked).size, source.asked.length);
    const db = new Database(join(target, 'arca.db'), { readonly: true });
    try {
      assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM principals').get()?.n, 1);
    } finally {
      db.close();
    }
  });

  it('rolls back and removes the new database when finish refuses after every row was written', async () => {
    const target = join(dir, 'refused');
    await assert.rejects(restoreIntoSqlite(target, sourceOf(async () => { throw new Error('the payload tag does not verify'); })), /tag does not verify/);
    assert.equal(existsSync(join(target, 'arca.db')), false);
    assert.deepEqual(readdirSync(target), []);
  });
});
