import { ed25519Verify } from '../crypto/ed25519.js';
import { sha256 } from '../crypto/hash.js';

/**
 * The backup file format, version 1 (ADR 0016). Every integer is big-endian.
 *
 * ```
 * "ARCABAK1"                      8 bytes, magic
 * header length (uint32) | header (UTF-8 JSON, BackupHeader)
 * wrapped file key length (uint32) | wrapped file key (RootOfTrust.wrap, binding fileKeyBinding(header))
 * nonce (12) | ciphertext length (uint32 high, uint32 low) | ciphertext | GCM tag (16)
 * signature (64, Ed25519 over signedMessage(everything above))
 * ```
 * The AAD of the payload is sha256 of the magic, the header length and the header, so no header byte can
 * change without the payload failing to decrypt, and the signature covers every byte before it.
 */
export const BACKUP_MAGIC = Buffer.from('ARCABAK1', 'ascii');
export const BACKUP_FORMAT_VERSION = 1;
const SIGNATURE_LENGTH = 64;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const MAX_HEADER = 1 << 20;
const SIGNATURE_CONTEXT = Buffer.from('arca-backup-signature/v1\n', 'utf8');
const FILE_KEY_CONTEXT = Buffer.from('arca/backup-file-key/v1', 'utf8');

/** A backup that cannot be read, verified or restored; the message says why, and nothing was written. */
export class BackupRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** Which root of trust made the file, without any secret (ADR 0016). */
export interface BackupRootInfo {
  readonly kind: 'insecure-dev-file' | 'shamir' | 'pkcs11';
  /** `share-set:<hex>` for a sealed root; `domain-key-1:<hex>` (sha256 of its wrapped bytes, 16 bytes) for the dev root. */
  readonly fingerprint: string;
  /** The Shamir seal record as stored (the root key wrapped under the unseal key; base64), needed to unseal from shares. */
  readonly sealRecord?: { readonly shares: number; readonly threshold: number; readonly shareSetId: string; readonly wrappedRoot: string; readonly initializedAt: number } | undefined;
}

/** The signed, unencrypted header: everything `arca backup verify` reports. */
export interface BackupHeader {
  readonly format: number;
  /** ISO 8601. */
  readonly createdAt: string;
  readonly source: { readonly engine: 'sqlite' | 'postgres'; readonly location: string; readonly host: string };
  /** Rows per table, in restore order (audit tables: every chain's). */
  readonly counts: Readonly<Record<string, number>>;
  /** The audit chains held: id and the node name it continues under. */
  readonly chains: readonly { readonly chainId: string; readonly node: string }[];
  readonly root: BackupRootInfo;
  /** The Ed25519 public key that signed the file (base64, raw 32 bytes): the audit trail key of `signer.chainId`. */
  readonly signer: { readonly publicKey: string; readonly chainId: string };
  /** The payload before encryption: its length and sha256 (hex), checked after decryption. */
  readonly payload: { readonly bytes: number; readonly sha256: string };
}

/** The parts of a backup file, each checked for length; nothing decrypted. */
export interface BackupFile {
  readonly header: BackupHeader;
  /** The bytes the header was read from (the AAD and the wrap binding are over them). */
  readonly headerPrefix: Buffer;
  readonly wrappedKey: Buffer;
  readonly nonce: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
  readonly signed: Buffer;
  readonly signature: Buffer;
}

/** The AAD of the payload: sha256 of magic ‖ header length ‖ header. */
export function payloadAad(headerPrefix: Uint8Array): Buffer {
  return sha256(headerPrefix);
}

/** What the file key is wrapped under the root with: the context and the header's digest. */
export function fileKeyBinding(headerPrefix: Uint8Array): Buffer {
  return Buffer.concat([FILE_KEY_CONTEXT, sha256(headerPrefix)]);
}

/** The message the Ed25519 signature is over (domain-separated from tree heads and signed notes). */
export function signedMessage(signed: Uint8Array): Buffer {
  return signedMessageOfDigest(sha256(signed));
}

/** {@link signedMessage} given the sha256 of the signed bytes (a streamed file). */
export function signedMessageOfDigest(digest: Buffer): Buffer {
  return Buffer.concat([SIGNATURE_CONTEXT, digest]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Magic ‖ header length ‖ header: the first part of a file. */
export function encodeHeader(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  return Buffer.concat([BACKUP_MAGIC, u32(json.length), json]);
}

/** The bytes a file's signature covers. */
export function encodeUnsigned(headerPrefix: Buffer, wrappedKey: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer): Buffer {
  return Buffer.concat([encodeBeforePayload(headerPrefix, wrappedKey, nonce, ciphertext.length), ciphertext, tag]);
}

/** Everything before the ciphertext, for a writer that streams the ciphertext after it. */
export function encodeBeforePayload(headerPrefix: Buffer, wrappedKey: Buffer, nonce: Buffer, ciphertextLength: number): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(ciphertextLength));
  return Buffer.concat([headerPrefix, u32(wrappedKey.length), wrappedKey, nonce, len]);
}

/**
 * Where each part of a backup file is, read from its two ends without reading the payload: what a
 * streaming verify or restore needs. `ciphertextAt`/`ciphertextLength` locate the payload; the signature
 * covers the first `signedLength` bytes.
 */
export interface BackupLayout {
  readonly header: BackupHeader;
  readonly headerPrefix: Buffer;
  readonly wrappedKey: Buffer;
  readonly nonce: Buffer;
  readonly ciphertextAt: number;
  readonly ciphertextLength: number;
  readonly tag: Buffer;
  readonly signedLength: number;
  readonly signature: Buffer;
  /** The whole file's length. */
  readonly size: number;
}

/** Random access to a backup's bytes (a file, or a buffer): `length` bytes at `at`, fewer only past the end. */
export type ReadAt = (at: number, length: number) => Buffer;

