import { aesGcmDecrypt, aesGcmEncrypt } from '../crypto/aead.js';
import { aes256GcmDecryptStream, aes256GcmEncryptStream, type GcmDecryptStream } from '../crypto/aead-stream.js';
import { ed25519PublicOf, ed25519Sign } from '../crypto/ed25519.js';
import { sha256Hex, sha256Stream } from '../crypto/hash.js';
import { randomPublicBytes, randomSecret } from '../crypto/random.js';
import { AUDIT_SIGNING_KEY_BINDING } from '../core/bindings.js';
import {
  BackupRefused, encodeBeforePayload, encodeHeader, encodeUnsigned, fileKeyBinding, payloadAad, signedMessage, signedMessageOfDigest, type BackupFile, type BackupHeader,
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

/**
 * A backup being written as a stream (format in core/backup-file.ts, the same bytes as sealBackup):
 * `head` first, then `update` for each payload chunk in order, then `end`'s bytes. The header is known
 * before the first chunk (it is the AAD and the wrap binding), so the payload's length and digest in it
 * must be those of the chunks that follow; `end` refuses a different length.
 */
export interface BackupSealer extends Disposable {
  /** Magic, header, wrapped file key, nonce and ciphertext length: the bytes before the ciphertext. */
  readonly head: Buffer;
  /** The ciphertext of the next payload chunk. */
  update(payload: Uint8Array): Buffer;
  /** The GCM tag and the Ed25519 signature over everything before it: the file's last bytes. Zeroes the file key. */
  end(): Buffer;
}

/** Starts a streamed backup: a fresh file key, wrapped under `root` bound to the header. */
export async function beginBackupSeal(header: BackupHeader, root: Pick<RootOfTrust, 'wrap'>, signer: Pick<BackupSigner, 'sign'>): Promise<BackupSealer> {
  const headerPrefix = encodeHeader(header);
  const fileKey = randomSecret(FILE_KEY_LENGTH);
  try {
    const wrappedKey = await root.wrap(fileKey, fileKeyBinding(headerPrefix));
    const nonce = randomPublicBytes(12);
    const gcm = aes256GcmEncryptStream(fileKey, nonce, payloadAad(headerPrefix));
    const head = encodeBeforePayload(headerPrefix, wrappedKey, nonce, header.payload.bytes);
    const signed = sha256Stream();
    signed.update(head);
    let bytes = 0;
    return {
      head,
      update(payload) {
        bytes += payload.length;
        const out = gcm.update(payload);
        signed.update(out);
        return out;
      },
      end() {
        if (bytes !== header.payload.bytes) throw new Error(`the backup payload has ${bytes} bytes, its header ${header.payload.bytes}`);
        const tag = gcm.final();
        signed.update(tag);
        fileKey.dispose();
        return Buffer.concat([tag, signer.sign(signedMessageOfDigest(signed.digest()))]);
      },
      [Symbol.dispose]: () => fileKey.dispose(),
    };
  } catch (e) {
    fileKey.dispose();
    throw e;
  }
}

/**
 * A backup's payload decrypted as a stream: `update` for each ciphertext chunk in order hands out
 * plaintext that is NOT yet authenticated; `final` checks the GCM tag and the payload's length and
 * digest against the signed header, and throws BackupRefused unless all hold. What was done with the
 * plaintext must be undone unless `final` returned (restore commits only after it).
 */
export interface BackupPayloadStream extends Disposable {
  update(ciphertext: Uint8Array): Buffer;
  final(): void;
}

/** Opens a (signature-checked) backup's payload as a stream; refuses another root as openBackupPayload does. */
export async function openBackupPayloadStream(file: Pick<BackupFile, 'header' | 'headerPrefix' | 'wrappedKey' | 'nonce' | 'tag'>, root: Pick<RootOfTrust, 'unwrap'>): Promise<BackupPayloadStream> {
  let fileKey;
  try {
    fileKey = await root.unwrap(file.wrappedKey, fileKeyBinding(file.headerPrefix));
  } catch {
    throw new BackupRefused(`the backup's file key does not unwrap under this root of trust: the backup was made under another root (${file.header.root.kind}, ${file.header.root.fingerprint}); restore needs the same shares, HSM key or dev root file`);
  }
  const key = fileKey;
  let gcm: GcmDecryptStream;
  try {
    gcm = aes256GcmDecryptStream(key, file.nonce, file.tag, payloadAad(file.headerPrefix));
  } catch (e) {
    key.dispose();
    throw e;
  }
  const digest = sha256Stream();
  let bytes = 0;
  return {
    update(ciphertext) {
      const out = gcm.update(ciphertext);
      digest.update(out);
      bytes += out.length;
      return out;
    },
    final() {
      key.dispose();
      if (!gcm.final()) throw new BackupRefused('the backup payload does not decrypt (altered or corrupted)');
      if (bytes !== file.header.payload.bytes || digest.digest().toString('hex') !== file.header.payload.sha256) throw new BackupRefused('the backup payload does not match its header (length or digest)');
    },
    [Symbol.dispose]: () => key.dispose(),
  };
}

/**
 * The payload kept on disk, encrypted, while its header cannot be written yet (its length and digest are
 * known only at the end; a backup is made in two passes, ADR 0016): a fresh AES-256-GCM key that exists
 * only in this object, so the spool file is unreadable to anyone else and any change to it is detected
 * when it is read back. Encrypt every chunk, `sealed()`, then decrypt them in the same order, `checked()`.
 */
export interface PayloadSpoolCipher extends Disposable {
  encrypt(chunk: Uint8Array): Buffer;
  sealed(): void;
  decrypt(chunk: Uint8Array): Buffer;
  /** Throws unless the chunks decrypted were exactly those encrypted. */
  checked(): void;
}

const SPOOL_AAD = Buffer.from('arca/backup-spool/v1', 'utf8');

export function payloadSpoolCipher(): PayloadSpoolCipher {
  const key = randomSecret(FILE_KEY_LENGTH);
  const nonce = randomPublicBytes(12);
  const encrypting = aes256GcmEncryptStream(key, nonce, SPOOL_AAD);
  let decrypting: GcmDecryptStream | undefined;
  return {
    encrypt: (chunk) => encrypting.update(chunk),
    sealed() {
      decrypting = aes256GcmDecryptStream(key, nonce, encrypting.final(), SPOOL_AAD);
    },
    decrypt(chunk) {
      if (decrypting === undefined) throw new Error('the spool is read before it was sealed');
      return decrypting.update(chunk);
    },
    checked() {
      if (decrypting === undefined || !decrypting.final()) throw new Error('the backup spool file changed while the backup was made');
    },
    [Symbol.dispose]: () => key.dispose(),
  };
}
