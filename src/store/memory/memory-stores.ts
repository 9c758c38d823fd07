import type { MemoryDatabase } from './memory-database.js';
import { MemoryGrantStore } from './memory-grant-store.js';
import { MemoryKeyImportStore } from './memory-key-import-store.js';
import { MemoryKeyLifecycleStore } from './memory-key-lifecycle-store.js';
import { MemoryKeyFacts, MemoryKeyStore } from './memory-key-store.js';
import { MemoryPrincipalStore } from './memory-principal-store.js';
import { MemoryRewrapStore } from './memory-rewrap-store.js';
import { MemorySealStore } from './memory-seal-store.js';

/** Every domain-port adapter of the memory store over one MemoryDatabase (the audit ones live apart). */
export function memoryStores(db: MemoryDatabase) {
  return {
    keys: new MemoryKeyStore(db),
    keyFacts: new MemoryKeyFacts(db),
    lifecycle: new MemoryKeyLifecycleStore(db),
    principals: new MemoryPrincipalStore(db),
    grants: new MemoryGrantStore(db),
    imports: new MemoryKeyImportStore(db),
    seal: new MemorySealStore(db),
    rewrap: new MemoryRewrapStore(db),
  };
}

export type MemoryStores = ReturnType<typeof memoryStores>;
