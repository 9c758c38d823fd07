import type { ReadFreshness, StorageHealth, StorageStatus } from '../../core/ports.js';
import { MemoryApprovalStore } from './memory-approval-store.js';
import { MemoryCustomKeyStoreStore } from './memory-custom-key-store-store.js';
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
    approvals: new MemoryApprovalStore(db),
    customKeyStores: new MemoryCustomKeyStoreStore(db),
  };
}

export type MemoryStores = ReturnType<typeof memoryStores>;

/** ReadFreshness of the memory store: it caches nothing, so every read already sees every change. */
export const MEMORY_READ_FRESHNESS: ReadFreshness = { refresh: () => undefined };

/** The memory store's health: it has no disk to fail, so no throwable is a storage failure and it is always healthy. */
export class MemoryStorageHealth implements StorageHealth {
  noteFailure(_e: unknown): boolean {
    return false;
  }

  noteSuccess(): void {}

  get status(): StorageStatus {
    return { healthy: true };
  }
}
