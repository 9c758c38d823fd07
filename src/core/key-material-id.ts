import { encodeFields } from '../crypto/encoding.js';
import { wireKeyId } from './multi-region.js';
import { sha256Hex } from '../crypto/hash.js';
import type { KeyRecord } from './key.js';

/**
 * AWS's key material ID: a 64-hex-digit identifier of one generation of a key's material (AWS, June 2025).
 * Arca derives it from the key id and the generation's version number (SHA-256 of the labelled fields),
 * so every generation has a stable id that needs no stored column and reveals nothing about the material
 * (the bytes are fixed: ids already handed out must not change; key-material-id.test.ts pins one); AWS
 * documents only that the id is unique per key material (for imported material, computed from the key id
 * and the material), not how it is derived.
 */
export function keyMaterialId(keyId: string, version: number): string {
  // The wire id: a multi-Region key's regional keys share their material, and so its ids (ADR 0022).
  return sha256Hex(encodeFields(['arca.key-material-id.v1', wireKeyId(keyId), version]));
}

/**
 * Whether AWS names the key material of `key` in its answers: symmetric encryption keys with AWS_KMS or
 * EXTERNAL origin (the keys that rotate and so can hold several generations), once they have material.
 */
export function namesKeyMaterial(key: Pick<KeyRecord, 'keySpec' | 'origin' | 'state'>): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT' && (key.origin === 'AWS_KMS' || key.origin === 'EXTERNAL') && key.state !== 'PendingImport';
}

/** `CurrentKeyMaterialId` for KeyMetadata: the primary version's id, when AWS names the key's material. */
export function currentKeyMaterialId(key: Pick<KeyRecord, 'id' | 'keySpec' | 'origin' | 'state' | 'primaryVersion'>): { CurrentKeyMaterialId?: string } {
  return namesKeyMaterial(key) ? { CurrentKeyMaterialId: keyMaterialId(key.id, key.primaryVersion) } : {};
}
