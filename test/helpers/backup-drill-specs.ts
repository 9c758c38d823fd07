import assert from 'node:assert/strict';
import { constants, createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import {
  CreateKeyCommand, DecapsulateCommand, DecryptCommand, DeriveSharedSecretCommand, DescribeKeyCommand, EncapsulateCommand, EncryptCommand, GenerateMacCommand, GetPublicKeyCommand, SignCommand, VerifyMacCommand,
  type EncryptionAlgorithmSpec, type KeyAgreementAlgorithmSpec, type KeySpec, type KeyUsageType, type KMSClient, type MacAlgorithmSpec, type SigningAlgorithmSpec,
} from '@aws-sdk/client-kms';
import { specRuntimeSupported } from '../../src/core/key-capabilities.js';
import { KEY_SPEC_INFO, KEY_SPECS } from '../../src/core/key.js';

const MESSAGE = Buffer.from('every spec, made before the backup');

/** One key of one (spec, usage) and what it produced before the backup, to check after the restore. */
export interface SpecProof {
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyId: string;
  /** Its public key before the backup (asymmetric keys). */
  readonly publicKey?: Uint8Array | undefined;
  readonly ciphertext?: { blob: Uint8Array; algorithm: EncryptionAlgorithmSpec } | undefined;
  readonly signingAlgorithm?: SigningAlgorithmSpec | undefined;
  readonly mac?: { mac: Uint8Array; algorithm: MacAlgorithmSpec } | undefined;
  readonly agreement?: { peer: Uint8Array; secret: Uint8Array; algorithm: KeyAgreementAlgorithmSpec } | undefined;
  /** An ML-KEM encapsulation made before the backup, and its shared secret. */
  readonly encapsulation?: { ciphertext: Uint8Array; secret: Uint8Array } | undefined;
}

/** A peer's public key (SPKI DER) on the curve of `spec`, for DeriveSharedSecret. */
function peerPublicKey(spec: string): Buffer {
  const curve = ({ ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' } as Record<string, string>)[spec];
  if (curve === undefined) throw new Error(`no peer curve for ${spec}`);
  return generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ type: 'spki', format: 'der' });
}

/**
 * Creates one key of every available spec and usage (KEY_SPEC_INFO; ML-DSA and ML-KEM only on a runtime
 * that has them) and uses it once: an encryption, a signature (with the key's public key kept), a MAC, a
 * shared secret with a fresh peer, an ML-KEM encapsulation.
 */
export async function proveEverySpec(kms: KMSClient): Promise<SpecProof[]> {
  const proofs: SpecProof[] = [];
  for (const spec of KEY_SPECS) {
    const info = KEY_SPEC_INFO[spec];
    if (!info.available || !specRuntimeSupported(spec)) continue;
    for (const usage of info.usages) {
      const keyId = (await kms.send(new CreateKeyCommand({ KeySpec: spec as KeySpec, KeyUsage: usage as KeyUsageType, Description: `drill ${spec} ${usage}` }))).KeyMetadata!.KeyId!;
      const meta = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      const publicKey = spec.startsWith('HMAC') || spec === 'SYMMETRIC_DEFAULT' ? undefined : (await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey;
      let proof: SpecProof = { keySpec: spec, keyUsage: usage, keyId, publicKey };
      if (usage === 'ENCRYPT_DECRYPT') {
        const algorithm = meta.EncryptionAlgorithms!.at(-1)!;
        proof = { ...proof, ciphertext: { algorithm, blob: (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: MESSAGE, EncryptionAlgorithm: algorithm }))).CiphertextBlob! } };
      } else if (usage === 'SIGN_VERIFY') {
        proof = { ...proof, signingAlgorithm: meta.SigningAlgorithms![0]! };
      } else if (usage === 'GENERATE_VERIFY_MAC') {
        const algorithm = meta.MacAlgorithms![0]!;
        proof = { ...proof, mac: { algorithm, mac: (await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: MESSAGE, MacAlgorithm: algorithm }))).Mac! } };
      } else if (usage === 'KEY_AGREEMENT') {
        const algorithm = meta.KeyAgreementAlgorithms![0]!;
        const peer = peerPublicKey(spec);
        proof = { ...proof, agreement: { algorithm, peer, secret: (await kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: algorithm, PublicKey: peer }))).SharedSecret! } };
      } else if (usage === 'ENCAPSULATE_DECAPSULATE') {
        const out = await kms.send(new EncapsulateCommand({ KeyId: keyId, EncapsulationAlgorithm: 'ML_KEM' }));
        proof = { ...proof, encapsulation: { ciphertext: out.SharedSecretCiphertextBlob!, secret: out.SharedSecret! } };
      }
      proofs.push(proof);
    }
  }
  return proofs;
}

