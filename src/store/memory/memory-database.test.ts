import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryDatabase } from './memory-database.js';

describe('MemoryDatabase', () => {
  it('a transaction that throws leaves every table as it was, including tables it created', async () => {
    const db = new MemoryDatabase();
    db.table<number>('a').set('x', 1);
    await assert.rejects(
      db.transaction(async () => {
        db.table<number>('a').set('x', 2);
        db.table<number>('a').set('y', 3);
        db.table<number>('b').set('z', 4);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual([...db.table('a')], [['x', 1]]);
    assert.equal(db.table('b').size, 0);
    assert.equal(db.inTransaction, false);
  });

  it('a savepoint rolls back alone while the outer transaction keeps its changes', async () => {
    const db = new MemoryDatabase();
    await db.transaction(async () => {
      db.table<number>('a').set('outer', 1);
      await db.transaction(async () => {
        db.table<number>('a').set('inner', 2);
        throw new Error('inner');
      }).catch(() => undefined);
    });
    assert.deepEqual([...db.table('a')], [['outer', 1]]);
  });
});
