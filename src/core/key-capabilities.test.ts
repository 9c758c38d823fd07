import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKmsError } from './errors.js';
import {
  algorithmLists,
  encapsulationFor,
  KEY_CAPABILITIES,
  MAC_ALGORITHMS,
  macHashFor,
  oaepHashFor,
  requireSpecRuntime,
  SIGNING_ALGORITHMS,
  signingSchemeFor,
  specRuntimeSupported,
} from './key-capabilities.js';
import { KEY_SPEC_INFO, KEY_SPECS, KEY_USAGES, type EncryptionAlgorithm, type KeyRecord, type KeySpec, type KeyUsage } from './key.js';

/** The whole spec × usage × algorithm matrix, as data: every cell either works or fails with AWS's error. */

function keyOf(keySpec: KeySpec, keyUsage: KeyUsage): KeyRecord {
  return { id: 'k', region: 'us-east-1', createdAt: new Date(0), description: '', keySpec, keyUsage, origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy: '{}' };
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(isKmsError(e), String(e));
    return e.code;
  }
}

const ENCRYPTION: readonly EncryptionAlgorithm[] = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'];

describe('the capability table', () => {
  it('signing: an algorithm works exactly when the key is SIGN_VERIFY and its spec lists it; otherwise InvalidKeyUsage', () => {
    let worked = 0;
    for (const spec of KEY_SPECS) {
      for (const usage of KEY_SPEC_INFO[spec].usages) {
        for (const alg of SIGNING_ALGORITHMS) {
          const result = code(() => signingSchemeFor(keyOf(spec, usage), 'arn', alg, 'Sign'));
          const allowed = usage === 'SIGN_VERIFY' && KEY_CAPABILITIES[spec].signing.includes(alg);
          // ML-DSA on a runtime without it (Node.js before 24.7) is refused as unsupported, naming the runtime.
          const expected = !allowed ? 'InvalidKeyUsage' : specRuntimeSupported(spec) ? undefined : 'UnsupportedOperation';
          assert.equal(result, expected, `${spec} ${usage} ${alg}`);
          if (allowed) worked++;
        }
      }
    }
    assert.equal(worked, 3 * 6 + 3 + 1 + 2 + 3, 'RSA × 6 algorithms, three NIST curves, secp256k1, Ed25519 pure and prehash, three ML-DSA');
  });

  it('MAC: only the HMAC spec\'s own algorithm works', () => {
    for (const spec of KEY_SPECS) {
      for (const usage of KEY_SPEC_INFO[spec].usages) {
        for (const alg of MAC_ALGORITHMS) {
          const ok = usage === 'GENERATE_VERIFY_MAC' && spec.replace('HMAC_', 'HMAC_SHA_') === alg;
          assert.equal(code(() => macHashFor(keyOf(spec, usage), 'arn', alg, 'GenerateMac')), ok ? undefined : 'InvalidKeyUsage', `${spec} ${usage} ${alg}`);
        }
      }
    }
  });

  it('encryption: only RSA specs take OAEP; every other algorithm is InvalidKeyUsage', () => {
    for (const spec of KEY_SPECS) {
      for (const alg of ENCRYPTION) {
        const ok = spec.startsWith('RSA_') && alg.startsWith('RSAES_OAEP');
        assert.equal(code(() => oaepHashFor(keyOf(spec, 'ENCRYPT_DECRYPT'), 'arn', alg)), ok ? undefined : 'InvalidKeyUsage', `${spec} ${alg}`);
      }
    }
  });

  it('ML-KEM: only an ENCAPSULATE_DECAPSULATE ML-KEM key encapsulates, with its own parameter set; any other key is InvalidKeyUsage', () => {
    for (const spec of KEY_SPECS) {
      for (const usage of KEY_SPEC_INFO[spec].usages) {
        const allowed = usage === 'ENCAPSULATE_DECAPSULATE';
        const expected = !allowed ? 'InvalidKeyUsage' : specRuntimeSupported(spec) ? undefined : 'UnsupportedOperation';
        assert.equal(code(() => encapsulationFor(keyOf(spec, usage), 'arn', 'ML_KEM', 'Encapsulate')), expected, `${spec} ${usage}`);
      }
    }
    assert.deepEqual(KEY_SPECS.filter((s) => KEY_SPEC_INFO[s].usages.includes('ENCAPSULATE_DECAPSULATE')), ['ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024']);
    assert.deepEqual(algorithmLists(keyOf('ML_KEM_768', 'ENCAPSULATE_DECAPSULATE')), { EncapsulationAlgorithms: ['ML_KEM'] });
    assert.deepEqual(algorithmLists(keyOf('ML_DSA_65', 'SIGN_VERIFY')), { SigningAlgorithms: ['ML_DSA_SHAKE_256'] });
    assert.deepEqual(algorithmLists(keyOf('ECC_NIST_EDWARDS25519', 'SIGN_VERIFY')), { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] });
  });

  it('the runtime gate: ML-DSA and ML-KEM specs need node:crypto with them, and the refusal names the spec and the runtime', () => {
    const none = () => false;
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'] as const) {
      assert.equal(specRuntimeSupported(spec, none), false);
      assert.throws(
        () => requireSpecRuntime(spec, none, 'v20.20.2'),
        (e: unknown) => isKmsError(e) && e.code === 'UnsupportedOperation' && e.message === `${spec} keys need Node.js 24.7 or later; this server runs v20.20.2.`,
      );
      assert.doesNotThrow(() => requireSpecRuntime(spec, () => true));
    }
    for (const spec of KEY_SPECS.filter((s) => !s.startsWith('ML_'))) assert.ok(specRuntimeSupported(spec, none), `${spec} needs nothing new`);
  });

  it('usages: KEY_AGREEMENT only for the NIST curves (and SM2), SIGN_VERIFY never for symmetric or HMAC specs', () => {
    const agreement = KEY_SPECS.filter((s) => KEY_SPEC_INFO[s].usages.includes('KEY_AGREEMENT'));
    assert.deepEqual(agreement, ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'SM2']);
    for (const spec of KEY_SPECS) {
      for (const usage of KEY_USAGES) {
        if (!KEY_SPEC_INFO[spec].usages.includes(usage)) continue;
        const lists = algorithmLists(keyOf(spec, usage));
        assert.equal(Object.keys(lists).length, 1, `${spec} ${usage} lists one kind of algorithm`);
      }
    }
  });
});
