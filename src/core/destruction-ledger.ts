import { ed25519Verify } from '../crypto/ed25519.js';
import { sha256 } from '../crypto/hash.js';
import { BackupRefused, type BackupHeader, type BackupRootInfo } from './backup-file.js';

/**
 * The destruction ledger (issue 15, "destroyed stays destroyed"): every destruction record of a live
 * site, signed with the same key a backup is (the audit trail's Ed25519 key), so that a restore of an
 * OLDER backup can restore the keys it names as destroyed. It holds no secret.
 *
 * The file is one UTF-8 JSON object:
 * ```
 * { "format": "arca-destruction-ledger/v1", "body": "<LedgerBody as JSON text>", "signature": "<base64, 64 bytes>" }
 * ```
 * The signature is Ed25519 over `"arca-destruction-ledger-signature/v1\n" ‖ sha256(body text as UTF-8)`:
 * the body is signed as the exact text stored, so no JSON canonicalization is involved, and the context
 * string keeps it apart from backups, tree heads and signed notes.
 */
export const LEDGER_FORMAT = 'arca-destruction-ledger/v1';
const SIGNATURE_CONTEXT = Buffer.from('arca-destruction-ledger-signature/v1\n', 'utf8');
const MAX_LEDGER = 256 << 20;

/** One destroyed key as the live site left it (its `keys` row's lifecycle fields and its destruction record). */
export interface LedgerEntry {
  readonly keyId: string;
  /** The key ARN in the region the ledger was exported from (information only: restore matches on `keyId`). */
  readonly keyArn: string;
  /** The versions whose material was shredded, as the destruction record holds them. */
  readonly versions: readonly number[];
  /** ISO 8601. */
  readonly destroyedAt: string;
  /** The key's state after destruction (`PendingDeletion`: destroyKey leaves it so, with `destroyedAt` set). */
  readonly state: string;
  /** The scheduled deletion date that made the key due (ISO 8601), when the live row holds one. */
  readonly deletionDate: string | null;
  /** The key's primary version when it was destroyed (the backup may hold an older one). */
  readonly primaryVersion?: number | undefined;
}

/** The signed body of a ledger. */
export interface LedgerBody {
  readonly format: typeof LEDGER_FORMAT;
  /** ISO 8601: when the ledger was exported. */
  readonly createdAt: string;
  readonly source: BackupHeader['source'];
  /** The root of trust of the site, as in backup headers (`share-set:…` changes with a rekey). */
  readonly root: Pick<BackupRootInfo, 'kind' | 'fingerprint'>;
  /**
   * The site's identity that survives a rekey and a root rotation: {@link siteFingerprint} of its domain
   * key version 1 (wrapped under the root; never rewritten). A restore accepts a ledger whose root
   * fingerprint or site matches the backup's.
   */
  readonly site: string;
  /** The trail key that signed the ledger (base64, raw 32 bytes) and its chain. */
  readonly signer: BackupHeader['signer'];
  /** Every destruction record of the site, by key id. */
  readonly destructions: readonly LedgerEntry[];
}

/** A parsed ledger file whose signature verified against the key in its body. */
export interface VerifiedLedger {
  readonly body: LedgerBody;
  readonly publicKey: Buffer;
}

/** `domain-key-1:<hex>`: the first 16 bytes of sha256 of the site's wrapped domain key version 1 (as a dev root's fingerprint). */
export function siteFingerprint(wrappedDomainKey1: Uint8Array): string {
  return `domain-key-1:${sha256(wrappedDomainKey1).subarray(0, 16).toString('hex')}`;
}

/** The message a ledger's signature is over. */
export function ledgerSignedMessage(bodyText: string): Buffer {
  return Buffer.concat([SIGNATURE_CONTEXT, sha256(Buffer.from(bodyText, 'utf8'))]);
}

/** Encodes a ledger file from its body and a signer (the trail key). */
export function encodeLedger(body: LedgerBody, sign: (message: Uint8Array) => Buffer): Buffer {
  const text = JSON.stringify(body);
  return Buffer.from(JSON.stringify({ format: LEDGER_FORMAT, body: text, signature: sign(ledgerSignedMessage(text)).toString('base64') }, null, 1) + '\n', 'utf8');
}

/**
 * Parses a ledger file and verifies its signature with the key its body names (BackupRefused, with the
 * reason, for anything else). Whether the ledger is the backup's site's, signed by a key the restore
 * trusts, is the caller's check ({@link checkLedgerSite}, {@link checkLedgerSigner}).
 */
