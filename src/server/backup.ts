import { existsSync, copyFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BACKUP_FORMAT_VERSION, BackupRefused, parseBackupFile, verifyBackupSignature, type BackupHeader } from '../core/backup-file.js';
import type { RootOfTrust } from '../core/ports.js';
import { sha256Hex } from '../crypto/hash.js';
import { openBackupPayload, sealBackup, unwrapBackupSigner } from '../custody/backup-crypto.js';
import { KeyHierarchy } from '../custody/key-hierarchy.js';
import { BACKUP_TABLES, specOf, type NeutralRow, type NeutralValue } from '../store/backup/neutral.js';
import { restoreIntoPostgres, restoreIntoSqlite, type RestoredCounts } from '../store/backup/restore.js';
import type { StoreSnapshot } from '../store/backup/snapshot.js';
import { PostgresDatabase } from '../store/postgres/database.js';
import { openCommandRoot, rootInfoOf, type RootMaterial } from './backup-root.js';
import { applyLedgers, verifyLedgerFiles, type LedgerFile } from './restore-ledger.js';
import type { LedgerOutcome } from '../store/backup/apply-ledger.js';

export { BackupRefused } from '../core/backup-file.js';

/** The dev root-of-trust file of a data directory. */
export const DEV_ROOT_FILE = 'insecure-dev-root.key';

/**
 * Makes a backup file from one snapshot (ADR 0016): every table's rows as JSON lines, gzipped, encrypted
 * under a file key wrapped by `root`, signed with the trail key of the first chain (the making node's
 * when `chainId` names it). The root must be the store's: it unwraps the domain keys to reach the signing
 * key. Secrets in the rows stay wrapped; the signing key and the domain keys are zeroed before return.
 */
export async function makeBackup(snapshot: StoreSnapshot, root: RootOfTrust, options: { readonly location: string; readonly now: Date; readonly chainId?: string | undefined }): Promise<{ file: Buffer; header: BackupHeader }> {
  const domainKeys = await snapshot.domainKeys();
  if (domainKeys.length === 0) throw new BackupRefused('the store has no domain key yet (never unsealed): nothing to back up');
  const chain = options.chainId !== undefined ? snapshot.chains.find((c) => c.chainId === options.chainId) : snapshot.chains[0];
  const stored = chain && (await snapshot.signingKey(chain.chainId));
  if (chain === undefined || stored === undefined) throw new BackupRefused('the store has no audit signing key yet (start the server and make one request): a backup is signed with it');
  const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async () => { throw new BackupRefused('a backup never adds a domain key'); } });
  try {
    await hierarchy.open();
    using signer = await unwrapBackupSigner(hierarchy, stored);
    const counts: Record<string, number> = {};
    const lines: string[] = [];
    for (const spec of BACKUP_TABLES) {
      let n = 0;
      for await (const r of snapshot.rows(spec)) {
        lines.push(JSON.stringify({ t: spec.table, r } satisfies NeutralRow));
        n++;
      }
      counts[spec.table] = n;
    }
    const payload = gzipSync(Buffer.from(lines.join('\n'), 'utf8'));
    const header: BackupHeader = {
      format: BACKUP_FORMAT_VERSION,
      createdAt: options.now.toISOString(),
      source: { engine: snapshot.engine, location: options.location, host: hostname() },
      counts,
      chains: snapshot.chains,
      root: rootInfoOf(await snapshot.sealRecord(), domainKeys.find((d) => d.version === 1)?.wrapped),
      signer: { publicKey: signer.publicKey.toString('base64'), chainId: chain.chainId },
      payload: { bytes: payload.length, sha256: sha256Hex(payload) },
    };
    return { file: await sealBackup(header, payload, root, signer), header };
  } finally {
    hierarchy.seal();
  }
}

/** What `arca backup verify` reports: the signed header, the file's size and digest, and the signer. */
export interface BackupInspection {
  readonly header: BackupHeader;
  readonly bytes: number;
  readonly sha256: string;
  /** Whether the signer key was checked against a key the operator gave (`--public-key`). */
  readonly signerPinned: boolean;
}

