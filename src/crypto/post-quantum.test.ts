import assert from 'node:assert/strict';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateKeyPair, privateKeyOf } from './asymmetric-keys.js';
import { ML_KEM_CIPHERTEXT_LENGTH, mlKemDecapsulate, mlKemEncapsulate, RUNTIME_VERSION, runtimeSupports, type MlDsaParameterSet, type MlKemParameterSet } from './post-quantum.js';
import { sign, verify } from './signature.js';

const NEEDS = `needs Node >= 24.7 (ML-DSA and ML-KEM in node:crypto); this is ${RUNTIME_VERSION}`;
const major = Number(/^v(\d+)\.(\d+)/.exec(RUNTIME_VERSION)?.[1]);
const minor = Number(/^v(\d+)\.(\d+)/.exec(RUNTIME_VERSION)?.[2]);
const modern = major > 24 || (major === 24 && minor >= 7);

describe('post-quantum primitives over node:crypto', () => {
  it('the runtime probe agrees with the Node.js version: ML-DSA and ML-KEM from 24.7, neither on Node 20', () => {
    assert.equal(runtimeSupports('ml-kem'), modern);
    if (modern) assert.ok(runtimeSupports('ml-dsa'));
    if (major < 24) assert.equal(runtimeSupports('ml-dsa'), false);
  });

  for (const set of ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'] satisfies MlDsaParameterSet[]) {
    it(`${set}: a PKCS#8 key pair whose signature verifies with node:crypto from the SPKI alone; a flipped bit does not`, async (t) => {
      if (!runtimeSupports('ml-dsa')) return t.skip(NEEDS);
      const pair = await generateKeyPair({ kind: 'ml-dsa', set });
      const priv = privateKeyOf(pair.privateKey);
      const message = Buffer.from('a firmware image');
      const sig = sign({ kind: 'ml-dsa' }, priv, { type: 'message', bytes: message });
      assert.equal(sig.length, { 'ml-dsa-44': 2420, 'ml-dsa-65': 3309, 'ml-dsa-87': 4627 }[set]);
      const spki = createPublicKey({ key: pair.publicKey, format: 'der', type: 'spki' });
      assert.ok(nodeVerify(null, message, spki, sig));
      assert.ok(verify({ kind: 'ml-dsa' }, spki, { type: 'message', bytes: message }, sig));
      const bad = Buffer.from(sig);
      bad[10] = (bad[10] ?? 0) ^ 1;
      assert.equal(verify({ kind: 'ml-dsa' }, spki, { type: 'message', bytes: message }, bad), false);
      assert.throws(() => sign({ kind: 'ml-dsa' }, priv, { type: 'digest', bytes: Buffer.alloc(64) }), 'ML-DSA never signs a digest');
      pair.privateKey.dispose();
    });
  }

  for (const set of ['ml-kem-512', 'ml-kem-768', 'ml-kem-1024'] satisfies MlKemParameterSet[]) {
    it(`${set}: encapsulation and decapsulation agree on 32 bytes; a tampered ciphertext gives another secret (implicit rejection)`, async (t) => {
      if (!runtimeSupports('ml-kem')) return t.skip(NEEDS);
      const pair = await generateKeyPair({ kind: 'ml-kem', set });
      const priv = privateKeyOf(pair.privateKey);
      const { ciphertext, sharedSecret } = mlKemEncapsulate(createPublicKey({ key: pair.publicKey, format: 'der', type: 'spki' }));
      assert.equal(ciphertext.length, ML_KEM_CIPHERTEXT_LENGTH[set]);
      assert.equal(sharedSecret.length, 32);
      assert.ok(mlKemDecapsulate(priv, ciphertext).expose().equals(sharedSecret.expose()));
      const tampered = Buffer.from(ciphertext);
      tampered[0] = (tampered[0] ?? 0) ^ 1;
      const rejected = mlKemDecapsulate(priv, tampered);
      assert.equal(rejected.length, 32);
      assert.equal(rejected.expose().equals(sharedSecret.expose()), false);
      assert.ok(mlKemDecapsulate(priv, tampered).expose().equals(rejected.expose()), 'the rejection secret is a function of key and ciphertext');
      pair.privateKey.dispose();
    });
  }
});
