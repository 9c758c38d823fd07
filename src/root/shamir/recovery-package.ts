import { custodianPrivateKey, CustodianKeyError, type CustodianPrivateKey, type CustodianPublicKey } from '../../crypto/custodian-key.js';
import { encodeFields } from '../../crypto/encoding.js';
import { constantTimeEqual, hkdf, hmac } from '../../crypto/kdf.js';
import { unwrapSecret } from '../../crypto/key-wrap.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { checkShares, combineShares, MAX_SHARES, newShareSetId, parseShare, ShareError, splitSecret } from '../../crypto/shamir.js';
import { shamirRootBinding } from '../../core/bindings.js';
import type { SealRecord } from '../../core/ports.js';

/**
 * Root-of-trust recovery packages for a Shamir root (issue 15; ADR 0017), modelled on Azure Managed HSM's
 * security domain. The package holds the root's UNSEAL KEY (what a quorum of the current shares combines
 * to), split afresh M-of-N among recovery custodians, each share encrypted to one custodian's RSA key
 * (RSAES-OAEP-SHA256); plus the seal record it opens (public: the root key wrapped under the unseal key).
 * M custodians' private keys rebuild the unseal key, which unseals a store restored from a backup of that
 * share set, and re-issues shares of the same share set for the restored server.
 *
 * Integrity: an HMAC-SHA256 over every field, under HKDF(unseal key, info {@link MAC_INFO}); it can only
 * be checked after recovery (no secret is needed to make a package look valid before), and any altered
 * byte fails it or the custodian decryption. The rebuilt key is also checked by unwrapping the root.
 */
export const RECOVERY_PACKAGE_FORMAT = 'arca-recovery-package/v1';
const MAC_INFO = Buffer.from('arca/recovery-package/mac/v1', 'utf8');

/** A package that cannot be made or opened; the message says why. Nothing was written. */
export class RecoveryRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryRefused';
  }
}

/** The recovery package file (JSON). Every field is covered by `mac`. */
export interface RecoveryPackage {
  readonly format: typeof RECOVERY_PACKAGE_FORMAT;
  /** ISO 8601. */
  readonly createdAt: string;
  /** The root it recovers: `share-set:<hex>`, as backups of it carry in their header, and its seal record. */
  readonly root: {
    readonly kind: 'shamir';
    readonly fingerprint: string;
    readonly sealRecord: { readonly shares: number; readonly threshold: number; readonly shareSetId: string; readonly wrappedRoot: string; readonly initializedAt: number };
  };
  /** M: how many custodians' private keys recover the root. */
  readonly quorum: number;
  /** The custodians' share set (hex; not the unseal share set). */
  readonly custodianSetId: string;
  readonly custodians: readonly { readonly index: number; readonly keyFingerprint: string; readonly bits: number; readonly encryptedShare: string }[];
  /** HMAC-SHA256 (base64) of {@link macInput}, under a key derived from the unseal key. */
  readonly mac: string;
}

type Unsigned = Omit<RecoveryPackage, 'mac'>;

function macInput(p: Unsigned): Buffer {
  const r = p.root.sealRecord;
  return encodeFields([
    p.format, p.createdAt, p.root.kind, p.root.fingerprint, r.shares, r.threshold, r.shareSetId, r.wrappedRoot, String(r.initializedAt),
    p.quorum, p.custodians.length, p.custodianSetId,
    ...p.custodians.flatMap((c) => [c.index, c.keyFingerprint, c.bits, c.encryptedShare]),
  ]);
}

function macOf(unsealKey: SecretBytes, p: Unsigned): Buffer {
  using key = hkdf('sha256', unsealKey, Buffer.alloc(0), MAC_INFO, 32);
  return hmac('sha256', key, macInput(p));
}

/** The seal record a package opens. */
export function sealRecordOfPackage(p: RecoveryPackage): SealRecord {
  const r = p.root.sealRecord;
  return { kind: 'shamir', shares: r.shares, threshold: r.threshold, shareSetId: Buffer.from(r.shareSetId, 'hex'), wrappedRoot: Buffer.from(r.wrappedRoot, 'base64'), initializedAt: new Date(r.initializedAt) };
}

/** Whether `unsealKey` opens `record` (unwraps its root key, which is zeroed at once). */
function opensRecord(unsealKey: SecretBytes, record: SealRecord): boolean {
  const root = unwrapSecret(unsealKey, record.wrappedRoot, shamirRootBinding(record));
  root?.dispose();
  return root !== undefined;
}