/** Verifies a backup without any secret: framing, lengths, signature (against `trustedKey` when given). */
export function inspectBackup(file: Buffer, trustedKey?: Buffer): BackupInspection {
  const parsed = parseBackupFile(file);
  verifyBackupSignature(parsed, trustedKey);
  return { header: parsed.header, bytes: file.length, sha256: sha256Hex(file), signerPinned: trustedKey !== undefined };
}

/** Where a restore writes: a new data directory or a PostgreSQL URL (an empty database). */
export interface RestoreOptions {
  readonly to: string;
  readonly root: RootMaterial;
  readonly trustedKey?: Buffer | undefined;
  /** Destruction ledgers of the live site (`--ledger`): the keys they name are restored as destroyed. */
  readonly ledgers?: readonly LedgerFile[] | undefined;
}

export interface RestoreReport {
  readonly header: BackupHeader;
  readonly engine: 'sqlite' | 'postgres';
  readonly restored: RestoredCounts;
  /** The node names to run the restored trails under (PostgreSQL), one per chain. */
  readonly chains: BackupHeader['chains'];
  /** What the destruction ledgers changed, when any was given. */
  readonly ledger?: LedgerOutcome | undefined;
}

/** Whether a restore target is a PostgreSQL URL (else a data directory). */
export function isPostgresUrl(to: string): boolean {
  return /^postgres(ql)?:\/\//.test(to);
}

/**
 * Restores a backup into an empty store: verifies the signature, opens the root with what was given
 * (refusing another root), decrypts, checks every table's row count against the signed header, and
 * writes all rows in one transaction. Any refusal comes before a row is written.
 */
export async function restoreBackup(fileBytes: Buffer, options: RestoreOptions): Promise<RestoreReport> {
  const parsed = parseBackupFile(fileBytes);
  verifyBackupSignature(parsed, options.trustedKey);
  const { header } = parsed;
  const ledgers = verifyLedgerFiles(options.ledgers ?? []);
  const root = await openCommandRoot(header.root, options.root);
  let payload: Buffer;
  try {
    payload = await openBackupPayload(parsed, root);
  } finally {
    root.seal();
  }
  const tables = parsePayload(gunzipSync(payload), header);
  const { source, filter } = applyLedgers({ chains: header.chains, rowsOf: (spec: { table: string }) => tables.get(spec.table) ?? [] }, ledgers, options.ledgers ?? [], header);
  if (isPostgresUrl(options.to)) {
    const pg = await PostgresDatabase.open({ url: options.to, pool: { max: 2 } });
    try {
      const restored = await restoreIntoPostgres(pg, source);
      return { header, engine: 'postgres', restored, chains: header.chains, ledger: filter?.outcome() };
    } finally {
      await pg.close();
    }
  }
  const restored = restoreIntoSqlite(options.to, source);
  // A dev store serves only with its dev root file beside it (arca dev --data-dir).
  const devRoot = join(options.to, DEV_ROOT_FILE);
  if (header.root.kind === 'insecure-dev-file' && options.root.devRootFile !== undefined && !existsSync(devRoot)) copyFileSync(options.root.devRootFile, devRoot);
  return { header, engine: 'sqlite', restored, chains: header.chains, ledger: filter?.outcome() };
}

function parsePayload(text: Buffer, header: BackupHeader): Map<string, (readonly NeutralValue[])[]> {
  const tables = new Map<string, (readonly NeutralValue[])[]>();
  for (const line of text.toString('utf8').split('\n')) {
    if (line === '') continue;
    const row = JSON.parse(line) as NeutralRow;
    if (specOf(row.t) === undefined || !Array.isArray(row.r)) throw new BackupRefused(`the backup payload holds rows of an unknown table '${String(row.t)}'`);
    let rows = tables.get(row.t);
    if (rows === undefined) tables.set(row.t, (rows = []));
    rows.push(row.r);
  }
  for (const spec of BACKUP_TABLES) {
    const n = tables.get(spec.table)?.length ?? 0;
    if (n !== (header.counts[spec.table] ?? 0)) throw new BackupRefused(`the backup payload holds ${n} ${spec.table} rows, its signed header ${header.counts[spec.table] ?? 0}`);
  }
  return tables;
}

/** Reads a backup file, refusing a missing one clearly. */
export function readBackupFile(path: string): Buffer {
  if (!existsSync(path)) throw new BackupRefused(`${path} does not exist`);
  return readFileSync(path);
}
