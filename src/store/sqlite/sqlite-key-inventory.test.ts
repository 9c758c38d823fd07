import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addKeyWatchFixture, WATCH_IMPORTS, WATCH_NOW, WATCH_SOON } from '../contract/key-watch-fixture.js';
import { openDatabase } from './database.js';
import { sqliteKeyWatch } from './sqlite-key-inventory.js';
import { SqliteKeyLifecycleStore } from './sqlite-key-lifecycle-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

describe('sqliteKeyWatch', () => {
  it('counts overdue rotations of Enabled keys and imported material expiring within the bound', async () => {
    const db = openDatabase(':memory:');
    await addKeyWatchFixture(new SqliteKeyStore(db), new SqliteKeyLifecycleStore(db));
    const add = db.prepare('INSERT INTO key_imports (key_id, version, fingerprint, expiration_model, valid_to, imported_at) VALUES (?, 1, ?, ?, ?, ?)');
    for (const [id, model, to] of WATCH_IMPORTS) add.run(id, Buffer.alloc(4), model, to?.getTime() ?? null, 0);
    const watch = await sqliteKeyWatch(db)(WATCH_NOW, WATCH_SOON);
    assert.deepEqual(watch, { rotationOverdue: 2, materialExpiringSoon: 1, nextMaterialExpiration: new Date(WATCH_NOW.getTime() + 3 * 86_400_000) });
    db.close();
  });

  it('an empty store has nothing overdue and no expiration', async () => {
    const db = openDatabase(':memory:');
    assert.deepEqual(await sqliteKeyWatch(db)(WATCH_NOW, WATCH_SOON), { rotationOverdue: 0, materialExpiringSoon: 0, nextMaterialExpiration: undefined });
    db.close();
  });
});
