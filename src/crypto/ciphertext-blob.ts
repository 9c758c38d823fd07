import { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { readCustomKeyStoreHeader } from './custom-key-store-blob.js';
import { bytesToUuid, uuidToBytes } from './encoding.js';
import { hkdf } from './kdf.js';
import { randomPublicBytes } from './random.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * The symmetric ciphertext blob, frozen by known-answer tests (docs/ciphertext-format.md):
 *
 * `0x01 | key id (16, UUID bytes) | key version (u32 BE) | salt (32) | nonce (12) | ciphertext | tag (16)`
 *
 * A multi-Region key's blob starts with `0x02` and carries the 16 bytes of its `mrk-` id's 32 hex digits
 * in the key id field (ADR 0022); the rest is the same.
 *
 * The message key is HKDF-SHA256(version material, salt, info = header), so each message has its own
 * AES-256 key and the random-nonce limit of AES-GCM never binds. The AAD is `header | encoded context`.
 */
export const BLOB_FORMAT_V1 = 0x01;
/** The format byte of a blob under a multi-Region key (`mrk-` id). */
export const BLOB_FORMAT_MRK = 0x02;
export const SALT_LENGTH = 32;
export const HEADER_LENGTH = 1 + 16 + 4 + SALT_LENGTH + GCM_NONCE_LENGTH;
export const BLOB_OVERHEAD = HEADER_LENGTH + GCM_TAG_LENGTH;

export interface BlobHeader {
  keyId: string;
  version: number;
}

/** The key id and version a blob names, or `undefined` if it cannot be a v1 blob. Not authenticated yet. */
export function readBlobHeader(blob: Uint8Array): BlobHeader | undefined {
  if (blob.length < BLOB_OVERHEAD || (blob[0] !== BLOB_FORMAT_V1 && blob[0] !== BLOB_FORMAT_MRK)) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const version = b.readUInt32BE(17);
  if (version === 0) return undefined;
  const id = b.subarray(1, 17);
  return { keyId: blob[0] === BLOB_FORMAT_MRK ? `mrk-${id.toString('hex')}` : bytesToUuid(id), version };
}

/**
 * The key id and version any Arca ciphertext names: formats 0x01/0x02 (above) or 0x03/0x04 (keys in custom
 * key stores, src/crypto/custom-key-store-blob.ts). Not authenticated yet; `undefined` when it is none.
 */
export function readAnyBlobHeader(blob: Uint8Array): BlobHeader | undefined {
  const header = readBlobHeader(blob);
  if (header !== undefined) return header;
  const cks = readCustomKeyStoreHeader(blob);
  return cks && { keyId: cks.keyId, version: cks.version };
}

/** Encrypts with explicit salt and nonce; exported for known-answer tests only. Use {@link sealBlob}. */
export function sealBlobWith(
  material: SecretBytes,
  header: BlobHeader,
  salt: Buffer,
  nonce: Buffer,
  plaintext: Uint8Array,
  encodedContext: Uint8Array,
): Buffer {
  if (salt.length !== SALT_LENGTH || nonce.length !== GCM_NONCE_LENGTH) throw new RangeError('bad salt or nonce length');
  // Version 0 would seal a blob that readBlobHeader refuses: ciphertext nobody can ever decrypt.
  if (!Number.isInteger(header.version) || header.version < 1 || header.version > 0xffff_ffff) throw new RangeError('key version must be in 1..2^32-1');
  const head = Buffer.allocUnsafe(HEADER_LENGTH);
  const mrk = /^mrk-[0-9a-f]{32}$/.test(header.keyId);
  head[0] = mrk ? BLOB_FORMAT_MRK : BLOB_FORMAT_V1;
  (mrk ? Buffer.from(header.keyId.slice(4), 'hex') : uuidToBytes(header.keyId)).copy(head, 1);
  head.writeUInt32BE(header.version, 17);
  salt.copy(head, 21);
  nonce.copy(head, 21 + SALT_LENGTH);
  const messageKey = hkdf('sha256', material, salt, head, 32);
  try {
    const { ciphertext, tag } = aesGcmEncrypt(messageKey, nonce, plaintext, aad(head, encodedContext));
    return Buffer.concat([head, ciphertext, tag]);
  } finally {
    messageKey.dispose();
  }
}

/** The AAD: `header | encoded context` (the header alone when there is no context). */
function aad(head: Buffer, encodedContext: Uint8Array): Buffer {
  return encodedContext.length === 0 ? head : Buffer.concat([head, encodedContext]);
}

export function sealBlob(material: SecretBytes, header: BlobHeader, plaintext: Uint8Array, encodedContext: Uint8Array): Buffer {
  const random = randomPublicBytes(SALT_LENGTH + GCM_NONCE_LENGTH);
  return sealBlobWith(material, header, random.subarray(0, SALT_LENGTH), random.subarray(SALT_LENGTH), plaintext, encodedContext);
}

/** Decrypts a blob made by {@link sealBlob} under `material`; `undefined` on any failure. */
export function openBlob(material: SecretBytes, blob: Uint8Array, encodedContext: Uint8Array): SecretBytes | undefined {
  if (readBlobHeader(blob) === undefined) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const head = b.subarray(0, HEADER_LENGTH);
  const salt = b.subarray(21, 21 + SALT_LENGTH);
  const nonce = b.subarray(21 + SALT_LENGTH, HEADER_LENGTH);
  const ciphertext = b.subarray(HEADER_LENGTH, b.length - GCM_TAG_LENGTH);
  const tag = b.subarray(b.length - GCM_TAG_LENGTH);
  const messageKey = hkdf('sha256', material, salt, head, 32);
  try {
    return aesGcmDecrypt(messageKey, nonce, ciphertext, tag, aad(head, encodedContext));
  } finally {
    messageKey.dispose();
  }
}
