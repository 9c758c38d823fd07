import { describe } from 'node:test';
import { storeContracts } from '../contract/index.js';
import { MemoryDatabase } from './memory-database.js';
import { memoryStores } from './memory-stores.js';

describe('store contracts: memory', () => {
  storeContracts(() => {
    const db = new MemoryDatabase();
    return { ...memoryStores(db), withTransaction: (work) => db.transaction(work), close: () => undefined };
  });
});
