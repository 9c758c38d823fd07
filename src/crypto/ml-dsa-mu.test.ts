import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomInt, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { externalMu } from '../../test/helpers/ml-dsa-mu.js';
import { mlDsaSignMu, mlDsaVerifyMu } from './ml-dsa-mu.js';
import { postQuantumKeyPair, RUNTIME_VERSION, runtimeSupports, type MlDsaParameterSet } from './post-quantum.js';
import { sign, verify } from './signature.js';

const NEEDS = `needs Node >= 24.7 (ML-DSA in node:crypto); this is ${RUNTIME_VERSION}`;
const SETS = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'] satisfies MlDsaParameterSet[];
/** FIPS 204 Table 1: ω + k, the length of the hint encoding at the end of a signature. */
const HINT_LENGTH: Record<MlDsaParameterSet, number> = { 'ml-dsa-44': 80 + 4, 'ml-dsa-65': 55 + 6, 'ml-dsa-87': 75 + 8 };

const pairOf = (set: MlDsaParameterSet) => postQuantumKeyPair(set);

describe('ML-DSA over an external mu (FIPS 204 §6.2)', () => {
  for (const set of SETS) {
    it(`${set}: a signature of μ computed outside Arca verifies with node:crypto on the original message, not on another`, (t) => {
      if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
      const { privateKey, publicKey } = pairOf(set);
      const message = randomBytes(10_000); // longer than Sign's 4096-byte RAW limit: what μ is for
      const signature = mlDsaSignMu(privateKey, externalMu(publicKey, message));
      assert.ok(nodeVerify(null, message, publicKey, signature));
      assert.equal(nodeVerify(null, Buffer.concat([message, Buffer.from([0])]), publicKey, signature), false);
      assert.ok(sign({ kind: 'ml-dsa' }, privateKey, { type: 'mu', bytes: externalMu(publicKey, message) }).length === signature.length);
    });

    it(`${set}: node:crypto's signature of a message verifies over its μ; μ of another message or another key does not`, (t) => {
      if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
      const { privateKey, publicKey } = pairOf(set);
      const message = Buffer.from('firmware 3.1');
      const signature = nodeSign(null, message, privateKey);
      assert.ok(mlDsaVerifyMu(publicKey, externalMu(publicKey, message), signature));
      assert.ok(verify({ kind: 'ml-dsa' }, publicKey, { type: 'mu', bytes: externalMu(publicKey, message) }, signature));
      assert.equal(mlDsaVerifyMu(publicKey, externalMu(publicKey, Buffer.from('firmware 3.2')), signature), false);
      const other = pairOf(set).publicKey;
      assert.equal(mlDsaVerifyMu(other, externalMu(other, message), signature), false);
    });

    it(`${set}: verifying over μ accepts exactly what node:crypto accepts over the message (tampered signatures, hints included)`, (t) => {
      if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
      const { privateKey, publicKey } = pairOf(set);
      const message = Buffer.from('differential');
      const mu = externalMu(publicKey, message);
      const good = nodeSign(null, message, privateKey);
      const cases: Buffer[] = [good, Buffer.alloc(good.length), Buffer.alloc(good.length, 0xff), good.subarray(1), Buffer.concat([good, Buffer.alloc(1)])];
      for (let i = 0; i < 60; i++) {
        const bad = Buffer.from(good);
        // Half the flips land in the hint encoding (indices out of order, counts over ω, non-zero padding).
        const at = i % 2 === 0 ? good.length - 1 - randomInt(HINT_LENGTH[set]) : randomInt(good.length);
        bad[at] = (bad[at] ?? 0) ^ (1 << randomInt(8));
        cases.push(bad);
      }
      const hints = Buffer.from(good);
      hints.fill(0xff, good.length - HINT_LENGTH[set]); // every hint count at its maximum
      cases.push(hints);
      for (const [i, signature] of cases.entries()) {
        assert.equal(mlDsaVerifyMu(publicKey, mu, signature), nodeVerify(null, message, publicKey, signature), `case ${i}`);
      }
    });
  }

  it('refuses a μ that is not 64 bytes: signing throws, verifying is false', (t) => {
    if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
    const { privateKey, publicKey } = pairOf('ml-dsa-44');
    const mu = externalMu(publicKey, Buffer.from('m'));
    const signature = mlDsaSignMu(privateKey, mu);
    for (const wrong of [mu.subarray(0, 32), mu.subarray(0, 63), Buffer.concat([mu, Buffer.alloc(1)])]) {
      assert.throws(() => mlDsaSignMu(privateKey, wrong), /64-byte mu/);
      assert.equal(mlDsaVerifyMu(publicKey, wrong, signature), false);
    }
    assert.equal(mlDsaVerifyMu(generateKeyPairSync('ed25519').publicKey, mu, signature), false, 'not an ML-DSA key');
  });

  it('signs with an imported key that has only the expanded private key (no seed), as node:crypto exports it', (t) => {
    if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
    const expanded = Buffer.from(ml_dsa44.keygen(randomBytes(32)).secretKey);
    // PrivateKeyInfo { 0, id-ml-dsa-44, OCTET STRING { expandedKey OCTET STRING } } (RFC 9881 §6).
    const der = Buffer.concat([Buffer.from('30820a18020100300b060960864801650304031104820a0404820a00', 'hex'), expanded]);
    const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    assert.ok(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-expanded.length).equals(expanded), 'node:crypto keeps the expanded form');
    const publicKey = createPublicKey(privateKey);
    const message = Buffer.from('imported');
    assert.ok(nodeVerify(null, message, publicKey, mlDsaSignMu(privateKey, externalMu(publicKey, message))));
  });
});
