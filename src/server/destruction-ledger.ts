import { hostname } from 'node:os';
import { BackupRefused } from '../core/backup-file.js';
import { LEDGER_FORMAT, encodeLedger, siteFingerprint, type DestructionLedgerMaker, type LedgerBody, type LedgerEntry } from '../core/destruction-ledger.js';
import { KmsError, sealed } from '../core/errors.js';
import type { Clock, RootOfTrust } from '../core/ports.js';
import { sha256Hex } from '../crypto/hash.js';
import { unwrapBackupSigner } from '../custody/backup-crypto.js';
import { KeyHierarchy } from '../custody/key-hierarchy.js';
import { specOf, type NeutralValue } from '../store/backup/neutral.js';
import { withPostgresSnapshot, withSqliteSnapshot, type StoreSnapshot } from '../store/backup/snapshot.js';
import { rootInfoOf } from './backup-root.js';
import type { StoreBundle } from './store-bundle.js';

/** A neutral row's value by column name (the specs' column order; the tables read here are not chained). */
function column(table: string, name: string): (row: readonly NeutralValue[]) => NeutralValue {
  const index = Object.keys(specOf(table)?.columns ?? {}).indexOf(name);
  if (index < 0) throw new Error(`no column ${table}.${name}`);
  return (row) => row[index] ?? null;
}

const iso = (ms: NeutralValue): string | null => (typeof ms === 'number' ? new Date(ms).toISOString() : null);

/**
 * Makes a destruction ledger (core/destruction-ledger.ts) from one snapshot: every `key_destructions`
 * record with its key's lifecycle fields, the root's fingerprint as a backup header gives it and the site's
 * (domain key 1), signed with
 * the trail key of `chainId` (else the first chain), unwrapped under `root` for this call and zeroed.
 */
export async function makeLedger(snapshot: StoreSnapshot, root: RootOfTrust, options: { readonly location: string; readonly now: Date; readonly chainId?: string | undefined; readonly arnOf: (keyId: string) => string }): Promise<{ file: Buffer; body: LedgerBody }> {
  const domainKeys = await snapshot.domainKeys();
  const chain = options.chainId !== undefined ? snapshot.chains.find((c) => c.chainId === options.chainId) : snapshot.chains[0];
  const stored = chain && (await snapshot.signingKey(chain.chainId));
  const domainKey1 = domainKeys.find((d) => d.version === 1)?.wrapped;
  if (domainKey1 === undefined || chain === undefined || stored === undefined) throw new BackupRefused('the store has no audit signing key yet: a destruction ledger is signed with it');
  const keys = new Map<string, readonly NeutralValue[]>();
  const [keyId, keyDestroyedAt] = [column('keys', 'id'), column('keys', 'destroyed_at')];
  for await (const row of snapshot.rows(specOf('keys') ?? fail('keys'))) if (keyDestroyedAt(row) !== null) keys.set(String(keyId(row)), row);
  const destructions: LedgerEntry[] = [];
  const [dKey, dVersions, dAt] = [column('key_destructions', 'key_id'), column('key_destructions', 'versions'), column('key_destructions', 'destroyed_at')];
  for await (const row of snapshot.rows(specOf('key_destructions') ?? fail('key_destructions'))) {
    const id = String(dKey(row));
    const key = keys.get(id);
    const versions = dVersions(row);
    destructions.push({
      keyId: id,
      keyArn: options.arnOf(id),
      versions: Array.isArray(versions) ? [...versions] : [],
      destroyedAt: iso(dAt(row)) ?? fail(`the destruction time of ${id}`),
      state: key === undefined ? 'PendingDeletion' : String(column('keys', 'state')(key)),
      deletionDate: key === undefined ? null : iso(column('keys', 'deletion_date')(key)),
      ...(key !== undefined && typeof column('keys', 'primary_version')(key) === 'number' && { primaryVersion: Number(column('keys', 'primary_version')(key)) }),
    });
  }
  const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async () => { throw new BackupRefused('a ledger never adds a domain key'); } });
  try {
    await hierarchy.open();
    using signer = await unwrapBackupSigner(hierarchy, stored);
    const body: LedgerBody = {
      format: LEDGER_FORMAT,
      createdAt: options.now.toISOString(),
      source: { engine: snapshot.engine, location: options.location, host: hostname() },
      root: (({ kind, fingerprint }) => ({ kind, fingerprint }))(rootInfoOf(await snapshot.sealRecord(), domainKey1)),
      site: siteFingerprint(domainKey1),
      signer: { publicKey: signer.publicKey.toString('base64'), chainId: chain.chainId },
      destructions,
    };
    return { file: encodeLedger(body, (m) => signer.sign(m)), body };
  } finally {
    hierarchy.seal();
  }
}

function fail(what: string): never {
  throw new Error(`the destruction ledger cannot be made: ${what} is missing`);
}

/**
 * The server's DestructionLedgerMaker: a snapshot of its own store (as for a backup), signed with this
 * node's trail key under the live root. The ledger is answered to the caller, not written on the server.
 */
export function serverLedgerMaker(options: { readonly store: StoreBundle; readonly dataDir: string; readonly root: RootOfTrust; readonly clock: Clock }): DestructionLedgerMaker {
  const { store, root, clock } = options;
  return {
    async exportLedger(arnOf) {
      if (root.isSealed()) throw sealed();
      const location = store.engine === 'postgres' ? `postgres (node ${store.nodeName})` : options.dataDir;
      const work = (s: StoreSnapshot) => makeLedger(s, root, { location, now: clock.now(), chainId: s.chains.find((c) => c.node === store.nodeName)?.chainId, arnOf });
      const made = await (store.engine === 'postgres' ? withPostgresSnapshot(store.pg, work) : withSqliteSnapshot(options.dataDir, work)).catch((e: unknown) => {
        if (e instanceof KmsError) throw e;
        throw new KmsError('Internal', `the destruction ledger failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      return { ...made, sha256: sha256Hex(made.file) };
    },
  };
}
