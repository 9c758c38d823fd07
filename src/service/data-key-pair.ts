import { z } from 'zod';
import { generateKeyPair } from '../crypto/asymmetric-keys.js';
import { KmsError } from '../core/errors.js';
import { DATA_KEY_PAIR_SPECS, KEY_CAPABILITIES, type DataKeyPairSpec } from '../core/key-capabilities.js';
import type { MaterialDeps } from './material.js';
import type { ResolvedKey } from './operation.js';
import { dryRun, encryptionContext, grantTokens, keyIdParam } from './schemas.js';
import { checkAlgorithm, encryptUnder } from './symmetric.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';

/** The shared body of GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext. */

export const dataKeyPairInput = z.object({
  EncryptionContext: encryptionContext,
  KeyId: keyIdParam,
  KeyPairSpec: z.enum(DATA_KEY_PAIR_SPECS).describe('The type of data key pair to generate (an RSA, ECC or SM2 key pair spec).'),
  GrantTokens: grantTokens,
  DryRun: dryRun,
  Recipient: z.unknown().optional().describe('A Nitro Enclaves attestation document to encrypt the response to (AWS); Arca refuses it.'),
});

export interface DataKeyPair {
  readonly privateKeyPlaintext: SecretBytes;
  readonly privateKeyCiphertextBlob: Buffer;
  readonly publicKey: Buffer;
}

/**
 * A fresh key pair of `spec`: the private key as PKCS#8 DER, also encrypted under the symmetric key
 * `key` with the encryption context (an ordinary Arca ciphertext blob that Decrypt opens), and the public
 * key as DER SubjectPublicKeyInfo.
 */
export async function newDataKeyPair(
  deps: MaterialDeps,
  key: ResolvedKey,
  spec: DataKeyPairSpec,
  context: Readonly<Record<string, string>>,
  operation: string,
): Promise<DataKeyPair> {
  const pair = await generateKeyPair(keyPairType(spec));
  try {
    const blob = await encryptUnder(deps, key, pair.privateKey, context, undefined, operation);
    return { privateKeyPlaintext: pair.privateKey, privateKeyCiphertextBlob: blob, publicKey: pair.publicKey };
  } catch (e) {
    pair.privateKey.dispose();
    throw e;
  }
}

/** What GenerateDataKeyPair(WithoutPlaintext) validate before generating (their `check`): the spec, then the key. */
export function checkDataKeyPair(key: ResolvedKey, spec: DataKeyPairSpec, operation: string): void {
  keyPairType(spec);
  checkAlgorithm(key, undefined, operation);
}

function keyPairType(spec: DataKeyPairSpec) {
  const type = KEY_CAPABILITIES[spec].keyPair;
  if (type === undefined) throw new KmsError('UnsupportedOperation', `KeyPairSpec ${spec} is not supported by this version of Arca.`);
  return type;
}
