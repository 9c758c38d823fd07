import {
  BLOB_FORMAT_HSM,
  BLOB_FORMAT_XKS,
  customKeyStoreHeader,
  decodeHsmBlob,
  decodeXksBlob,
  encodeHsmBlob,
  encodeXksBlob,
  hsmAad,
  openXksInner,
  readCustomKeyStoreHeader,
  sealXksInner,
  xksOuterAad,
} from '../crypto/custom-key-store-blob.js';
import { readAnyBlobHeader } from '../crypto/ciphertext-blob.js';
import { encodeContext } from '../crypto/encoding.js';
import { randomId } from '../crypto/random.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import type { DecryptionParams, Decrypter, Encrypter, EncryptionParams, KeyHandle } from '../core/custody.js';
import {
  XKS_FAILURES,
  XKS_NOT_CONNECTED,
  XksProxyError,
  type CustomKeyStoreKeyLink,
  type CustomKeyStoreStore,
  type ExternalKeyStores,
  type KeyStoreConnectionsView,
  type XksProxyTarget,
  type XksCallMetadata,
} from '../core/custom-key-stores.js';
import { invalidCiphertext, KmsError } from '../core/errors.js';
import { HsmDecryptError, type HsmKeyStoreConnection } from '../core/hsm-keys.js';
import { primaryMaterial, versionMaterial, type MaterialDeps } from './material.js';

/**
 * Encryption under keys in custom key stores (ADR 0024, docs/custom-key-stores.md), dispatched on the key's
 * origin by the KeyPrimitives:
 * - `EXTERNAL_KEY_STORE`: twice, as AWS does: Arca's AES-256-GCM under the key's own material, then the
 *   external key through the store's XKS proxy (blob `0x03`). Decryption reverses both; neither alone opens.
 * - `AWS_CLOUDHSM`: AES-256-GCM inside the HSM session under the key's label (blob `0x04`).
 * Fail closed: a store not connected on this node, or a proxy that fails, answers KMSInvalidStateException
 * with AWS's message; there is never a fallback to Arca's material alone.
 */

/** What custody needs of custom key stores: the key ↔ store links, the XKS client and this node's connections. */
export interface CustomKeyStoreCustodyDeps {
  readonly store: Pick<CustomKeyStoreStore, 'keyLink'>;
  readonly xks: ExternalKeyStores;
  readonly connections: Pick<KeyStoreConnectionsView, 'xksTarget' | 'hsmSession'>;
}

/** AWS's words for a key whose CloudHSM key store is not connected (the XKS message's twin). */
export const HSM_NOT_CONNECTED = 'This KMS key is in a custom key store that is not connected to its AWS CloudHSM cluster. Connect the custom key store and try the request again.';


/** The encrypter of a checked symmetric key in a custom key store. */
export function customKeyStoreEncrypter(deps: MaterialDeps, cks: CustomKeyStoreCustodyDeps | undefined, key: KeyHandle, params: EncryptionParams): Encrypter {
  const context = encodeContext(params.context);
  if (key.record.origin === 'AWS_CLOUDHSM') {
    return {
      async encrypt(plaintext) {
        const { link, session } = await hsmOf(cks, key);
        const head = customKeyStoreHeader(BLOB_FORMAT_HSM, key.record.id, key.record.primaryVersion);
        const sealed = await hsmCall(key, () => session.encrypt(link.externalKeyId, plaintext, hsmAad(head, context)));
        return encodeHsmBlob(head, sealed);
      },
    };
  }
  return {
    async encrypt(plaintext) {
      const { link, target, xks } = await xksOf(cks, key);
      const material = await primaryMaterial(deps, key.record);
      const head = customKeyStoreHeader(BLOB_FORMAT_XKS, key.record.id, key.record.primaryVersion);
      const inner = SecretBytes.adopt(sealXksInner(material, head, plaintext.expose(), context));
      try {
        const outer = await proxyCall(() => xks.encrypt(target, link.externalKeyId, inner, xksOuterAad(head, context), metadata(key, params)));
        return encodeXksBlob(head, outer);
      } finally {
        inner.dispose();
      }
    },
  };
}

/**
 * The decrypter of a key in a custom key store: the blob must be the key's format and name the key (another
 * key's id is IncorrectKey, as for Arca's own blobs; anything else the one opaque InvalidCiphertext).
 */
