import { describe } from 'node:test';
import { auditStoreContracts, storeContracts } from '../contract/index.js';
import { MemoryAuditRows } from './memory-audit-rows.js';
import { MemoryDatabase } from './memory-database.js';
import { memoryStores } from './memory-stores.js';
import { MemoryUnitOfWork } from './memory-unit-of-work.js';

describe('store contracts: memory', () => {
  storeContracts(() => {
    const db = new MemoryDatabase();
    return { ...memoryStores(db), auditSigningKeys: new MemoryAuditRows(db), withTransaction: (work) => db.transaction(work), close: () => undefined };
  });
  auditStoreContracts(() => {
    const db = new MemoryDatabase();
    return { uow: new MemoryUnitOfWork(db), rows: new MemoryAuditRows(db), close: () => undefined };
  });
});
