import { existsSync, copyFileSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BACKUP_FORMAT_VERSION, BackupRefused, readBackupLayout, type BackupHeader } from '../core/backup-file.js';
import type { RootOfTrust } from '../core/ports.js';
import { openBackupPayloadStream, unwrapBackupSigner, type BackupPayloadStream } from '../custody/backup-crypto.js';
import { KeyHierarchy } from '../custody/key-hierarchy.js';
import { restoreIntoPostgres, restoreIntoSqlite, type RestoredCounts } from '../store/backup/restore.js';
import type { StoreSnapshot } from '../store/backup/snapshot.js';
import { PostgresDatabase } from '../store/postgres/database.js';
import type { BackupProgress } from './backup-progress.js';
import { openBackupBytes, payloadIsAuthentic, PayloadRows, verifyBackupBytes } from './backup-reader.js';
import { openCommandRoot, rootInfoOf, type RootMaterial } from './backup-root.js';
import { writeBackup, type WrittenBackup } from './backup-writer.js';
import { applyLedgers, verifyLedgerFiles, type LedgerFile } from './restore-ledger.js';
import type { LedgerOutcome } from '../store/backup/apply-ledger.js';

export { BackupRefused } from '../core/backup-file.js';

/** The dev root-of-trust file of a data directory. */
export const DEV_ROOT_FILE = 'insecure-dev-root.key';

/**
 * Makes a backup file at `out` from one snapshot (ADR 0016): every table's rows as JSON lines, gzipped,
 * encrypted under a file key wrapped by `root`, signed with the trail key of the first chain (the making
 * node's when `chainId` names it); streamed, so memory stays bounded whatever the store's size
 * (server/backup-writer.ts), and written durably, mode 0600, never over a file. The root must be the
 * store's: it unwraps the domain keys to reach the signing key. Secrets in the rows stay wrapped; the
 * signing key and the domain keys are zeroed before return.
 */
