import { generateKeyPair, parsePublicKey, spkiDer, type AsymmetricKey } from '../crypto/asymmetric-keys.js';
import { ecdhSharedSecret } from '../crypto/ecdh.js';
import { constantTimeEqual, hmac } from '../crypto/kdf.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { sign as signWith, verify as verifyWith } from '../crypto/signature.js';
import type {
  DataKeyPair,
  Decapsulator,
  DecryptionParams,
  Decrypter,
  Encapsulator,
  Encrypter,
  EncryptionParams,
  KeyAgreement,
  KeyHandle,
  KeyPrimitives,
  Mac,
  MessageType,
  Signer,
  Verifier,
} from '../core/custody.js';
import { KmsError } from '../core/errors.js';
import {
  KEY_CAPABILITIES,
  keyPairOf,
  MAC_HASH,
  macHashFor,
  requireKeyUsage,
  signingSchemeFor,
  type DataKeyPairSpec,
  type EncapsulationAlgorithm,
  type KeyAgreementAlgorithm,
  type MacAlgorithm,
  type SigningAlgorithm,
} from '../core/key-capabilities.js';
import type { KeyRecord, KeySpec } from '../core/key.js';
import { isCustomKeyStoreOrigin } from '../core/custom-key-stores.js';
import { newKeyMaterial, ParsedKeyCache } from './asymmetric-material.js';
import { customKeyStoreDecrypter, customKeyStoreEncrypter, type CustomKeyStoreCustodyDeps } from './custom-key-store-cipher.js';
import { checkSymmetric, decrypterFor, encrypterFor, sealUnder } from './encryption.js';
import { decapsulatorFor, encapsulatorFor } from './kem.js';
import type { KeyHierarchy } from './key-hierarchy.js';
import { primaryMaterial, type MaterialDeps } from './material.js';
import { signatureInputType } from './signing.js';
import { xksCipherFor } from './xks-cipher.js';
import { unsafeExportMaterial } from './unsafe-key-export.js';
import type { XksCipher } from '../core/xks.js';

/**
 * The KeyPrimitives of custody: every operation on customer key material happens here. Each factory
 * validates the key, algorithm and parameters once, synchronously (the operations' `check` steps call the
 * same factories, so DryRun answers are the call's); the primitive then loads the material, refusing a
 * sealed hierarchy and expired imported material. Parsed private keys are cached per key version
 * ({@link ParsedKeyCache}), dropped when the hierarchy forgets the key's material or seals.
 */
export class CustodyKeyPrimitives implements KeyPrimitives {
  readonly #deps: MaterialDeps;
  readonly #parsed: ParsedKeyCache;
  readonly #cks: CustomKeyStoreCustodyDeps | undefined;

  /** `customKeyStores` reaches keys in custom key stores; without it they fail closed (not connected). */
  constructor(deps: MaterialDeps & { readonly hierarchy: KeyHierarchy; readonly customKeyStores?: CustomKeyStoreCustodyDeps | undefined }, parsed = new ParsedKeyCache()) {
    this.#deps = deps;
    this.#parsed = parsed;
    this.#cks = deps.customKeyStores;
    deps.hierarchy.onDrop((keyId) => parsed.forget(keyId));
  }