/** Checks M-of-N for custodians: 1 ≤ M ≤ N ≤ 16, and M ≥ 2 unless N = 1 (one custodian must not hold a quorum of several). */
export function checkQuorum(quorum: number, custodians: number): void {
  if (!Number.isInteger(custodians) || custodians < 1 || custodians > MAX_SHARES) throw new RecoveryRefused(`give 1 to ${MAX_SHARES} custodian keys (--custodian-key), ${custodians} given`);
  if (!Number.isInteger(quorum) || quorum < 1 || quorum > custodians) throw new RecoveryRefused(`the quorum must be 1 to ${custodians} (the number of custodian keys), got ${quorum}`);
  if (quorum < 2 && custodians > 1) throw new RecoveryRefused('the quorum must be at least 2 when there are several custodians (one custodian alone must not recover the root)');
}

/**
 * Makes a recovery package: combines the current shares (checked against `record` by unwrapping the root
 * key), splits the unseal key `quorum`-of-N among `custodians` and encrypts each share to one of them.
 * Every secret (shares, unseal key, MAC key) is zeroed before return.
 */
export function makeRecoveryPackage(input: {
  readonly record: SealRecord;
  readonly currentShares: readonly Uint8Array[];
  readonly custodians: readonly CustodianPublicKey[];
  readonly quorum: number;
  readonly now: Date;
}): RecoveryPackage {
  const { record, custodians, quorum } = input;
  if (record.kind !== 'shamir') throw new RecoveryRefused(`the store's root is ${record.kind}: a recovery package is for a Shamir root (back up an HSM with its own procedure, docs/backup.md)`);
  checkQuorum(quorum, custodians.length);
  const fingerprints = new Set(custodians.map((c) => c.fingerprint));
  if (fingerprints.size !== custodians.length) throw new RecoveryRefused('a custodian key was given twice: each custodian needs their own key');
  const unsealKey = combineCurrent(input.currentShares, record);
  try {
    const split = splitSecret(unsealKey, custodians.length, quorum, newShareSetId());
    try {
      const r = record;
      const unsigned: Unsigned = {
        format: RECOVERY_PACKAGE_FORMAT,
        createdAt: input.now.toISOString(),
        root: {
          kind: 'shamir',
          fingerprint: `share-set:${r.shareSetId.toString('hex')}`,
          sealRecord: { shares: r.shares, threshold: r.threshold, shareSetId: r.shareSetId.toString('hex'), wrappedRoot: r.wrappedRoot.toString('base64'), initializedAt: r.initializedAt.getTime() },
        },
        quorum,
        custodianSetId: parseShare((split[0] as SecretBytes).expose()).setId.toString('hex'),
        custodians: custodians.map((c, i) => ({ index: i + 1, keyFingerprint: c.fingerprint, bits: c.bits, encryptedShare: c.encrypt(split[i] as SecretBytes).toString('base64') })),
      };
      return { ...unsigned, mac: macOf(unsealKey, unsigned).toString('base64') };
    } finally {
      for (const s of split) s.dispose();
    }
  } finally {
    unsealKey.dispose();
  }
}

/** The unseal key from a quorum of the current shares of `record`'s share set, verified against the root. */
function combineCurrent(shares: readonly Uint8Array[], record: SealRecord): SecretBytes {
  const setId = record.shareSetId.toString('hex');
  try {
    const parsed = checkShares(shares);
    if (parsed.some((p) => !p.setId.equals(record.shareSetId))) throw new RecoveryRefused(`a share is not of the current share set ${setId} (an old share from before a rekey?)`);
  } catch (e) {
    if (e instanceof ShareError) throw new RecoveryRefused(`the shares were refused: ${e.message}`);
    throw e;
  }
  if (shares.length < record.threshold) throw new RecoveryRefused(`give ${record.threshold} of the ${record.shares} current shares (--share-file, once per share), ${shares.length} given`);
  const key = combineShares(shares);
  if (!opensRecord(key, record)) {
    key.dispose();
    throw new RecoveryRefused(`the shares do not unlock the root key of share set ${setId} (a wrong or altered share)`);
  }
  return key;
}

/** Writes a package as JSON text. */
export function serializeRecoveryPackage(p: RecoveryPackage): string {
  return JSON.stringify(p, null, 2) + '\n';
}