export async function makeBackup(
  snapshot: StoreSnapshot,
  root: RootOfTrust,
  options: { readonly out: string; readonly location: string; readonly now: Date; readonly chainId?: string | undefined; readonly onProgress?: BackupProgress | undefined },
): Promise<WrittenBackup> {
  const domainKeys = await snapshot.domainKeys();
  if (domainKeys.length === 0) throw new BackupRefused('the store has no domain key yet (never unsealed): nothing to back up');
  const chain = options.chainId !== undefined ? snapshot.chains.find((c) => c.chainId === options.chainId) : snapshot.chains[0];
  const stored = chain && (await snapshot.signingKey(chain.chainId));
  if (chain === undefined || stored === undefined) throw new BackupRefused('the store has no audit signing key yet (start the server and make one request): a backup is signed with it');
  const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async () => { throw new BackupRefused('a backup never adds a domain key'); } });
  try {
    await hierarchy.open();
    using signer = await unwrapBackupSigner(hierarchy, stored);
    const rootInfo = rootInfoOf(await snapshot.sealRecord(), domainKeys.find((d) => d.version === 1)?.wrapped);
    const headerOf = (counts: Record<string, number>, payload: BackupHeader['payload']): BackupHeader => ({
      format: BACKUP_FORMAT_VERSION,
      createdAt: options.now.toISOString(),
      source: { engine: snapshot.engine, location: options.location, host: hostname() },
      counts,
      chains: snapshot.chains,
      root: rootInfo,
      signer: { publicKey: signer.publicKey.toString('base64'), chainId: chain.chainId },
      payload,
    });
    return await writeBackup(snapshot, options.out, { root, signer, headerOf }, options.onProgress);
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

/**
 * Verifies a backup (a file path, or bytes in memory) without any secret: framing, lengths, signature
 * (against `trustedKey` when given), reading the file in chunks.
 */
export function inspectBackup(file: string | Buffer, trustedKey?: Buffer, onProgress?: BackupProgress): BackupInspection {
  using bytes = openBackupBytes(file);
  const { layout, sha256 } = verifyBackupBytes(bytes, trustedKey, onProgress);
  return { header: layout.header, bytes: bytes.size, sha256, signerPinned: trustedKey !== undefined };
}

/** A backup's header as its file states it, read from the file's head: no signature checked (restore checks it). */
export function readBackupHeader(file: string | Buffer): BackupHeader {
  using bytes = openBackupBytes(file);
  return readBackupLayout(bytes.size, bytes.readAt).header;
}

/**
 * Reads a whole backup file into memory, refusing a missing one clearly. For small files and tests only:
 * the commands stream (inspectBackup and restoreBackup take the path).
 */
export function readBackupFile(path: string): Buffer {
  if (!existsSync(path)) throw new BackupRefused(`${path} does not exist`);
  return readFileSync(path);
}

/** Where a restore writes: a new data directory or a PostgreSQL URL (an empty database). */
export interface RestoreOptions {
  readonly to: string;
  readonly root: RootMaterial;
  readonly trustedKey?: Buffer | undefined;
  /** Destruction ledgers of the live site (`--ledger`): the keys they name are restored as destroyed. */
  readonly ledgers?: readonly LedgerFile[] | undefined;
  readonly onProgress?: BackupProgress | undefined;
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
 * Restores a backup (a file path, or bytes in memory) into an empty store: verifies the signature, opens
 * the root with what was given (refusing another root), then streams the payload (decrypt, gunzip, parse)
 * into ONE transaction, which commits only after the GCM tag, the payload digest and every table's row
 * count against the signed header check out; otherwise it rolls back and nothing is left behind.
 */
export async function restoreBackup(file: string | Buffer, options: RestoreOptions): Promise<RestoreReport> {
  using bytes = openBackupBytes(file);
  const { layout } = verifyBackupBytes(bytes, options.trustedKey, options.onProgress);
  const { header } = layout;
  const ledgers = verifyLedgerFiles(options.ledgers ?? []);
  const root = await openCommandRoot(header.root, options.root);
  // Two decryptors of the payload (each its own copy of the file key), so the root is sealed before any
  // row is read: one feeds the restore, the spare re-checks the payload when the restore fails.
  let payload: BackupPayloadStream | undefined;
  let spare: BackupPayloadStream;
  try {
    payload = await openBackupPayloadStream(layout, root);
    spare = await openBackupPayloadStream(layout, root);
  } catch (e) {
    payload?.[Symbol.dispose]();
    throw e;
  } finally {
    root.seal();
  }
  const source = new PayloadRows(bytes, layout, payload, options.onProgress);
  try {
    return await restoreInto(options, header, applyLedgers(source, ledgers, options.ledgers ?? [], header));
  } catch (e) {
    // Rows are written before the payload's tag is checked; a corrupted payload can make a row fail
    // first (a value of the wrong type, a duplicate key): then say what is really wrong.
    if (source.verdict === 'forged' || (source.verdict === 'unknown' && !payloadIsAuthentic(bytes, layout, spare))) {
      throw new BackupRefused('the backup payload does not decrypt (altered or corrupted)');
    }
    throw e;
  } finally {
    source.close();
    spare[Symbol.dispose]();
  }
}

async function restoreInto(options: RestoreOptions, header: BackupHeader, { source, filter }: ReturnType<typeof applyLedgers>): Promise<RestoreReport> {
  if (isPostgresUrl(options.to)) {
    const pg = await PostgresDatabase.open({ url: options.to, pool: { max: 2 } });
    try {
      return { header, engine: 'postgres', restored: await restoreIntoPostgres(pg, source), chains: header.chains, ledger: filter?.outcome() };
    } finally {
      await pg.close();
    }
  }
  const restored = await restoreIntoSqlite(options.to, source);
  // A dev store serves only with its dev root file beside it (arca dev --data-dir).
  const devRoot = join(options.to, DEV_ROOT_FILE);
  if (header.root.kind === 'insecure-dev-file' && options.root.devRootFile !== undefined && !existsSync(devRoot)) copyFileSync(options.root.devRootFile, devRoot);
  return { header, engine: 'sqlite', restored, chains: header.chains, ledger: filter?.outcome() };
}
