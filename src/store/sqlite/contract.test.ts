import { SqliteCustomKeyStoreStore } from './sqlite-custom-key-store-store.js';
import { describe } from 'node:test';
import { AuditWriter } from '../../audit/audit-writer.js';
import { auditStoreContracts, auditTrailContracts, storeContracts } from '../contract/index.js';
import { openDatabase, transactionEnded, type SqliteDatabase } from './database.js';
import { SqliteApprovalStore } from './sqlite-approval-store.js';
import { SqliteAuditRows } from './sqlite-audit-rows.js';
import { SqliteAuditTrail } from './sqlite-audit-trail.js';
import { SqliteGrantStore } from './sqlite-grant-store.js';
import { SqliteKeyFacts } from './sqlite-key-facts.js';
import { SqliteKeyImportStore } from './sqlite-key-import-store.js';
import { SqliteKeyLifecycleStore } from './sqlite-key-lifecycle-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqlitePrincipalStore } from './sqlite-principal-store.js';
import { SqliteRewrapStore } from './sqlite-rewrap-store.js';
import { SqliteSealStore } from './sqlite-seal-store.js';
import { SqliteUnitOfWork } from './sqlite-unit-of-work.js';

/** One SQLite transaction around async work, as the audit log's unit of work opens it (the adapters nest savepoints). */
async function transaction<T>(db: SqliteDatabase, work: () => Promise<T>): Promise<T> {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    db.exec('COMMIT');
    transactionEnded(db, true);
    return result;
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    transactionEnded(db, false);
    throw e;
  }
}

describe('store contracts: SQLite', () => {
  storeContracts(() => {
    const db = openDatabase(':memory:');
    return {
      keys: new SqliteKeyStore(db),
      keyFacts: new SqliteKeyFacts(db),
      lifecycle: new SqliteKeyLifecycleStore(db),
      principals: new SqlitePrincipalStore(db),
      grants: new SqliteGrantStore(db),
      imports: new SqliteKeyImportStore(db),
      seal: new SqliteSealStore(db),
      rewrap: new SqliteRewrapStore(db),
      approvals: new SqliteApprovalStore(db),
      customKeyStores: new SqliteCustomKeyStoreStore(db),
      auditSigningKeys: new SqliteAuditRows(db),
      withTransaction: (work) => transaction(db, work),
      close: () => db.close(),
    };
  });
  auditStoreContracts(() => {
    const db = openDatabase(':memory:');
    return { uow: new SqliteUnitOfWork(db), rows: new SqliteAuditRows(db), close: () => db.close() };
  });
  auditTrailContracts(async ({ clock, signer, keyUseEvents, checkpointEvery }) => {
    const db = openDatabase(':memory:');
    const writer = await AuditWriter.open(new SqliteUnitOfWork(db), new SqliteAuditRows(db), { clock, checkpointEvery });
    writer.attachSigner(signer);
    const trail = new SqliteAuditTrail(db, () => writer.chainId, () => signer.publicKey, () => writer.checkpoint(), (m) => signer.sign(m), keyUseEvents);
    return {
      writer,
      trail,
      close: () => {
        writer.close();
        db.close();
      },
    };
  });
});
