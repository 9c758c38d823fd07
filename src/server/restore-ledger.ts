import type { BackupHeader } from '../core/backup-file.js';
import { checkLedgerFor, verifyLedger, type VerifiedLedger } from '../core/destruction-ledger.js';
import { LedgerFilter, mergeLedgerEntries } from '../store/backup/apply-ledger.js';
import { specOf } from '../store/backup/neutral.js';
import type { RestoreSource } from '../store/backup/restore.js';

/** A destruction ledger file given to a restore (`--ledger FILE`): its name for errors, and its bytes. */
export interface LedgerFile {
  readonly name: string;
  readonly bytes: Buffer;
}

/**
 * The first checks of the ledgers a restore was given, before the root is opened: each parses, its
 * signature verifies, and it was exported under the backup's root of trust (fingerprint). BackupRefused
 * otherwise, naming the file.
 */
export function verifyLedgerFiles(files: readonly LedgerFile[], header: BackupHeader): VerifiedLedger[] {
  return files.map((f) => {
    const ledger = verifyLedger(f.bytes, `the destruction ledger ${f.name}`);
    checkLedgerFor(ledger, header, [ledger.publicKey], `the destruction ledger ${f.name}`);
    return ledger;
  });
}

/**
 * Wraps a restore's row source so the keys the ledgers name are restored as destroyed (LedgerFilter),
 * after checking that each ledger is signed by a trail key of the backup's site: the backup's signer or
 * a signing key its audit tables hold (both covered by the backup's signature). Refuses before any row
 * is written. With no ledger, the source is returned as is.
 */
export function applyLedgers(source: RestoreSource, ledgers: readonly VerifiedLedger[], files: readonly LedgerFile[], header: BackupHeader): { source: RestoreSource; filter?: LedgerFilter } {
  if (ledgers.length === 0) return { source };
  const spec = specOf('audit_signing_keys');
  const trailKeys = [Buffer.from(header.signer.publicKey, 'base64')];
  // Chained table: the chain id first, then public_key.
  if (spec !== undefined) for (const row of source.rowsOf(spec)) if (typeof row[1] === 'string') trailKeys.push(Buffer.from(row[1], 'base64'));
  ledgers.forEach((l, i) => checkLedgerFor(l, header, trailKeys, `the destruction ledger ${files[i]?.name ?? i + 1}`));
  const filter = new LedgerFilter(source, mergeLedgerEntries(ledgers.map((l) => l.body.destructions)));
  return { source: filter, filter };
}
