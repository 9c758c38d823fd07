import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { storeContracts } from '../contract/index.js';
import { PostgresDatabase } from './database.js';
import { postgresStores } from './postgres-stores.js';

/** Every table of the schema, children before parents, so that deleting in this order satisfies the foreign keys. */
const TABLES = [
  'key_versions', 'aliases', 'tags', 'key_policy_principals', 'key_rotation', 'key_destructions', 'import_tokens', 'key_imports',
  'access_keys', 'principal_tags', 'principal_policies', 'grants', 'seal_config', 'keys', 'principals', 'domain_keys',
];

describeWithPostgres('store contracts: PostgreSQL', (cluster) => {
  // One migrated database for the suite, emptied before each test in one transaction: with fsync=on a
  // CREATE DATABASE per test (300-500 ms here) or a TRUNCATE (200-400 ms) would take the suite past a minute.
  let db: PostgresDatabase | undefined;
  before(async () => {
    db = await PostgresDatabase.open({ url: cluster().url(await cluster().createDatabase()), pool: { max: 4 } });
    const found = await db.db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'");
    assert.deepEqual(found.rows.map((r) => r.tablename).sort(), [...TABLES].sort(), 'a new table must be emptied between tests: add it to TABLES');
  });
  after(() => db?.close());

  storeContracts(async () => {
    const pg = db;
    if (pg === undefined) throw new Error('database not open');
    await pg.transactions.run(async () => {
      for (const t of TABLES) await pg.db.query(`DELETE FROM ${t}`);
    });
    return { ...postgresStores(pg), withTransaction: (work) => pg.transactions.run(work), close: () => undefined };
  });
});
