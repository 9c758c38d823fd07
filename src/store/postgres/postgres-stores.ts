import { PostgresCustomKeyStoreStore } from './postgres-custom-key-store-store.js';
import type { PostgresDatabase } from './database.js';
import { PostgresApprovalStore } from './postgres-approval-store.js';
import { PostgresGrantStore } from './postgres-grant-store.js';
import { PostgresKeyFacts } from './postgres-key-facts.js';
import { PostgresKeyImportStore } from './postgres-key-import-store.js';
import { PostgresKeyLifecycleStore } from './postgres-key-lifecycle-store.js';
import { PostgresKeyStore } from './postgres-key-store.js';
import { PostgresPrincipalStore } from './postgres-principal-store.js';
import { PostgresRewrapStore } from './postgres-rewrap-store.js';
import { PostgresSealStore } from './postgres-seal-store.js';

/** Every domain-port adapter of the PostgreSQL store over one database (the audit ones come with the audit writer). */
export function postgresStores(pg: PostgresDatabase) {
  return {
    keys: new PostgresKeyStore(pg),
    keyFacts: new PostgresKeyFacts(pg),
    lifecycle: new PostgresKeyLifecycleStore(pg),
    principals: new PostgresPrincipalStore(pg),
    grants: new PostgresGrantStore(pg),
    imports: new PostgresKeyImportStore(pg),
    seal: new PostgresSealStore(pg),
    rewrap: new PostgresRewrapStore(pg),
    approvals: new PostgresApprovalStore(pg),
    customKeyStores: new PostgresCustomKeyStoreStore(pg),
  };
}

/** The adapters postgresStores returns, for wiring code that passes them on. */
export type PostgresStores = ReturnType<typeof postgresStores>;
