import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  aeadTestFile,
  casesOf,
  describeCase,
  hkdfTestFile,
  loadWycheproof,
  macTestFile,
  newTally,
  type Tally,
} from '../../test/helpers/wycheproof.js';
import { aesGcmDecrypt, aesGcmEncrypt, GCM_NONCE_LENGTH, GCM_TAG_LENGTH } from './aead.js';
import { constantTimeEqual, hkdf, hmac, type HashName } from './kdf.js';
import { SecretBytes } from './secret-bytes.js';

/**
 * Project Wycheproof vectors run through Arca's own functions (not node:crypto directly), so that a change
 * in src/crypto that accepts an invalid input, or rejects a valid one, fails here. Every test counts the
 * cases it checked against the numbers expected from the file: a vector that is silently skipped fails.
 */

interface Expected {
  validPassed?: number;
  invalidRejected?: number;
  refused?: number;
}

function assertTally(tally: Tally, expected: Expected): void {
  assert.deepEqual(tally.failures, []);
  assert.equal(tally.acceptableSeen, 0, 'these files have no "acceptable" cases; decide how to judge them before adding any');
  assert.equal(tally.validPassed, expected.validPassed ?? 0, 'valid cases that passed');
  assert.equal(tally.invalidRejected, expected.invalidRejected ?? 0, 'invalid cases that were rejected');
  assert.equal(tally.refused, expected.refused ?? 0, 'cases refused as unsupported parameters');
  assert.ok(tally.validPassed + tally.invalidRejected + tally.refused > 0, 'no vector was checked');
}

function threw(fn: () => unknown, type: new (...args: never[]) => Error): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    return e instanceof type;
  }
}

describe('AES-GCM against Wycheproof aes_gcm_test.json', () => {
  const file = loadWycheproof('aes_gcm_test.json', aeadTestFile);
  /** Arca's AES-GCM is 96-bit nonces and 128-bit tags only; every other combination must be refused. */
  const supported = [...casesOf(file)].filter(({ group }) => group.ivSize === GCM_NONCE_LENGTH * 8 && group.tagSize === GCM_TAG_LENGTH * 8);
  const unsupported = [...casesOf(file)].filter(({ group }) => group.ivSize !== GCM_NONCE_LENGTH * 8 || group.tagSize !== GCM_TAG_LENGTH * 8);

  test('encryption of every valid vector gives the expected ciphertext and tag', (t) => {
    const tally = newTally();
    for (const { test: v } of supported) {
      if (v.result !== 'valid') continue;
      const sealed = aesGcmEncrypt(SecretBytes.copyOf(v.key), v.iv, v.msg, v.aad);
      if (sealed.ciphertext.equals(v.ct) && sealed.tag.equals(v.tag)) tally.validPassed++;
      else tally.failures.push(describeCase(v, 'wrong ciphertext or tag'));
    }
    assertTally(tally, { validPassed: 116 });
    t.diagnostic(`${tally.validPassed} valid vectors encrypted`);
  });

  test('decryption accepts every valid vector and rejects every invalid one', (t) => {
    const tally = newTally();
    for (const { test: v } of supported) {
      const opened = aesGcmDecrypt(SecretBytes.copyOf(v.key), v.iv, v.ct, v.tag, v.aad);
      switch (v.result) {
        case 'valid':
          if (opened?.expose().equals(v.msg) === true) tally.validPassed++;
          else tally.failures.push(describeCase(v, opened === undefined ? 'rejected' : 'wrong plaintext'));
          break;
        case 'invalid':
          if (opened === undefined) tally.invalidRejected++;
          else tally.failures.push(describeCase(v, 'accepted'));
          break;
        case 'acceptable':
          tally.acceptableSeen++;
          break;
      }
    }
    assertTally(tally, { validPassed: 116, invalidRejected: 81 });
    t.diagnostic(`${tally.validPassed} valid vectors decrypted, ${tally.invalidRejected} invalid vectors rejected`);
  });

  test('IVs other than 96 bits are refused by encryption (RangeError) and decryption (undefined)', (t) => {
    const tally = newTally();
    for (const { group, test: v } of unsupported) {
      const encryptRefused = threw(() => aesGcmEncrypt(SecretBytes.copyOf(v.key), v.iv, v.msg, v.aad), RangeError);
      const decryptRefused = aesGcmDecrypt(SecretBytes.copyOf(v.key), v.iv, v.ct, v.tag, v.aad) === undefined;
      if (encryptRefused && decryptRefused) tally.refused++;
      else tally.failures.push(describeCase(v, `${group.ivSize}-bit IV / ${group.tagSize}-bit tag was not refused`));
    }
    assertTally(tally, { refused: 119 });
    t.diagnostic(`${tally.refused} vectors with unsupported IV sizes refused`);
  });

  test('decryption rejects a truncated tag even when it is a prefix of the right one', (t) => {
    // Node accepts 4..15-byte GCM tags unless authTagLength is given; Arca always checks all 16 bytes.
    const tally = newTally();
    for (const { test: v } of supported) {
      if (v.result !== 'valid') continue;
      for (let length = 1; length < GCM_TAG_LENGTH; length++) {
        const opened = aesGcmDecrypt(SecretBytes.copyOf(v.key), v.iv, v.ct, v.tag.subarray(0, length), v.aad);
        if (opened === undefined) tally.refused++;
        else tally.failures.push(describeCase(v, `accepted a ${length}-byte tag`));
      }
    }
    assertTally(tally, { refused: 116 * (GCM_TAG_LENGTH - 1) });
    t.diagnostic(`${tally.refused} truncated tags rejected`);
  });
});