export function customKeyStoreDecrypter(deps: MaterialDeps, cks: CustomKeyStoreCustodyDeps | undefined, key: KeyHandle, params: DecryptionParams): Decrypter {
  const named = readAnyBlobHeader(params.ciphertext);
  if (named === undefined) throw invalidCiphertext();
  if (named.keyId !== key.record.id) throw new KmsError('IncorrectKey', 'The key ID in the request does not identify a CMK that can perform this operation.');
  const header = readCustomKeyStoreHeader(params.ciphertext);
  if (header === undefined) throw invalidCiphertext();
  const context = encodeContext(params.context);
  if (key.record.origin === 'AWS_CLOUDHSM') {
    const blob = decodeHsmBlob(params.ciphertext);
    if (blob === undefined) throw invalidCiphertext();
    return {
      async decrypt() {
        const { link, session } = await hsmOf(cks, key);
        try {
          return await session.decrypt(link.externalKeyId, { iv: blob.iv, tag: blob.tag, ciphertext: blob.ciphertext }, hsmAad(blob.head, context));
        } catch (e) {
          if (e instanceof HsmDecryptError) throw invalidCiphertext();
          throw hsmFailure(key, e);
        }
      },
    };
  }
  const blob = decodeXksBlob(params.ciphertext);
  if (blob === undefined) throw invalidCiphertext();
  return {
    async decrypt() {
      const { link, target, xks } = await xksOf(cks, key);
      const { outer } = blob;
      const inner = await proxyCall(() => xks.decrypt(target, link.externalKeyId, { ciphertext: outer.ciphertext, iv: outer.iv, tag: outer.tag, metadata: outer.metadata }, xksOuterAad(blob.head, context), metadata(key, params)));
      try {
        const material = await versionMaterial(deps, key.record.id, header.version);
        const plaintext = material && openXksInner(material, blob.head, inner.expose(), context);
        if (plaintext === undefined) throw invalidCiphertext();
        return plaintext;
      } finally {
        inner.dispose();
      }
    },
  };
}

/** The key's link to its store; a key of a custom key store origin without one is a defect. */
async function linkOf(cks: CustomKeyStoreCustodyDeps, key: KeyHandle): Promise<CustomKeyStoreKeyLink> {
  const link = await cks.store.keyLink(key.record.id);
  if (link === undefined) throw new KmsError('Internal', `key ${key.record.id} (origin ${key.record.origin}) has no custom key store link`);
  return link;
}

async function xksOf(cks: CustomKeyStoreCustodyDeps | undefined, key: KeyHandle): Promise<{ link: CustomKeyStoreKeyLink; target: XksProxyTarget; xks: ExternalKeyStores }> {
  if (cks === undefined) throw new KmsError('InvalidKeyState', XKS_NOT_CONNECTED);
  const link = await linkOf(cks, key);
  const target = cks.connections.xksTarget(link.storeId);
  if (target === undefined) throw new KmsError('InvalidKeyState', XKS_NOT_CONNECTED);
  return { link, target, xks: cks.xks };
}

async function hsmOf(cks: CustomKeyStoreCustodyDeps | undefined, key: KeyHandle): Promise<{ link: CustomKeyStoreKeyLink; session: HsmKeyStoreConnection }> {
  if (cks === undefined) throw new KmsError('InvalidKeyState', HSM_NOT_CONNECTED);
  const link = await linkOf(cks, key);
  const session = cks.connections.hsmSession(link.storeId);
  if (session === undefined) throw new KmsError('InvalidKeyState', HSM_NOT_CONNECTED);
  return { link, session };
}

/** The spec's requestMetadata: the caller's ARN, the KMS operation and request id, and the key's ARN. */
function metadata(key: KeyHandle, params: EncryptionParams): XksCallMetadata {
  return { awsPrincipalArn: params.caller?.principalArn, kmsOperation: params.operation, kmsRequestId: params.caller?.requestId ?? randomId(), kmsKeyArn: key.arn };
}

/** A proxy call; its failure is KMSInvalidStateException with AWS's message for it (fail closed). */
async function proxyCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof KmsError) throw e;
    throw new KmsError('InvalidKeyState', XKS_FAILURES[e instanceof XksProxyError ? e.failure : 'MalformedResponse'].message);
  }
}

async function hsmCall<T>(key: KeyHandle, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw hsmFailure(key, e);
  }
}

/** An HSM call that failed for another reason than a bad ciphertext: the key cannot be used now. */
function hsmFailure(key: KeyHandle, e: unknown): KmsError {
  if (e instanceof KmsError) return e;
  return new KmsError('InvalidKeyState', `${key.arn} is unavailable: its AWS CloudHSM key store could not perform the operation.`);
}