/**
 * Every key of {@link proveEverySpec} works after the restore with the material it had: its ciphertext
 * decrypts, its public key is the same and a new signature verifies under the OLD public key (so the
 * private key came back, not a new one), its MAC verifies, its shared secret with the same peer is the same.
 */
export async function checkEverySpec(kms: KMSClient, proofs: readonly SpecProof[]): Promise<void> {
  assert.ok(proofs.length >= 15, `a key of every spec and usage (${proofs.length})`);
  for (const p of proofs) {
    const what = `${p.keySpec} ${p.keyUsage}`;
    if (p.publicKey !== undefined) {
      const now = (await kms.send(new GetPublicKeyCommand({ KeyId: p.keyId }))).PublicKey!;
      assert.deepEqual(Buffer.from(now), Buffer.from(p.publicKey), `${what}: the same public key`);
    }
    if (p.ciphertext !== undefined) {
      const out = await kms.send(new DecryptCommand({ KeyId: p.keyId, CiphertextBlob: p.ciphertext.blob, EncryptionAlgorithm: p.ciphertext.algorithm }));
      assert.equal(Buffer.from(out.Plaintext!).toString(), MESSAGE.toString(), `${what}: decrypts`);
    }
    if (p.signingAlgorithm !== undefined) {
      const signature = (await kms.send(new SignCommand({ KeyId: p.keyId, Message: MESSAGE, SigningAlgorithm: p.signingAlgorithm }))).Signature!;
      assert.ok(verifyLocally(p.publicKey!, p.signingAlgorithm, signature), `${what}: a signature made after the restore verifies under the key's public key from before`);
    }
    if (p.mac !== undefined) {
      const out = await kms.send(new VerifyMacCommand({ KeyId: p.keyId, Message: MESSAGE, Mac: p.mac.mac, MacAlgorithm: p.mac.algorithm }));
      assert.equal(out.MacValid, true, `${what}: the MAC verifies`);
    }
    if (p.agreement !== undefined) {
      const again = (await kms.send(new DeriveSharedSecretCommand({ KeyId: p.keyId, KeyAgreementAlgorithm: p.agreement.algorithm, PublicKey: p.agreement.peer }))).SharedSecret!;
      assert.deepEqual(Buffer.from(again), Buffer.from(p.agreement.secret), `${what}: the same shared secret`);
    }
    if (p.encapsulation !== undefined) {
      const again = (await kms.send(new DecapsulateCommand({ KeyId: p.keyId, SharedSecretCiphertextBlob: p.encapsulation.ciphertext, EncapsulationAlgorithm: 'ML_KEM' }))).SharedSecret!;
      assert.deepEqual(Buffer.from(again), Buffer.from(p.encapsulation.secret), `${what}: decapsulates to the same shared secret`);
    }
  }
}

/** Verifies a KMS signature (DER ECDSA, RSA PKCS#1/PSS, Ed25519, ML-DSA) with node:crypto, outside Arca. */
function verifyLocally(spki: Uint8Array, algorithm: SigningAlgorithmSpec, signature: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  const hash = /SHA_(256|384|512)$/.exec(algorithm)?.[1];
  if (algorithm === 'ED25519_SHA_512' || algorithm === 'ML_DSA_SHAKE_256') return cryptoVerify(null, MESSAGE, key, signature);
  const padding = algorithm.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(hash) / 8 } : {};
  return cryptoVerify(`sha${hash}`, MESSAGE, { key, ...padding }, signature);
}
