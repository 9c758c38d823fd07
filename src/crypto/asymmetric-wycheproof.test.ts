import assert from 'node:assert/strict';
import { createECDH, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  casesOf,
  describeCase,
  ecdhTestFile,
  keyWrapTestFile,
  loadWycheproof,
  newTally,
  oaepDecryptTestFile,
  signatureVerifyTestFile,
  type Tally,
  type WycheproofTest,
} from '../../test/helpers/wycheproof.js';
import { parsePublicKey, type CurveName } from './asymmetric-keys.js';
import { ecdhSharedSecret } from './ecdh.js';
import { aesKwpUnwrap } from './import-unwrap.js';
import { SecretBytes } from './secret-bytes.js';
import { oaepDecrypt } from './rsa-oaep.js';
import { digestOf, verify, type SignatureHash, type SignatureScheme } from './signature.js';

/**
 * Wycheproof vectors for the asymmetric primitives, run through Arca's own functions: signature
 * verification in both MESSAGE and DIGEST modes (DIGEST mode has its own code: BigInt ECDSA, hand-made
 * PSS and PKCS#1 checks), RSA-OAEP decryption and ECDH with on-curve checks of the peer key. Each test
 * counts outcomes and asserts the exact numbers, so a silently skipped vector fails. "acceptable" cases
 * (legal but unusual encodings) are counted by outcome and pinned, so a change in how they are judged shows.
 */

interface Pinned {
  validPassed: number;
  invalidRejected: number;
  acceptable?: { accepted: number; rejected: number };
}

function judge(tally: Tally & { acceptableAccepted?: number }, v: WycheproofTest, ok: boolean): void {
  switch (v.result) {
    case 'valid':
      if (ok) tally.validPassed++;
      else tally.failures.push(describeCase(v, 'rejected'));
      break;
    case 'invalid':
      if (!ok) tally.invalidRejected++;
      else tally.failures.push(describeCase(v, 'accepted'));
      break;
    case 'acceptable':
      tally.acceptableSeen++;
      if (ok) tally.acceptableAccepted = (tally.acceptableAccepted ?? 0) + 1;
      break;
  }
}

function assertPinned(tally: Tally & { acceptableAccepted?: number }, pinned: Pinned): void {
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.validPassed, pinned.validPassed, 'valid cases that passed');
  assert.equal(tally.invalidRejected, pinned.invalidRejected, 'invalid cases that were rejected');
  const accepted = tally.acceptableAccepted ?? 0;
  assert.deepEqual({ accepted, rejected: tally.acceptableSeen - accepted }, pinned.acceptable ?? { accepted: 0, rejected: 0 }, 'acceptable cases by outcome');
}

const HASH: Record<string, SignatureHash> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function hashOf(sha: string | undefined): SignatureHash {
  const h = sha === undefined ? undefined : HASH[sha];
  if (h === undefined) throw new Error(`unexpected hash ${String(sha)}`);
  return h;
}

const SIGNATURE_FILES: { file: string; scheme: (sha: string | undefined) => SignatureScheme; message: Pinned; digest?: Pinned }[] = [
  { file: 'rsa_pss_2048_sha256_mgf1_32_test.json', scheme: (sha) => ({ kind: 'rsa-pss', hash: hashOf(sha) }), message: { validPassed: 63, invalidRejected: 45 }, digest: { validPassed: 63, invalidRejected: 45 } },
  { file: 'rsa_signature_2048_sha256_test.json', scheme: (sha) => ({ kind: 'rsa-pkcs1', hash: hashOf(sha) }), message: { validPassed: 9, invalidRejected: 249, acceptable: { accepted: 0, rejected: 1 } }, digest: { validPassed: 9, invalidRejected: 249, acceptable: { accepted: 0, rejected: 1 } } },
  { file: 'ecdsa_secp256r1_sha256_test.json', scheme: (sha) => ({ kind: 'ecdsa', hash: hashOf(sha), curve: 'P-256' }), message: { validPassed: 174, invalidRejected: 310 }, digest: { validPassed: 174, invalidRejected: 310 } },
  { file: 'ecdsa_secp384r1_sha384_test.json', scheme: (sha) => ({ kind: 'ecdsa', hash: hashOf(sha), curve: 'P-384' }), message: { validPassed: 194, invalidRejected: 310 }, digest: { validPassed: 194, invalidRejected: 310 } },
  { file: 'ecdsa_secp521r1_sha512_test.json', scheme: (sha) => ({ kind: 'ecdsa', hash: hashOf(sha), curve: 'P-521' }), message: { validPassed: 232, invalidRejected: 310 }, digest: { validPassed: 232, invalidRejected: 310 } },
  { file: 'ecdsa_secp256k1_sha256_test.json', scheme: (sha) => ({ kind: 'ecdsa', hash: hashOf(sha), curve: 'secp256k1' }), message: { validPassed: 168, invalidRejected: 308 }, digest: { validPassed: 168, invalidRejected: 308 } },
  { file: 'ed25519_test.json', scheme: () => ({ kind: 'ed25519' }), message: { validPassed: 88, invalidRejected: 63 } },
];

