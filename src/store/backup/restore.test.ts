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

describe('restoreIntoSqlite reads the rows of backups made by older versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'arca-restore-old-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keys and aliases without a region, import records of one per key (before 0013 and 0014), grants without service principals', async () => {
    const key = (id: string, primaryVersion: number) => [id, primaryVersion, 0, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'EXTERNAL', 'Enabled', primaryVersion, null, '{}', null];
    const rows: Record<string, (readonly NeutralValue[])[]> = {
      keys: [key('k-1', 3), key('k-2', 1)],
      aliases: [['alias/old', 'k-1', 0, 0]],
      // 0013's shape (with a description), and the shape before it.
      key_imports: [['k-1', Buffer.from('fp1').toString('base64'), 'KEY_MATERIAL_DOES_NOT_EXPIRE', null, 0, 'kept'], ['k-2', Buffer.from('fp2').toString('base64'), 'KEY_MATERIAL_DOES_NOT_EXPIRE', null, 0]],
    };
    const source: RestoreSource = {
      chains: [],
      async *rowsOf(spec: TableSpec) {
        yield* rows[spec.table] ?? [];
      },
      finish: async () => undefined,
    };
    await restoreIntoSqlite(join(dir, 'old'), source);
    const db = new Database(join(dir, 'old', 'arca.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT key_id, version, material_description, rotated_at FROM key_imports ORDER BY key_id').all(), [
        { key_id: 'k-1', version: 3, material_description: 'kept', rotated_at: null },
        { key_id: 'k-2', version: 1, material_description: null, rotated_at: null },
      ]);
      // '' until the store opens with its home region (adoptHomeRegion).
      assert.deepEqual(db.prepare('SELECT id, region, primary_region FROM keys ORDER BY id').all(), [{ id: 'k-1', region: '', primary_region: null }, { id: 'k-2', region: '', primary_region: null }]);
      assert.deepEqual(db.prepare('SELECT region, name FROM aliases').all(), [{ region: '', name: 'alias/old' }]);
    } finally {
      db.close();
    }
  });
});
