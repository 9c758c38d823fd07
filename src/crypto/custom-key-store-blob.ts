import { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { bytesToUuid, uuidToBytes } from './encoding.js';
import { sha256 } from './hash.js';
import { hkdf } from './kdf.js';
import { randomPublicBytes } from './random.js';
import type { SecretBytes } from './secret-bytes.js';

/**
 * Ciphertext blobs of keys in custom key stores (ADR 0024, docs/ciphertext-format.md). Both start with the
 * same 21-byte header as format 0x01 (format byte, key id as UUID bytes, key version u32 BE), so a blob
 * still names its key; every byte of it is covered by every AAD below.
 *
 * `0x03` — a key in an external key store, encrypted twice (as AWS does):
 * `0x03 | key id (16) | version (4) | metadata length (1) | proxy metadata (≤ 20) | iv (12) | tag (16) | outer ciphertext`
 * - inner: Arca's AES-256-GCM under the key version's material: key = HKDF-SHA256(material, salt,
 *   info = header ‖ "xks-inner"), AAD = header ‖ encoded context; the inner ciphertext is
 *   `salt (32) | nonce (12) | ciphertext | tag (16)`;
 * - outer: the external key's AES-GCM through the proxy, over the inner ciphertext, with
 *   AAD = header ‖ SHA-256(encoded context) (the proxy binds its metadata too).
 * Neither Arca's material nor the external key alone opens it.
 *
 * `0x04` — a key in an HSM key store: `0x04 | key id (16) | version (4) | iv (12) | tag (16) | ciphertext`,
 * AES-256-GCM inside the HSM with AAD = header ‖ encoded context.
 */
export const BLOB_FORMAT_XKS = 0x03;
export const BLOB_FORMAT_HSM = 0x04;
export const CKS_HEADER_LENGTH = 21;
const SALT = 32;
const MAX_METADATA = 20;
const INNER_INFO = Buffer.from('xks-inner', 'utf8');

/** The 21-byte header of a 0x03 or 0x04 blob for a key version (a UUID key id: custom key stores have no multi-Region keys). */
export function customKeyStoreHeader(format: typeof BLOB_FORMAT_XKS | typeof BLOB_FORMAT_HSM, keyId: string, version: number): Buffer {
  if (!Number.isInteger(version) || version < 1 || version > 0xffff_ffff) throw new RangeError('key version must be in 1..2^32-1');
  const head = Buffer.alloc(CKS_HEADER_LENGTH);
  head[0] = format;
  uuidToBytes(keyId).copy(head, 1);
  head.writeUInt32BE(version, 17);
  return head;
}

/** The key id and version of a 0x03/0x04 header (not authenticated yet), or undefined. */
export function readCustomKeyStoreHeader(blob: Uint8Array): { readonly format: number; readonly keyId: string; readonly version: number } | undefined {
  if (blob.length < CKS_HEADER_LENGTH || (blob[0] !== BLOB_FORMAT_XKS && blob[0] !== BLOB_FORMAT_HSM)) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const version = b.readUInt32BE(17);
  return version === 0 ? undefined : { format: b[0] ?? 0, keyId: bytesToUuid(b.subarray(1, 17)), version };
}

/** The inner layer of a 0x03 blob: Arca's AES-256-GCM under the key version's material. */
export function sealXksInner(material: SecretBytes, head: Buffer, plaintext: Uint8Array, encodedContext: Uint8Array): Buffer {
  const random = randomPublicBytes(SALT + GCM_NONCE_LENGTH);
  const salt = random.subarray(0, SALT);
  const nonce = random.subarray(SALT);
  const key = hkdf('sha256', material, salt, Buffer.concat([head, INNER_INFO]), 32);
  try {
    const { ciphertext, tag } = aesGcmEncrypt(key, nonce, plaintext, Buffer.concat([head, encodedContext]));
    return Buffer.concat([salt, nonce, ciphertext, tag]);
  } finally {
    key.dispose();
  }
}

/** Opens the inner layer; undefined on any failure. */
export function openXksInner(material: SecretBytes, head: Buffer, inner: Uint8Array, encodedContext: Uint8Array): SecretBytes | undefined {
  if (inner.length < SALT + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) return undefined;
  const b = Buffer.from(inner.buffer, inner.byteOffset, inner.length);
  const key = hkdf('sha256', material, b.subarray(0, SALT), Buffer.concat([head, INNER_INFO]), 32);
  try {
    return aesGcmDecrypt(key, b.subarray(SALT, SALT + GCM_NONCE_LENGTH), b.subarray(SALT + GCM_NONCE_LENGTH, b.length - GCM_TAG_LENGTH), b.subarray(b.length - GCM_TAG_LENGTH), Buffer.concat([head, encodedContext]));
  } finally {
    key.dispose();
  }
}

/** The AAD the proxy binds the outer layer to: header ‖ SHA-256(encoded context) (the proxy takes at most 8 KiB). */
export function xksOuterAad(head: Buffer, encodedContext: Uint8Array): Buffer {
  return Buffer.concat([head, sha256(encodedContext)]);
}

/** The proxy's output of the outer layer. */
export interface OuterLayer {
  readonly metadata: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export function encodeXksBlob(head: Buffer, outer: OuterLayer): Buffer {
  if (outer.metadata.length > MAX_METADATA || outer.iv.length !== GCM_NONCE_LENGTH || outer.tag.length !== GCM_TAG_LENGTH) throw new RangeError('bad proxy output lengths');
  return Buffer.concat([head, Buffer.from([outer.metadata.length]), outer.metadata, outer.iv, outer.tag, outer.ciphertext]);
}

/** A 0x03 blob's header and outer layer; undefined when it cannot be one. */
export function decodeXksBlob(blob: Uint8Array): { readonly head: Buffer; readonly outer: OuterLayer } | undefined {
  const h = readCustomKeyStoreHeader(blob);
  if (h === undefined || h.format !== BLOB_FORMAT_XKS || blob.length < CKS_HEADER_LENGTH + 1) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const m = b[CKS_HEADER_LENGTH] ?? 0;
  const at = CKS_HEADER_LENGTH + 1 + m;
  if (m > MAX_METADATA || b.length < at + GCM_NONCE_LENGTH + GCM_TAG_LENGTH + 1) return undefined;
  return {
    head: b.subarray(0, CKS_HEADER_LENGTH),
    outer: { metadata: b.subarray(CKS_HEADER_LENGTH + 1, at), iv: b.subarray(at, at + GCM_NONCE_LENGTH), tag: b.subarray(at + GCM_NONCE_LENGTH, at + GCM_NONCE_LENGTH + GCM_TAG_LENGTH), ciphertext: b.subarray(at + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) },
  };
}

/** The AAD of a 0x04 blob: header ‖ encoded context. */
export function hsmAad(head: Buffer, encodedContext: Uint8Array): Buffer {
  return Buffer.concat([head, encodedContext]);
}

export function encodeHsmBlob(head: Buffer, sealed: { readonly iv: Buffer; readonly tag: Buffer; readonly ciphertext: Buffer }): Buffer {
  if (sealed.iv.length !== GCM_NONCE_LENGTH || sealed.tag.length !== GCM_TAG_LENGTH) throw new RangeError('bad HSM output lengths');
  return Buffer.concat([head, sealed.iv, sealed.tag, sealed.ciphertext]);
}

/** A 0x04 blob's header and sealed parts; undefined when it cannot be one. */
export function decodeHsmBlob(blob: Uint8Array): { readonly head: Buffer; readonly iv: Buffer; readonly tag: Buffer; readonly ciphertext: Buffer } | undefined {
  const h = readCustomKeyStoreHeader(blob);
  if (h === undefined || h.format !== BLOB_FORMAT_HSM || blob.length < CKS_HEADER_LENGTH + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) return undefined;
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  const at = CKS_HEADER_LENGTH;
  return { head: b.subarray(0, at), iv: b.subarray(at, at + GCM_NONCE_LENGTH), tag: b.subarray(at + GCM_NONCE_LENGTH, at + GCM_NONCE_LENGTH + GCM_TAG_LENGTH), ciphertext: b.subarray(at + GCM_NONCE_LENGTH + GCM_TAG_LENGTH) };
}
