import type { BackupHeader } from '../core/backup-file.js';
import { checkLedgerSigner, checkLedgerSite, siteFingerprint, verifyLedger, type VerifiedLedger } from '../core/destruction-ledger.js';
import { LedgerFilter, mergeLedgerEntries } from '../store/backup/apply-ledger.js';
import type { TableSpec } from '../store/migrate/tables.js';
import type { NeutralValue } from '../store/backup/neutral.js';
import type { RestoreSource } from '../store/backup/restore.js';

/** A destruction ledger file given to a restore (`--ledger FILE`): its name for errors, and its bytes. */
export interface LedgerFile {
  readonly name: string;
  readonly bytes: Buffer;
}

const nameOf = (f: LedgerFile | undefined) => `the destruction ledger ${f?.name ?? ''}`.trimEnd();

/**
 * The first check of the ledgers a restore was given, before the root is opened: each parses and its
 * signature verifies (BackupRefused otherwise, naming the file). Whose it is comes as the payload is
 * read ({@link applyLedgers}).
 */
export function verifyLedgerFiles(files: readonly LedgerFile[]): VerifiedLedger[] {
  return files.map((f) => verifyLedger(f.bytes, nameOf(f)));
}

/**
 * Checks, as a streamed payload passes through, that the ledgers are the backup's site's and signed by one
 * of its trail keys. The payload is read once, in BACKUP_TABLES order: `domain_keys` (the site fingerprint
 * of domain key 1, for a ledger exported after a rekey) comes before `keys`, so the site is checked before
 * the first key row; `audit_signing_keys` comes last, so the signer (the backup's, or a signing key its
 * audit tables hold: both covered by the backup's signature) is checked in `finish`, before the restore
 * commits. A refusal either way rolls the restore's one transaction back: nothing is left behind.
 */
class LedgerCheck implements RestoreSource {
  readonly #inner: RestoreSource;
  readonly #ledgers: readonly VerifiedLedger[];
  readonly #files: readonly LedgerFile[];
  readonly #header: BackupHeader;
  readonly #trailKeys: Buffer[];
  #site: string | undefined;

  constructor(inner: RestoreSource, ledgers: readonly VerifiedLedger[], files: readonly LedgerFile[], header: BackupHeader) {
    this.#inner = inner;
    this.#ledgers = ledgers;
    this.#files = files;
    this.#header = header;
    this.#trailKeys = [Buffer.from(header.signer.publicKey, 'base64')];
  }

  get chains(): RestoreSource['chains'] {
    return this.#inner.chains;
  }

  async *rowsOf(spec: TableSpec): AsyncIterable<readonly NeutralValue[]> {
    if (spec.table === 'keys') this.#ledgers.forEach((l, i) => checkLedgerSite(l, this.#header, this.#site, nameOf(this.#files[i])));
    for await (const row of this.#inner.rowsOf(spec)) {
      if (spec.table === 'domain_keys' && row[0] === 1 && typeof row[1] === 'string') this.#site = siteFingerprint(Buffer.from(row[1], 'base64'));
      // Chained table: the chain id first, then public_key.
      if (spec.table === 'audit_signing_keys' && typeof row[1] === 'string') this.#trailKeys.push(Buffer.from(row[1], 'base64'));
      yield row;
    }
  }

  async finish(): Promise<void> {
    await this.#inner.finish();
    this.#ledgers.forEach((l, i) => checkLedgerSigner(l, this.#trailKeys, nameOf(this.#files[i])));
  }
}

/**
 * Wraps a restore's row source so the keys the ledgers name are restored as destroyed (LedgerFilter),
 * once each ledger is checked to be the backup's site's and signed by one of its trail keys (LedgerCheck).
 * With no ledger, the source is returned as is.
 */
export function applyLedgers(source: RestoreSource, ledgers: readonly VerifiedLedger[], files: readonly LedgerFile[], header: BackupHeader): { source: RestoreSource; filter?: LedgerFilter } {
  if (ledgers.length === 0) return { source };
  const filter = new LedgerFilter(new LedgerCheck(source, ledgers, files, header), mergeLedgerEntries(ledgers.map((l) => l.body.destructions)));
  return { source: filter, filter };
}
