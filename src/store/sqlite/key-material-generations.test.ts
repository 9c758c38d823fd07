import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { KEY, keyVersion, T0 } from '../contract/fixture.js';
import { openDatabase } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteKeyImportStore } from './sqlite-key-import-store.js';

describe('SQLite migration 0014-key-material-generations', () => {
  it("turns an existing import record into the record of the key's primary version", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-0014-'));
    try {
      const path = join(dir, 'arca.db');
      // The schema as it was before 0014, with a key whose primary version is 3 and its import record.
      const old = new Database(path);
      old.pragma('foreign_keys = ON');
      old.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)');
      for (const m of [...MIGRATIONS].sort((a, b) => (a.id < b.id ? -1 : 1)).filter((x) => x.id < '0014')) {
        old.exec(m.sql);
        old.prepare('INSERT INTO schema_migrations (id) VALUES (?)').run(m.id);
      }
      // The rows as that schema held them (no region column yet).
      old.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (1, ?)').run(Buffer.from('domain-key-1'));
      old.prepare("INSERT INTO keys (id, seq, created_at, description, key_spec, key_usage, origin, state, primary_version, policy) VALUES (?, 1, 0, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'EXTERNAL', 'Enabled', 3, '{}')").run(KEY);
      const v = keyVersion(KEY, 3);
      old.prepare('INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at) VALUES (?, ?, ?, ?, ?)').run(KEY, 3, v.domainKeyVersion, v.wrappedMaterial, 0);
      old.prepare('INSERT INTO key_imports (key_id, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES (?, ?, ?, ?, ?, ?)').run(KEY, Buffer.from('fp'), 'KEY_MATERIAL_EXPIRES', T0.getTime() + 5, T0.getTime(), 'kept');
      old.close();

      const db = openDatabase(path);
      const imports = new SqliteKeyImportStore(db);
      const record = { keyId: KEY, version: 3, fingerprint: Buffer.from('fp'), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(T0.getTime() + 5), importedAt: T0, description: 'kept', rotatedAt: undefined } as const;
      assert.deepEqual(await imports.getImport(KEY), record);
      assert.deepEqual(await imports.listImports(KEY), [{ ...record, imported: true }]);
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
