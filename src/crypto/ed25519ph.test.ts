import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { ed25519ph as nobleEd25519ph } from '@noble/curves/ed25519.js';
import { ed25519phSign, ed25519phVerify } from './ed25519ph.js';

/** RFC 8032 §7.3, the Ed25519ph test vector ("abc"; PH is SHA-512, so Arca's DIGEST input is SHA-512("abc")). */
const RFC = {
  secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
  public: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
  message: Buffer.from('616263', 'hex'),
  signature: '98a70222f0b8121aa9d30f813d683f809e462b469c7ff87639499bb94e6dae4131f85042463c2a355a2003d062adf5aaa10b8c61e636062aaad11c2a26083406',
};
const rfcPrivate = createPrivateKey({ key: Buffer.from(`302e020100300506032b657004220420${RFC.secret}`, 'hex'), format: 'der', type: 'pkcs8' });
const rfcPublic = createPublicKey(rfcPrivate);
const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest();
const spkiOf = (raw: string) => createPublicKey({ key: Buffer.from(`302a300506032b6570032100${raw}`, 'hex'), format: 'der', type: 'spki' });

describe('Ed25519ph (RFC 8032 HashEdDSA over a SHA-512 digest)', () => {
  it('signs RFC 8032 §7.3 exactly: the test vector signature from its key and the SHA-512 of its message', () => {
    assert.equal(rfcPublic.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'), RFC.public);
    assert.equal(ed25519phSign(rfcPrivate, sha512(RFC.message)).toString('hex'), RFC.signature);
  });

  it('verifies the RFC vector, and refuses it for another digest, with a flipped bit in R or S, or with S ≥ L', () => {
    const digest = sha512(RFC.message);
    const sig = Buffer.from(RFC.signature, 'hex');
    assert.ok(ed25519phVerify(rfcPublic, digest, sig));
    assert.equal(ed25519phVerify(rfcPublic, sha512(Buffer.from('abd')), sig), false);
    for (const at of [0, 40]) {
      const bad = Buffer.from(sig);
      bad[at] = (bad[at] ?? 0) ^ 1;
      assert.equal(ed25519phVerify(rfcPublic, digest, bad), false, `bit flipped at byte ${at}`);
    }
    const big = Buffer.from(sig);
    big.fill(0xff, 32);
    assert.equal(ed25519phVerify(rfcPublic, digest, big), false);
  });

  it('is not pure Ed25519: node:crypto does not accept an Ed25519ph signature as one of the digest, nor of the message', async () => {
    const { verify } = await import('node:crypto');
    const digest = sha512(RFC.message);
    const sig = Buffer.from(RFC.signature, 'hex');
    assert.equal(verify(null, digest, rfcPublic, sig), false);
    assert.equal(verify(null, RFC.message, rfcPublic, sig), false);
  });

  it('round-trips with fresh keys; another key does not verify; the signature is deterministic', () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const digest = sha512(Buffer.from('a large file, hashed by the caller'));
    const sig = ed25519phSign(a.privateKey, digest);
    assert.equal(sig.length, 64);
    assert.ok(ed25519phVerify(a.publicKey, digest, sig));
    assert.equal(ed25519phVerify(b.publicKey, digest, sig), false);
    assert.ok(ed25519phSign(a.privateKey, digest).equals(sig), 'RFC 8032 signatures are deterministic, blinding or not');
  });

  it('is @noble/curves\' ed25519ph of the message: the same signature over its SHA-512, each verifying the other\'s', () => {
    for (let i = 0; i < 8; i++) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(16);
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
      const message = Buffer.from(`message ${i}`.repeat(i * 100 + 1));
      const ours = ed25519phSign(privateKey, sha512(message));
      assert.deepEqual(Buffer.from(nobleEd25519ph.sign(message, seed)), ours);
      assert.ok(nobleEd25519ph.verify(ours, message, raw, { zip215: false }));
      assert.ok(ed25519phVerify(publicKey, sha512(message), Buffer.from(nobleEd25519ph.sign(message, seed))));
    }
  });

  it('verifies strictly (RFC 8032, FIPS 186-5): a small-order public key is refused, even where the equation holds for any digest', () => {
    // A = R = the identity (y = 1), S = 0: [S]B = R + [k]A holds for every digest.
    const identity = `01${'00'.repeat(31)}`;
    assert.equal(ed25519phVerify(spkiOf(identity), sha512(RFC.message), Buffer.from(identity + '00'.repeat(32), 'hex')), false);
  });

  it('refuses to sign anything but a 64-byte digest, and never throws while verifying garbage', () => {
    assert.throws(() => ed25519phSign(rfcPrivate, Buffer.alloc(32)));
    assert.equal(ed25519phVerify(rfcPublic, Buffer.alloc(32), Buffer.alloc(64)), false);
    assert.equal(ed25519phVerify(rfcPublic, Buffer.alloc(64), Buffer.alloc(63)), false);
    assert.equal(ed25519phVerify(rfcPublic, Buffer.alloc(64), Buffer.alloc(64, 0xff)), false);
  });
});