export function verifyLedger(file: Buffer, name = 'the destruction ledger'): VerifiedLedger {
  if (file.length > MAX_LEDGER) throw new BackupRefused(`${name} is ${file.length} bytes: not a destruction ledger`);
  let outer: unknown;
  try {
    outer = JSON.parse(file.toString('utf8'));
  } catch {
    throw new BackupRefused(`${name} is not a destruction ledger (not JSON): damaged or another file`);
  }
  const o = typeof outer === 'object' && outer !== null ? (outer as Record<string, unknown>) : {};
  if (o['format'] !== LEDGER_FORMAT || typeof o['body'] !== 'string' || typeof o['signature'] !== 'string') {
    throw new BackupRefused(`${name} is not a destruction ledger of format ${LEDGER_FORMAT}`);
  }
  const text = o['body'];
  let body: LedgerBody;
  try {
    body = parseBody(JSON.parse(text));
  } catch (e) {
    throw new BackupRefused(`${name} has a damaged body: ${e instanceof Error ? e.message : String(e)}`);
  }
  const publicKey = Buffer.from(body.signer.publicKey, 'base64');
  const signature = Buffer.from(o['signature'], 'base64');
  if (publicKey.length !== 32 || signature.length !== 64 || !ed25519Verify(publicKey, ledgerSignedMessage(text), signature)) {
    throw new BackupRefused(`the signature of ${name} does not verify: it was altered after it was exported (or signed by another key)`);
  }
  return { body, publicKey };
}

/**
 * Checks that a verified ledger belongs to the site a backup came from: the same root of trust
 * (fingerprint) or, after a rekey changed that, the same site (`backupSite`: {@link siteFingerprint} of the
 * backup's domain key 1). Refuses (BackupRefused) otherwise.
 */
export function checkLedgerSite(ledger: VerifiedLedger, header: Pick<BackupHeader, 'root'>, backupSite: string | undefined, name = 'the destruction ledger'): void {
  const { root, site } = ledger.body;
  if (root.fingerprint !== header.root.fingerprint && (backupSite === undefined || site !== backupSite)) {
    throw new BackupRefused(
      `${name} was exported from another site: its root of trust is ${root.kind} (${root.fingerprint}; site ${site}), the backup's ${header.root.kind} (${header.root.fingerprint}; site ${backupSite ?? 'unknown'})`,
    );
  }
}

/**
 * Checks that a verified ledger is signed by a key the restore trusts (`trustedSigners`: the backup's
 * signer and the trail keys the backup holds, all covered by the backup's own signature). Refuses otherwise.
 */
export function checkLedgerSigner(ledger: VerifiedLedger, trustedSigners: readonly Buffer[], name = 'the destruction ledger'): void {
  if (!trustedSigners.some((k) => k.equals(ledger.publicKey))) {
    throw new BackupRefused(`${name} is signed by key ${ledger.body.signer.publicKey}, which is no audit trail key of the backup's site`);
  }
}

function parseBody(b: unknown): LedgerBody {
  if (typeof b !== 'object' || b === null) throw new Error('not an object');
  const r = b as Record<string, unknown>;
  if (r['format'] !== LEDGER_FORMAT) throw new Error(`format ${String(r['format'])}`);
  const root = r['root'] as Record<string, unknown> | undefined;
  const signer = r['signer'] as Record<string, unknown> | undefined;
  if (typeof root?.['fingerprint'] !== 'string' || typeof r['site'] !== 'string' || typeof signer?.['publicKey'] !== 'string' || !Array.isArray(r['destructions'])) throw new Error('missing root, site, signer or destructions');
  for (const e of r['destructions'] as unknown[]) {
    const entry = (typeof e === 'object' && e !== null ? e : {}) as Record<string, unknown>;
    const versions = entry['versions'];
    if (typeof entry['keyId'] !== 'string' || typeof entry['destroyedAt'] !== 'string' || Number.isNaN(Date.parse(entry['destroyedAt'])) || !Array.isArray(versions) || !versions.every((v) => Number.isSafeInteger(v))) {
      throw new Error(`a destruction entry is malformed: ${JSON.stringify(e).slice(0, 120)}`);
    }
  }
  // Shape checked above; the values are trusted only once the signature verifies.
  return b as LedgerBody;
}

/**
 * The port that exports the live site's destruction ledger (ArcaService.ExportDestructionLedger): every
 * destruction record read in one snapshot, signed with this node's audit trail key under the live root.
 * `arnOf` names each key in the caller's region. Answers the file, its body and the file's sha256 (hex).
 */
export interface DestructionLedgerMaker {
  exportLedger(arnOf: (keyId: string) => string): Promise<{ readonly file: Buffer; readonly body: LedgerBody; readonly sha256: string }>;
}