  encrypter(key: KeyHandle, params: EncryptionParams): Encrypter {
    if (isCustomKeyStoreOrigin(key.record.origin)) return this.blobEncrypter(key, params);
    return encrypterFor(this.#deps, this.#parsed, key, params);
  }

  blobEncrypter(key: KeyHandle, params: EncryptionParams): Encrypter {
    checkSymmetric(key, params.algorithm, params.operation);
    // A key in a custom key store is dispatched on its origin (ADR 0024).
    if (isCustomKeyStoreOrigin(key.record.origin)) return customKeyStoreEncrypter(this.#deps, this.#cks, key, params);
    return { encrypt: (plaintext) => sealUnder(this.#deps, key, plaintext, params.context) };
  }

  decrypter(key: KeyHandle, params: DecryptionParams): Decrypter {
    if (isCustomKeyStoreOrigin(key.record.origin)) {
      const decrypter = customKeyStoreDecrypter(this.#deps, this.#cks, key, params);
      checkSymmetric(key, params.algorithm, params.operation);
      return decrypter;
    }
    return decrypterFor(this.#deps, this.#parsed, key, params);
  }

  signer(key: KeyHandle, algorithm: SigningAlgorithm, messageType: MessageType | undefined, messageLength: number): Signer {
    const scheme = signingSchemeFor(key.record, key.arn, algorithm, 'Sign');
    const type = signatureInputType(key.record, scheme, algorithm, messageType, messageLength);
    return {
      sign: async (message) => signWith(scheme, (await this.#parsed.keysFor(this.#deps, key.record)).privateKey, { type, bytes: message.expose() }),
    };
  }

  verifier(key: KeyHandle, algorithm: SigningAlgorithm, messageType: MessageType | undefined, messageLength: number): Verifier {
    const scheme = signingSchemeFor(key.record, key.arn, algorithm, 'Verify');
    const type = signatureInputType(key.record, scheme, algorithm, messageType, messageLength);
    return {
      verify: async (message, signature) => verifyWith(scheme, (await this.#parsed.keysFor(this.#deps, key.record)).publicKey, { type, bytes: message.expose() }, signature),
    };
  }

  mac(key: KeyHandle, algorithm: MacAlgorithm, operation: string): Mac {
    const checked = macHashFor(key.record, key.arn, algorithm, operation);
    const compute = async (message: SecretBytes): Promise<Buffer> => hmac(MAC_HASH[checked], await primaryMaterial(this.#deps, key.record), message.expose());
    return {
      algorithm: checked,
      compute,
      // Constant-time: the comparison takes the same time wherever the tags differ (unequal lengths fail at once).
      verify: async (message, tag) => constantTimeEqual(await compute(message), tag),
    };
  }

  agreement(key: KeyHandle, _algorithm: KeyAgreementAlgorithm, peerPublicKey: Buffer): KeyAgreement {
    requireKeyUsage(key.record, key.arn, 'KEY_AGREEMENT', 'DeriveSharedSecret');
    const peer = peerKey(peerPublicKey, key.record);
    return {
      derive: async () => {
        const shared = ecdhSharedSecret((await this.#parsed.keysFor(this.#deps, key.record)).privateKey, peer);
        if (shared === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid public key for key spec ${key.record.keySpec}.`, { codeOnly: true });
        return shared;
      },
    };
  }

  encapsulator(key: KeyHandle, algorithm: EncapsulationAlgorithm): Encapsulator {
    return encapsulatorFor(this.#deps, this.#parsed, key, algorithm);
  }

  decapsulator(key: KeyHandle, algorithm: EncapsulationAlgorithm, ciphertext: Buffer): Decapsulator {
    return decapsulatorFor(this.#deps, this.#parsed, key, algorithm, ciphertext);
  }

  async publicKey(key: KeyHandle): Promise<Buffer> {
    if (KEY_CAPABILITIES[key.record.keySpec].keyPair === undefined) {
      throw new KmsError('UnsupportedOperation', `${key.arn} is not an asymmetric key: it has no public key.`);
    }
    return spkiDer((await this.#parsed.keysFor(this.#deps, key.record)).publicKey);
  }

  xks(key: KeyHandle, operation: string): XksCipher {
    return xksCipherFor(this.#deps, key, operation);
  }

  checkDataKeyPair(key: KeyHandle, spec: DataKeyPairSpec, operation: string): void {
    keyPairType(spec);
    checkSymmetric(key, undefined, operation);
    // AWS: a data key pair's private key cannot be encrypted under a KMS key in a custom key store.
    if (isCustomKeyStoreOrigin(key.record.origin)) throw new KmsError('UnsupportedOperation', `${key.arn} is in a custom key store: ${operation} does not support KMS keys in custom key stores.`);
  }

  async dataKeyPair(key: KeyHandle, spec: DataKeyPairSpec, context: Readonly<Record<string, string>>, operation: string): Promise<DataKeyPair> {
    this.checkDataKeyPair(key, spec, operation);
    const pair = await generateKeyPair(keyPairType(spec));
    try {
      const blob = await sealUnder(this.#deps, key, pair.privateKey, context);
      return { privateKeyPlaintext: pair.privateKey, privateKeyCiphertextBlob: blob, publicKey: pair.publicKey };
    } catch (e) {
      pair.privateKey.dispose();
      throw e;
    }
  }

  unsafeExportMaterial(key: KeyHandle): Promise<SecretBytes> {
    return unsafeExportMaterial(this.#deps, key);
  }

  newKeyMaterial(spec: KeySpec): Promise<SecretBytes> {
    return newKeyMaterial(spec);
  }
}

/** The peer key: a canonical DER SubjectPublicKeyInfo on the same curve as ours (checked on the curve). */
function peerKey(der: Buffer, key: KeyRecord): AsymmetricKey {
  const peer = parsePublicKey(der, keyPairOf(key));
  if (peer === undefined) throw new KmsError('ValidationFailed', `PublicKey is not a valid DER SubjectPublicKeyInfo for key spec ${key.keySpec}.`, { codeOnly: true });
  return peer;
}

function keyPairType(spec: DataKeyPairSpec) {
  const type = KEY_CAPABILITIES[spec].keyPair;
  if (type === undefined) throw new KmsError('UnsupportedOperation', `KeyPairSpec ${spec} is not supported by this version of Arca.`);
  return type;
}