describe('HKDF-SHA256 against Wycheproof hkdf_sha256_test.json', () => {
  const file = loadWycheproof('hkdf_sha256_test.json', hkdfTestFile);

  test('hkdf() derives the expected output for every valid vector and refuses every invalid (oversized) one', (t) => {
    const tally = newTally();
    for (const { test: v } of casesOf(file)) {
      const derive = () => hkdf('sha256', SecretBytes.copyOf(v.ikm), v.salt, v.info, v.size);
      switch (v.result) {
        case 'valid': {
          const okm = derive().expose();
          if (okm.equals(v.okm)) tally.validPassed++;
          else tally.failures.push(describeCase(v, 'wrong output'));
          break;
        }
        case 'invalid':
          if (threw(derive, RangeError)) tally.invalidRejected++;
          else tally.failures.push(describeCase(v, 'accepted'));
          break;
        case 'acceptable':
          tally.acceptableSeen++;
          break;
      }
    }
    assertTally(tally, { validPassed: 83, invalidRejected: 3 });
    t.diagnostic(`${tally.validPassed} valid vectors derived, ${tally.invalidRejected} invalid vectors refused`);
  });
});

const HMAC_FILES: readonly { hash: HashName; file: string; valid: number; invalid: number }[] = [
  { hash: 'sha224', file: 'hmac_sha224_test.json', valid: 66, invalid: 106 },
  { hash: 'sha256', file: 'hmac_sha256_test.json', valid: 66, invalid: 108 },
  { hash: 'sha384', file: 'hmac_sha384_test.json', valid: 66, invalid: 108 },
  { hash: 'sha512', file: 'hmac_sha512_test.json', valid: 66, invalid: 108 },
];

for (const { hash, file: name, valid, invalid } of HMAC_FILES) {
  describe(`HMAC-${hash.toUpperCase()} against Wycheproof ${name}`, () => {
    const file = loadWycheproof(name, macTestFile);

    test('hmac() verifies every valid tag and rejects every modified one, truncated tags compared by prefix', (t) => {
      const tally = newTally();
      for (const { group, test: v } of casesOf(file)) {
        const full = hmac(hash, SecretBytes.copyOf(v.key), v.msg);
        const tagBytes = group.tagSize / 8;
        if (!Number.isInteger(tagBytes) || tagBytes > full.length) {
          tally.failures.push(describeCase(v, `tag size ${group.tagSize} bits does not fit ${hash}`));
          continue;
        }
        const verified = constantTimeEqual(full.subarray(0, tagBytes), v.tag);
        switch (v.result) {
          case 'valid':
            if (verified) tally.validPassed++;
            else tally.failures.push(describeCase(v, 'tag did not verify'));
            break;
          case 'invalid':
            if (!verified) tally.invalidRejected++;
            else tally.failures.push(describeCase(v, 'modified tag verified'));
            break;
          case 'acceptable':
            tally.acceptableSeen++;
            break;
        }
      }
      assertTally(tally, { validPassed: valid, invalidRejected: invalid });
      t.diagnostic(`${tally.validPassed} valid tags verified, ${tally.invalidRejected} invalid tags rejected`);
    });
  });
}
