import { aesGcmDecrypt, aesGcmEncrypt } from '../crypto/aead.js';
import { ed25519PublicOf, ed25519Sign } from '../crypto/ed25519.js';
import { sha256Hex } from '../crypto/hash.js';
import { randomPublicBytes, randomSecret } from '../crypto/random.js';
import { AUDIT_SIGNING_KEY_BINDING } from '../core/bindings.js';
import {
  BackupRefused, encodeHeader, encodeUnsigned, fileKeyBinding, payloadAad, signedMessage, type BackupFile, type BackupHeader,
} from '../core/backup-file.js';
import type { Keyring, RootOfTrust, WrappedSecret } from '../core/ports.js';

const FILE_KEY_LENGTH = 32;

/** Signs a backup: the audit trail's Ed25519 key (ADR 0016), unwrapped for one backup and then zeroed. */
export interface BackupSigner extends Disposable {
  readonly publicKey: Buffer;
  sign(message: Uint8Array): Buffer;
}

/**
 * Unwraps a trail's stored signing key under `keyring` (the domain keys, so the root) and checks it
 * against its stored public key. The private key never leaves this object; dispose zeroes it.
 */
export async function unwrapBackupSigner(keyring: Pick<Keyring, 'unwrap'>, stored: { readonly publicKey: Buffer; readonly wrapped: WrappedSecret }): Promise<BackupSigner> {
  const privateKey = await keyring.unwrap(stored.wrapped, AUDIT_SIGNING_KEY_BINDING);
  if (!ed25519PublicOf(privateKey).equals(stored.publicKey)) {
    privateKey.dispose();
    throw new Error('the stored audit signing public key does not match its private key');
  }
  return {
    publicKey: stored.publicKey,
    sign: (message) => ed25519Sign(privateKey, message),
    [Symbol.dispose]: () => privateKey.dispose(),
  };
}

/**
 * Makes a backup file (format in core/backup-file.ts): `payload` encrypted with AES-256-GCM under a fresh
 * file key, that key wrapped under `root` bound to the header, everything signed by `signer`. The payload
 * holds only wrapped secrets; the file key is zeroed before this returns.
 */
export async function sealBackup(header: BackupHeader, payload: Buffer, root: Pick<RootOfTrust, 'wrap'>, signer: Pick<BackupSigner, 'sign'>): Promise<Buffer> {
  const headerPrefix = encodeHeader(header);
  const fileKey = randomSecret(FILE_KEY_LENGTH);
  try {
    const wrappedKey = await root.wrap(fileKey, fileKeyBinding(headerPrefix));
    const nonce = randomPublicBytes(12);
    const { ciphertext, tag } = aesGcmEncrypt(fileKey, nonce, payload, payloadAad(headerPrefix));
    const unsigned = encodeUnsigned(headerPrefix, wrappedKey, nonce, ciphertext, tag);
    return Buffer.concat([unsigned, signer.sign(signedMessage(unsigned))]);
  } finally {
    fileKey.dispose();
  }
}

/**
 * Decrypts a parsed (and signature-checked) backup's payload with the file key unwrapped under `root`.
 * A root that did not make the file cannot unwrap the key: BackupRefused saying so. A payload that does
 * not authenticate, or whose length or digest differs from the header's, is refused too.
 */
export async function openBackupPayload(file: BackupFile, root: Pick<RootOfTrust, 'unwrap'>): Promise<Buffer> {
  let fileKey;
  try {
    fileKey = await root.unwrap(file.wrappedKey, fileKeyBinding(file.headerPrefix));
  } catch {
    throw new BackupRefused(`the backup's file key does not unwrap under this root of trust: the backup was made under another root (${file.header.root.kind}, ${file.header.root.fingerprint}); restore needs the same shares, HSM key or dev root file`);
  }
  try {
    const plain = aesGcmDecrypt(fileKey, file.nonce, file.ciphertext, file.tag, payloadAad(file.headerPrefix));
    if (plain === undefined) throw new BackupRefused('the backup payload does not decrypt (altered or corrupted)');
    const bytes = plain.expose();
    const out = Buffer.from(bytes);
    plain.dispose();
    if (out.length !== file.header.payload.bytes || sha256Hex(out) !== file.header.payload.sha256) throw new BackupRefused('the backup payload does not match its header (length or digest)');
    return out;
  } finally {
    fileKey.dispose();
  }
}