/**
 * Locates a backup's parts, refusing (BackupRefused) a file that is not a backup, of another format,
 * truncated, or with bytes after its signature. Reads only the head and the tail; checks no signature
 * (see {@link verifyBackupSignature}).
 */
export function readBackupLayout(size: number, readAt: ReadAt): BackupLayout {
  let at = 0;
  const take = (n: number, what: string): Buffer => {
    if (n < 0 || at + n > size) throw new BackupRefused(`the backup file is truncated (${size} bytes; ${what} needs ${at + n})`);
    const out = readAt(at, n);
    at += n;
    return out;
  };
  if (size < BACKUP_MAGIC.length || !readAt(0, BACKUP_MAGIC.length).equals(BACKUP_MAGIC)) throw new BackupRefused('not an Arca backup file (bad magic)');
  at = BACKUP_MAGIC.length;
  const headerLength = take(4, 'the header length').readUInt32BE();
  if (headerLength > MAX_HEADER) throw new BackupRefused(`the backup header claims ${headerLength} bytes: corrupted`);
  const headerBytes = take(headerLength, 'the header');
  const headerPrefix = readAt(0, at);
  const header = parseHeader(headerBytes);
  const wrappedKey = take(take(4, 'the wrapped key length').readUInt32BE(), 'the wrapped file key');
  const nonce = take(NONCE_LENGTH, 'the nonce');
  const ctLength = take(8, 'the ciphertext length').readBigUInt64BE();
  if (ctLength > BigInt(size)) throw new BackupRefused(`the backup file is truncated (${size} bytes; the payload alone claims ${ctLength})`);
  const ciphertextAt = at;
  const ciphertextLength = Number(ctLength);
  if (at + ciphertextLength > size) throw new BackupRefused(`the backup file is truncated (${size} bytes; the payload needs ${at + ciphertextLength})`);
  at += ciphertextLength;
  const tag = take(TAG_LENGTH, 'the payload tag');
  const signedLength = at;
  const signature = take(SIGNATURE_LENGTH, 'the signature');
  if (at !== size) throw new BackupRefused(`the backup file has ${size - at} bytes after its signature`);
  return { header, headerPrefix, wrappedKey, nonce, ciphertextAt, ciphertextLength, tag, signedLength, signature, size };
}

/** Splits a backup held in memory into its parts (see {@link readBackupLayout}). */
export function parseBackupFile(file: Buffer): BackupFile {
  const layout = readBackupLayout(file.length, (at, length) => file.subarray(at, at + length));
  const { header, headerPrefix, wrappedKey, nonce, tag, signature } = layout;
  const ciphertext = file.subarray(layout.ciphertextAt, layout.ciphertextAt + layout.ciphertextLength);
  return { header, headerPrefix, wrappedKey, nonce, ciphertext, tag, signed: file.subarray(0, layout.signedLength), signature };
}

function parseHeader(bytes: Buffer): BackupHeader {
  let h: unknown;
  try {
    h = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BackupRefused('the backup header is not valid JSON: corrupted');
  }
  if (typeof h !== 'object' || h === null) throw new BackupRefused('the backup header is not an object');
  const r = h as Record<string, unknown>;
  if (r['format'] !== BACKUP_FORMAT_VERSION) throw new BackupRefused(`backup format ${String(r['format'])} is not supported (this Arca reads format ${BACKUP_FORMAT_VERSION})`);
  for (const field of ['createdAt', 'source', 'counts', 'chains', 'root', 'signer', 'payload']) {
    if (!(field in r)) throw new BackupRefused(`the backup header lacks '${field}'`);
  }
  // The header is trusted only after the signature verifies; its shape is checked here so reports cannot crash.
  return h as BackupHeader;
}

/**
 * Verifies the signature with the header's signer key, and that key against `trustedKey` when given
 * (the audit trail key the operator pinned). Throws BackupRefused saying which check failed.
 */
export function verifyBackupSignature(file: BackupFile, trustedKey?: Buffer): Buffer {
  return verifyBackupSignatureOf(file, sha256(file.signed), trustedKey);
}

/**
 * {@link verifyBackupSignature} given the sha256 of the signed bytes (`signedLength` of them), computed
 * by the caller while streaming the file.
 */
export function verifyBackupSignatureOf(file: Pick<BackupFile, 'header' | 'signature'>, signedDigest: Buffer, trustedKey?: Buffer): Buffer {
  const publicKey = Buffer.from(file.header.signer.publicKey, 'base64');
  if (publicKey.length !== 32) throw new BackupRefused('the backup header names no valid Ed25519 signer key');
  if (trustedKey !== undefined && !trustedKey.equals(publicKey)) {
    throw new BackupRefused(`the backup was signed by key ${publicKey.toString('base64')}, not by the trusted key ${trustedKey.toString('base64')}`);
  }
  if (!ed25519Verify(publicKey, signedMessageOfDigest(signedDigest), file.signature)) {
    throw new BackupRefused('the backup signature does not verify: the file was altered after it was made (or signed by another key)');
  }
  return publicKey;
}

/** What a backup made by the server answers (ArcaService.CreateBackup). */
export interface BackupSummary {
  /** Where the file is, on the server's file system (`backup.dir`). */
  readonly path: string;
  readonly bytes: number;
  /** sha256 of the whole file, hex. */
  readonly sha256: string;
  readonly header: BackupHeader;
}

/**
 * The port that makes a backup of the whole store (ADR 0016): one consistent snapshot, encrypted under
 * the live root of trust and signed with this node's audit trail key, written into the configured
 * directory. Refuses (KmsError) when sealed or when no directory is configured.
 */
export interface BackupMaker {
  create(): Promise<BackupSummary>;
}
