import { encodeFields } from '../crypto/encoding.js';
import type { SealRecord } from './ports.js';
import { wireKeyId } from './multi-region.js';

/**
 * Every binding Arca mixes into a wrapped secret's AAD (or into a fingerprint), in one place, so that no
 * two purposes can share a label and a reader sees at a glance what each stored secret is bound to.
 *
 * A binding ties a wrapped value to where it belongs: a row copied to another key, version, access key or
 * purpose fails to unwrap. The bytes are part of the storage format: every database and HSM object written
 * so far was wrapped under them, so they never change (src/core/bindings.test.ts pins each one). A new
 * purpose gets a new label; a changed encoding gets a new `.vN` label and a migration that rewraps.
 */

/** The label every software root of trust (Shamir, dev file) puts before the binding of a domain key it wraps. */
const ROOT_WRAP_LABEL = encodeFields(['arca.root-wrap.v1']);

/**
 * The AAD under which a software root key (Shamir or the dev file) wraps a domain key: the root-wrap label,
 * then the domain key's own binding ({@link domainKeyBinding}). The PKCS#11 root binds by a hash of the
 * domain key's binding alone, inside the HSM's key wrap.
 */
export function rootWrapBinding(binding: Uint8Array): Buffer {
  return Buffer.concat([ROOT_WRAP_LABEL, binding]);
}

/** The AAD under which the Shamir unseal key wraps the root key: bound to the share set and its quorum. */
export function shamirRootBinding(record: Pick<SealRecord, 'shareSetId' | 'shares' | 'threshold'>): Buffer {
  return encodeFields(['arca.shamir-root.v1', record.shareSetId.toString('hex'), record.shares, record.threshold]);
}

/** The binding of a domain key to its version, under the root of trust. */
export function domainKeyBinding(version: number): Buffer {
  return encodeFields(['arca.domain-key.v1', version]);
}

/**
 * The AAD of a secret wrapped under a domain key: the secret's own binding (one of the constructors below),
 * then the domain key's version, so that a row whose version column was altered does not unwrap.
 */
export function domainKeyWrapBinding(binding: Uint8Array, domainKeyVersion: number): Buffer {
  return Buffer.concat([binding, encodeFields([domainKeyVersion])]);
}

/**
 * The binding of a key version's wrapped material to its key, version and purpose. The key is named by its
 * wire id: the regional keys of a multi-Region key share material, so their rows hold the same wrapped
 * bytes (ADR 0022); a single-Region key's wire id is its storage id.
 */
export function materialBinding(keyId: string, version: number): Buffer {
  return encodeFields(['arca.key-material.v1', wireKeyId(keyId), version, 'customer-key-version']);
}

/** The binding of an access key's wrapped secret to its id, so a secret copied to another row does not unwrap. */
export function accessKeySecretBinding(accessKeyId: string): Buffer {
  return encodeFields(['arca.access-key-secret.v1', accessKeyId]);
}

/** The binding of a custom key store's wrapped secret (XKS secret access key or HSM password) to its store id (ADR 0024). */
export function customKeyStoreSecretBinding(storeId: string): Buffer {
  return encodeFields(['arca.custom-key-store-secret.v1', storeId]);
}

/** The binding of a virtual MFA device's wrapped TOTP seed to its principal's unique id. */
export function mfaSecretBinding(principalId: string): Buffer {
  return encodeFields(['arca.mfa-secret.v1', principalId]);
}

/** The binding of an STS session's wrapped secret to its temporary access key id (`ASIA…`). */
export function sessionSecretBinding(accessKeyId: string): Buffer {
  return encodeFields(['arca.session-secret.v1', accessKeyId]);
}

/**
 * The binding of the audit trail's wrapped Ed25519 signing key to its purpose. Older than the others, it
 * is plain UTF-8 rather than `encodeFields`; it stays so, since existing signing keys are wrapped under it.
 */
export const AUDIT_SIGNING_KEY_BINDING: Buffer = Buffer.from('arca/audit-tree-head-signing-key/v1', 'utf8');

/** The binding of an import token's wrapping private key to its key and token. */
export function importTokenBinding(keyId: string, tokenId: string): Buffer {
  return encodeFields(['arca.import-wrapping-key.v1', keyId, tokenId]);
}

/** The binding mixed into an imported material's fingerprint (SHA-256 of binding ‖ material). */
export function fingerprintBinding(keyId: string): Buffer {
  return encodeFields(['arca.import-fingerprint.v1', keyId]);
}