const HEX = /^[0-9a-f]+$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses a package file, checking every field's shape (not its integrity: that needs the custodians). */
export function parseRecoveryPackage(text: string): RecoveryPackage {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new RecoveryRefused('the recovery package is not JSON (truncated or not a package)');
  }
  const o = v as Partial<RecoveryPackage> | null;
  const r = o?.root?.sealRecord;
  const int = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;
  const str = (s: unknown, re: RegExp) => typeof s === 'string' && re.test(s);
  const ok =
    o !== null && typeof o === 'object' && o.format === RECOVERY_PACKAGE_FORMAT && typeof o.createdAt === 'string' && o.root?.kind === 'shamir' && typeof o.root.fingerprint === 'string' &&
    r !== undefined && int(r.shares, 1, MAX_SHARES) && int(r.threshold, 1, MAX_SHARES) && str(r.shareSetId, HEX) && str(r.wrappedRoot, B64) && int(r.initializedAt, 0, Number.MAX_SAFE_INTEGER) &&
    o.root.fingerprint === `share-set:${r.shareSetId}` && Array.isArray(o.custodians) && int(o.quorum, 1, o.custodians.length) && str(o.custodianSetId, HEX) && str(o.mac, B64) &&
    o.custodians.every((c, i) => c !== null && typeof c === 'object' && c.index === i + 1 && str(c.keyFingerprint, HEX) && int(c.bits, 0, 65536) && str(c.encryptedShare, B64));
  if (!ok) throw new RecoveryRefused(o?.format !== RECOVERY_PACKAGE_FORMAT ? `not a recovery package (format is not ${RECOVERY_PACKAGE_FORMAT})` : 'the recovery package is malformed (a field is missing or of the wrong type)');
  return o as RecoveryPackage;
}

/** Parses the custodians' private keys (PEM), naming the file of a bad one. */
export function custodianPrivateKeys(pems: readonly { readonly name: string; readonly pem: string | Buffer }[]): CustodianPrivateKey[] {
  return pems.map(({ name, pem }) => {
    try {
      return custodianPrivateKey(pem, name);
    } catch (e) {
      if (e instanceof CustodianKeyError) throw new RecoveryRefused(e.message);
      throw e;
    }
  });
}

/**
 * Opens a package with custodians' private keys: at least `quorum` distinct custodians of this package.
 * Each share is decrypted, they are combined, the MAC is checked (an altered package is refused here) and
 * the key is checked against the seal record. Returns the unseal key (the caller disposes it).
 */
export function openRecoveryPackage(p: RecoveryPackage, keys: readonly CustodianPrivateKey[]): { readonly unsealKey: SecretBytes; readonly record: SealRecord } {
  const seen = new Set<string>();
  const chosen = keys.map((k) => {
    if (seen.has(k.fingerprint)) throw new RecoveryRefused(`custodian key ${k.fingerprint.slice(0, 16)}… was given twice: a quorum needs distinct custodians`);
    seen.add(k.fingerprint);
    const entry = p.custodians.find((c) => c.keyFingerprint === k.fingerprint);
    if (entry === undefined) throw new RecoveryRefused(`the private key with public-key fingerprint ${k.fingerprint.slice(0, 16)}… is not one of this package's ${p.custodians.length} custodians`);
    return { key: k, entry };
  });
  if (chosen.length < p.quorum) throw new RecoveryRefused(`the package needs ${p.quorum} of its ${p.custodians.length} custodians' private keys (--custodian-private-key), ${chosen.length} given`);
  const shares: SecretBytes[] = [];
  try {
    for (const { key, entry } of chosen) {
      const share = key.decrypt(Buffer.from(entry.encryptedShare, 'base64'));
      if (share === undefined) throw new RecoveryRefused(`custodian ${entry.index}'s share does not decrypt under their key: the package was altered`);
      shares.push(share);
      const parsed = parseShareOrRefuse(share);
      if (parsed.index !== entry.index || parsed.setId.toString('hex') !== p.custodianSetId) throw new RecoveryRefused(`custodian ${entry.index}'s share is not the one made for them: the package was altered`);
    }
    const unsealKey = combineShares(shares.map((s) => s.expose()));
    const record = sealRecordOfPackage(p);
    const { mac, ...unsigned } = p;
    if (!constantTimeEqual(macOf(unsealKey, unsigned), Buffer.from(mac, 'base64')) || !opensRecord(unsealKey, record)) {
      unsealKey.dispose();
      throw new RecoveryRefused('the recovery package fails its integrity check: it was altered after it was made (or its shares were swapped)');
    }
    return { unsealKey, record };
  } finally {
    for (const s of shares) s.dispose();
  }
}

function parseShareOrRefuse(share: SecretBytes): { readonly index: number; readonly setId: Buffer } {
  try {
    return parseShare(share.expose());
  } catch {
    throw new RecoveryRefused('a decrypted custodian share is malformed: the package was altered');
  }
}

/**
 * Fresh unseal shares of the SAME share set as `record` (same threshold and count), from the unseal key:
 * they unseal a store restored under that record (ADR 0017). A new polynomial: an old share and a new
 * one never combine (the quorum is refused). The caller disposes them.
 */
export function reissueShares(unsealKey: SecretBytes, record: SealRecord): SecretBytes[] {
  return splitSecret(unsealKey, record.shares, record.threshold, record.shareSetId);
}

/**
 * The text of an unseal share file, as `arca operator init --share-dir` writes it (base64 and a newline),
 * as bytes the caller writes and then zeroes.
 */
export function shareFileBytes(share: SecretBytes): Buffer {
  return Buffer.from(`${share.expose().toString('base64')}\n`, 'utf8');
}