function publicKeyOfGroup(der: Buffer): KeyObject | undefined {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

for (const spec of SIGNATURE_FILES) {
  describe(`signature verification against Wycheproof ${spec.file}`, () => {
    const file = loadWycheproof(spec.file, signatureVerifyTestFile);
    const modes: ('message' | 'digest')[] = spec.digest ? ['message', 'digest'] : ['message'];
    for (const mode of modes) {
      test(`${mode} mode accepts every valid signature and rejects every invalid one`, (t) => {
        const tally = newTally();
        for (const { group, test: v } of casesOf(file)) {
          const scheme = spec.scheme(group.sha);
          const key = publicKeyOfGroup(group.publicKeyDer);
          if (key === undefined) {
            judge(tally, v, false);
            continue;
          }
          const bytes = mode === 'message' || !('hash' in scheme) ? v.msg : digestOf(scheme.hash, v.msg);
          judge(tally, v, verify(scheme, key, { type: mode, bytes }, v.sig));
        }
        t.diagnostic(JSON.stringify({ valid: tally.validPassed, invalid: tally.invalidRejected, acceptable: tally.acceptableSeen }));
        assertPinned(tally, mode === 'message' ? spec.message : (spec.digest ?? spec.message));
      });
    }
  });
}

describe('RSA-OAEP decryption against Wycheproof', () => {
  for (const [bits, pinned] of [
    [2048, { validPassed: 18, invalidRejected: 19 }],
    [3072, { validPassed: 18, invalidRejected: 19 }],
    [4096, { validPassed: 18, invalidRejected: 19 }],
  ] as const) {
    test(`RSA-${bits} SHA-256: every valid ciphertext decrypts to the message, every invalid one fails alike`, (t) => {
      const file = loadWycheproof(`rsa_oaep_${bits}_sha256_mgf1sha256_test.json`, oaepDecryptTestFile);
      const tally = newTally();
      for (const { group, test: v } of casesOf(file)) {
        const key = createPrivateKey({ key: group.privateKeyPkcs8, format: 'der', type: 'pkcs8' });
        const plain = oaepDecrypt(key, 'sha256', v.ct, v.label);
        if (v.result === 'valid' && plain !== undefined && !plain.expose().equals(v.msg)) tally.failures.push(describeCase(v, 'wrong plaintext'));
        else judge(tally, v, plain !== undefined);
      }
      t.diagnostic(JSON.stringify({ valid: tally.validPassed, invalid: tally.invalidRejected }));
      assertPinned(tally, pinned);
    });
  }
});

/** A P-256 private KeyObject from a raw scalar (Wycheproof's `private`, possibly with a leading zero). */
function p256PrivateKey(scalar: Buffer, curve: CurveName): KeyObject {
  const d = Buffer.concat([Buffer.alloc(32), scalar]).subarray(-32);
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: { kty: 'EC', crv: curve, d: d.toString('base64url'), x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
}

describe('ECDH against Wycheproof ecdh_secp256r1_test.json', () => {
  test('valid peer keys give the expected shared secret; off-curve, wrong-curve and malformed keys are refused', (t) => {
    const file = loadWycheproof('ecdh_secp256r1_test.json', ecdhTestFile);
    const tally = newTally();
    for (const { test: v } of casesOf(file)) {
      const peer = parsePublicKey(v.public, { kind: 'ec', curve: 'P-256' });
      const shared = peer && ecdhSharedSecret(p256PrivateKey(v.private, 'P-256'), peer);
      if (shared !== undefined && v.result === 'valid' && !shared.expose().equals(v.shared)) tally.failures.push(describeCase(v, 'wrong shared secret'));
      else judge(tally, v, shared !== undefined);
    }
    t.diagnostic(JSON.stringify({ valid: tally.validPassed, invalid: tally.invalidRejected, acceptable: tally.acceptableSeen }));
    assertPinned(tally, { validPassed: 330, invalidRejected: 52, acceptable: { accepted: 1, rejected: 229 } });
  });
});

describe('AES Key Wrap with Padding (BYOK import) against Wycheproof aes_kwp_test.json', () => {
  test('256-bit keys: every valid wrap opens to the message, every invalid one is refused; other key sizes are refused', (t) => {
    const file = loadWycheproof('aes_kwp_test.json', keyWrapTestFile);
    const tally = newTally();
    for (const { group, test: v } of casesOf(file)) {
      const opened = aesKwpUnwrap(SecretBytes.copyOf(v.key), v.ct);
      if (group.keySize !== 256) {
        if (opened === undefined) tally.refused++;
        else tally.failures.push(describeCase(v, 'accepted a non-256-bit key'));
      } else if (opened !== undefined && v.result === 'valid' && !opened.expose().equals(v.msg)) tally.failures.push(describeCase(v, 'wrong plaintext'));
      else judge(tally, v, opened !== undefined);
    }
    t.diagnostic(JSON.stringify({ valid: tally.validPassed, invalid: tally.invalidRejected, refused: tally.refused }));
    assertPinned(tally, { validPassed: 25, invalidRejected: 69 });
    assert.equal(tally.refused, 160);
  });
});
