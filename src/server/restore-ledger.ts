import type { BackupHeader } from '../core/backup-file.js';
import { checkLedgerFor, siteFingerprint, verifyLedger, type VerifiedLedger } from '../core/destruction-ledger.js';
import { LedgerFilter, mergeLedgerEntries } from '../store/backup/apply-ledger.js';
import { specOf } from '../store/backup/neutral.js';
import type { RestoreSource } from '../store/backup/restore.js';

/** A destruction ledger file given to a restore (`--ledger FILE`): its name for errors, and its bytes. */
export interface LedgerFile {
  readonly name: string;
  readonly bytes: Buffer;
}

const nameOf = (f: LedgerFile | undefined) => `the destruction ledger ${f?.name ?? ''}`.trimEnd();

/**
 * The first check of the ledgers a restore was given, before the root is opened: each parses and its
 * signature verifies (BackupRefused otherwise, naming the file). Whose it is comes after the payload is
 * open ({@link applyLedgers}).
 */
export function verifyLedgerFiles(files: readonly LedgerFile[]): VerifiedLedger[] {
  return files.map((f) => verifyLedger(f.bytes, nameOf(f)));
}

/**
 * Wraps a restore's row source so the keys the ledgers name are restored as destroyed (LedgerFilter),
 * after checking that each ledger is the backup's site's (root fingerprint, or the site fingerprint of the
 * backup's domain key 1) and signed by one of its trail keys: the backup's signer or a signing key its
 * audit tables hold (both covered by the backup's signature). Refuses before any row is written. With
 * no ledger, the source is returned as is.
 */
export function applyLedgers(source: RestoreSource, ledgers: readonly VerifiedLedger[], files: readonly LedgerFile[], header: BackupHeader): { source: RestoreSource; filter?: LedgerFilter } {
  if (ledgers.length === 0) return { source };
  const trailKeys = [Buffer.from(header.signer.publicKey, 'base64')];
  const signingKeys = specOf('audit_signing_keys');
  // Chained table: the chain id first, then public_key.
  if (signingKeys !== undefined) for (const row of source.rowsOf(signingKeys)) if (typeof row[1] === 'string') trailKeys.push(Buffer.from(row[1], 'base64'));
  let site: string | undefined;
  const domainKeys = specOf('domain_keys');
  if (domainKeys !== undefined) for (const [version, wrapped] of source.rowsOf(domainKeys)) if (version === 1 && typeof wrapped === 'string') site = siteFingerprint(Buffer.from(wrapped, 'base64'));
  ledgers.forEach((l, i) => checkLedgerFor(l, header, site, trailKeys, nameOf(files[i])));
  const filter = new LedgerFilter(source, mergeLedgerEntries(ledgers.map((l) => l.body.destructions)));
  return { source: filter, filter };
}
