import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { AuditWriter } from '../../audit/audit-writer.js';
import { auditStoreContracts, auditTrailContracts, storeContracts } from '../contract/index.js';
import { PostgresDatabase } from './database.js';
import { PostgresAuditRows } from './postgres-audit-rows.js';
import { PostgresAuditTrail } from './postgres-audit-trail.js';
import { postgresStores } from './postgres-stores.js';
import { PostgresUnitOfWork } from './postgres-unit-of-work.js';

/** Every table of the schema, children before parents, so that deleting in this order satisfies the foreign keys. */
const TABLES = [
  'audit_event_keys', 'audit_events', 'audit_tree_nodes', 'audit_tree_heads', 'audit_signing_keys', 'audit_chains',
  'custom_key_store_keys', 'custom_key_stores', 'key_versions', 'aliases', 'tags', 'key_policy_principals', 'key_rotation', 'key_destructions', 'import_tokens', 'key_imports',
  'access_keys', 'principal_tags', 'principal_policies', 'role_trust', 'sts_sessions', 'mfa_devices', 'grants', 'approval_rules', 'approval_requests', 'seal_config', 'keys', 'principals', 'domain_keys', 'cluster_nodes',
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

  /** The suite's database, emptied. */
  async function empty(): Promise<PostgresDatabase> {
    const pg = db;
    if (pg === undefined) throw new Error('database not open');
    await pg.transactions.run(async () => {
      for (const t of TABLES) await pg.db.query(`DELETE FROM ${t}`);
    });
    return pg;
  }

  storeContracts(async () => {
    const pg = await empty();
    return { ...postgresStores(pg), auditSigningKeys: new PostgresAuditRows(pg, 'node-a'), withTransaction: (work) => pg.transactions.run(work), close: () => undefined };
  });

  auditStoreContracts(async () => {
    const pg = await empty();
    return { uow: new PostgresUnitOfWork(pg), rows: new PostgresAuditRows(pg, 'node-a'), close: () => undefined };
  });

  auditTrailContracts(async ({ clock, signer, keyUseEvents, checkpointEvery }) => {
    const pg = await empty();
    const writer = await AuditWriter.open(new PostgresUnitOfWork(pg), new PostgresAuditRows(pg, 'node-a'), { clock, checkpointEvery });
    writer.attachSigner(signer);
    const trail = new PostgresAuditTrail(pg, () => writer.chainId, () => signer.publicKey, () => writer.checkpoint(), (m) => signer.sign(m), keyUseEvents);
    return { writer, trail, close: () => writer.close() };
  });
});
