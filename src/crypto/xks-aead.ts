import { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { encodeFields } from './encoding.js';
import { sha256 } from './hash.js';
import { hkdf } from './kdf.js';
import { randomPublicBytes } from './random.js';
import type { SecretBytes } from './secret-bytes.js';

/**
 * AES-256-GCM for the XKS proxy API (docs/xks-proxy.md, ADR 0023), frozen by known-answer tests
 * (xks-aead.test.ts): what Arca answers to AWS KMS's Encrypt is embedded in KMS ciphertexts for good.
 *
 * `ciphertextMetadata` (20 bytes, the spec's maximum) = `0x01 | key version (u32 BE) | salt (15)`.
 * The message key is HKDF-SHA256(version material, salt, info = label ‖ key wire id ‖ metadata[0..5)),
 * so each message has its own AES-256 key (AWS KMS's 1,800 requests a second would otherwise reach
 * the random-nonce limit of one GCM key, 2^32 messages, within a month) and the XKS keys are separated
 * from the material's other uses by the label. The GCM AAD is the spec's
 * `len(aad) (u16 BE) ‖ aad ‖ len(metadata) (u8) ‖ metadata`, so the metadata (the key version) is
 * authenticated and an AAD cannot pass for metadata or the reverse. The IV is 12 random bytes.
 */

/** The label of the XKS message keys: never used for anything else (a new format gets a new label). */
const XKS_KEY_LABEL = 'arca.xks-message-key.v1';
export const XKS_METADATA_FORMAT = 0x01;
export const XKS_SALT_LENGTH = 15;
export const XKS_METADATA_LENGTH = 1 + 4 + XKS_SALT_LENGTH;
/** The longest AAD the length prefix can say (the spec requires 8,192 bytes to work). */
export const XKS_MAX_AAD = 0xffff;

/** What an XKS encryption produces, every field as the spec's bytes. */
export interface XksCiphertext {
  readonly ciphertext: Buffer;
  readonly initializationVector: Buffer;
  readonly authenticationTag: Buffer;
  readonly ciphertextMetadata: Buffer;
}

/** The key version the metadata names, or `undefined` when it is not Arca's format (not yet authenticated). */
export function xksMetadataVersion(metadata: Uint8Array | undefined): number | undefined {
  if (metadata === undefined || metadata.length !== XKS_METADATA_LENGTH || metadata[0] !== XKS_METADATA_FORMAT) return undefined;
  const version = Buffer.from(metadata.buffer, metadata.byteOffset, metadata.length).readUInt32BE(1);
  return version === 0 ? undefined : version;
}

/** The spec's AES-GCM AAD: `len(aad) (u16 BE) ‖ aad ‖ len(metadata) (u8) ‖ metadata`, an absent field of length 0. */
export function xksAad(aad: Uint8Array | undefined, metadata: Uint8Array | undefined): Buffer {
  const a = aad ?? new Uint8Array(0);
  const m = metadata ?? new Uint8Array(0);
  if (a.length > XKS_MAX_AAD || m.length > 0xff) throw new RangeError('XKS AAD or metadata too long');
  const out = Buffer.allocUnsafe(2 + a.length + 1 + m.length);
  out.writeUInt16BE(a.length, 0);
  out.set(a, 2);
  out[2 + a.length] = m.length;
  out.set(m, 3 + a.length);
  return out;
}

/**
 * The spec's Ciphertext Data Integrity Value (appendix C): SHA-256 of
 * `aad ‖ metadata ‖ iv ‖ ciphertext ‖ tag` (absent fields empty; no lengths, by the spec's design).
 */
export function xksCdiv(aad: Uint8Array | undefined, sealed: XksCiphertext): Buffer {
  return sha256(Buffer.concat([aad ?? new Uint8Array(0), sealed.ciphertextMetadata, sealed.initializationVector, sealed.ciphertext, sealed.authenticationTag]));
}

function messageKey(material: SecretBytes, keyWireId: string, metadata: Buffer): SecretBytes {
  const info = Buffer.concat([encodeFields([XKS_KEY_LABEL, keyWireId]), metadata.subarray(0, 5)]);
  return hkdf('sha256', material, metadata.subarray(5), info, 32);
}

/** Encrypts with explicit salt and IV; exported for known-answer tests only. Use {@link xksSeal}. */
export function xksSealWith(material: SecretBytes, keyWireId: string, version: number, salt: Buffer, iv: Buffer, plaintext: Uint8Array, aad: Uint8Array | undefined): XksCiphertext {
  if (salt.length !== XKS_SALT_LENGTH || iv.length !== GCM_NONCE_LENGTH) throw new RangeError('bad XKS salt or IV length');
  if (!Number.isInteger(version) || version < 1 || version > 0xffff_ffff) throw new RangeError('key version must be in 1..2^32-1');
  const metadata = Buffer.allocUnsafe(XKS_METADATA_LENGTH);
  metadata[0] = XKS_METADATA_FORMAT;
  metadata.writeUInt32BE(version, 1);
  salt.copy(metadata, 5);
  const key = messageKey(material, keyWireId, metadata);
  try {
    const { ciphertext, tag } = aesGcmEncrypt(key, iv, plaintext, xksAad(aad, metadata));
    return { ciphertext, initializationVector: Buffer.from(iv), authenticationTag: tag, ciphertextMetadata: metadata };
  } finally {
    key.dispose();
  }
}

/** Encrypts `plaintext` under version `version` of the key whose wire id is `keyWireId`, with a fresh salt and IV. */
export function xksSeal(material: SecretBytes, keyWireId: string, version: number, plaintext: Uint8Array, aad: Uint8Array | undefined): XksCiphertext {
  return xksSealWith(material, keyWireId, version, randomPublicBytes(XKS_SALT_LENGTH), randomPublicBytes(GCM_NONCE_LENGTH), plaintext, aad);
}

/**
 * Decrypts and authenticates with the material of the version the metadata names; `undefined` on any
 * failure (metadata not Arca's, IV or tag of another length, wrong key, AAD or tag): callers answer one
 * opaque error.
 */
export function xksOpen(material: SecretBytes, keyWireId: string, sealed: XksCiphertext, aad: Uint8Array | undefined): SecretBytes | undefined {
  const metadata = sealed.ciphertextMetadata;
  if (xksMetadataVersion(metadata) === undefined || sealed.initializationVector.length !== GCM_NONCE_LENGTH || sealed.authenticationTag.length !== GCM_TAG_LENGTH) return undefined;
  if ((aad?.length ?? 0) > XKS_MAX_AAD) return undefined;
  const key = messageKey(material, keyWireId, metadata);
  try {
    return aesGcmDecrypt(key, sealed.initializationVector, sealed.ciphertext, sealed.authenticationTag, xksAad(aad, metadata));
  } finally {
    key.dispose();
  }
}
