import assert from 'node:assert/strict';
import { constants, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { describe, test } from 'node:test';
import { generateKeyPair, parsePrivateKey, parsePublicKey, privateKeyOf, publicKeyOf, type KeyPairType } from './asymmetric-keys.js';
import { ecdhSharedSecret } from './ecdh.js';
import { oaepDecrypt, oaepEncrypt, oaepMaxPlaintext } from './rsa-oaep.js';
import { digestOf, sign, verify, type SignatureScheme } from './signature.js';

/**
 * Signing round trips, each checked by node:crypto's own verifier over the message (an implementation
 * Arca's DIGEST-mode code does not share), so a DIGEST signature that only Arca could verify fails here.
 */

const CASES: { type: KeyPairType; scheme: SignatureScheme }[] = [
  { type: { kind: 'rsa', bits: 2048 }, scheme: { kind: 'rsa-pss', hash: 'sha384' } },
  { type: { kind: 'rsa', bits: 2048 }, scheme: { kind: 'rsa-pkcs1', hash: 'sha512' } },
  { type: { kind: 'ec', curve: 'P-256' }, scheme: { kind: 'ecdsa', hash: 'sha256', curve: 'P-256' } },
  { type: { kind: 'ec', curve: 'P-384' }, scheme: { kind: 'ecdsa', hash: 'sha384', curve: 'P-384' } },
  { type: { kind: 'ec', curve: 'P-521' }, scheme: { kind: 'ecdsa', hash: 'sha512', curve: 'P-521' } },
  { type: { kind: 'ec', curve: 'secp256k1' }, scheme: { kind: 'ecdsa', hash: 'sha256', curve: 'secp256k1' } },
];

const message = Buffer.from('the message Arca signs');

describe('signatures made in DIGEST mode verify as signatures of the message', () => {
  for (const { type, scheme } of CASES) {
    test(`${JSON.stringify(scheme)}`, async () => {
      const pair = await generateKeyPair(type);
      const priv = privateKeyOf(pair.privateKey);
      const pub = createPublicKey({ key: pair.publicKey, format: 'der', type: 'spki' });
      assert.ok(scheme.kind !== 'ed25519' && scheme.kind !== 'ed25519ph' && scheme.kind !== 'ml-dsa');
      for (const mode of ['message', 'digest'] as const) {
        const bytes: Buffer = mode === 'message' ? message : digestOf(scheme.hash, message);
        const sig = sign(scheme, priv, { type: mode, bytes });
        const options =
          scheme.kind === 'ecdsa'
            ? { key: pub, dsaEncoding: 'der' as const }
            : { key: pub, padding: scheme.kind === 'rsa-pss' ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
        assert.ok(nodeVerify(scheme.hash, message, options, sig), `${mode} signature verifies with node:crypto`);
        assert.ok(verify(scheme, pub, { type: 'digest', bytes: digestOf(scheme.hash, message) }, sig));
        const tampered = Buffer.from(sig);
        tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
        assert.equal(verify(scheme, pub, { type: mode, bytes }, tampered), false, 'a flipped bit fails');
      }
    });
  }

  test('a digest of the wrong length is refused, Ed25519 signs messages only', async () => {
    const ec = await generateKeyPair({ kind: 'ec', curve: 'P-256' });
    assert.throws(() => sign({ kind: 'ecdsa', hash: 'sha256', curve: 'P-256' }, privateKeyOf(ec.privateKey), { type: 'digest', bytes: Buffer.alloc(31) }));
    const ed = await generateKeyPair({ kind: 'ed25519' });
    assert.throws(() => sign({ kind: 'ed25519' }, privateKeyOf(ed.privateKey), { type: 'digest', bytes: Buffer.alloc(64) }));
    const sig = sign({ kind: 'ed25519' }, privateKeyOf(ed.privateKey), { type: 'message', bytes: message });
    assert.ok(nodeVerify(null, message, createPublicKey({ key: ed.publicKey, format: 'der', type: 'spki' }), sig));
  });
});

describe('key parsing, OAEP and ECDH', () => {
  test('a public key of another curve or size is refused', async () => {
    const p256 = await generateKeyPair({ kind: 'ec', curve: 'P-256' });
    assert.ok(parsePublicKey(p256.publicKey, { kind: 'ec', curve: 'P-256' }));
    assert.equal(parsePublicKey(p256.publicKey, { kind: 'ec', curve: 'P-384' }), undefined);
    assert.equal(parsePublicKey(p256.publicKey, { kind: 'rsa', bits: 2048 }), undefined);
    assert.equal(parsePublicKey(Buffer.from('not a key'), { kind: 'ec', curve: 'P-256' }), undefined);
    assert.ok(parsePrivateKey(p256.privateKey, { kind: 'ec', curve: 'P-256' }));
    assert.equal(parsePrivateKey(p256.privateKey, { kind: 'ed25519' }), undefined);
  });

  test('OAEP round-trips up to the maximum length and fails opaquely on tampering', async () => {
    const pair = await generateKeyPair({ kind: 'rsa', bits: 2048 });
    for (const hash of ['sha1', 'sha256'] as const) {
      const max = oaepMaxPlaintext(2048, hash);
      assert.equal(max, hash === 'sha1' ? 214 : 190);
      const ct = oaepEncrypt(publicKeyOf(pair.privateKey), hash, Buffer.alloc(max, 7));
      assert.deepEqual(oaepDecrypt(privateKeyOf(pair.privateKey), hash, ct)?.expose(), Buffer.alloc(max, 7));
      assert.throws(() => oaepEncrypt(publicKeyOf(pair.privateKey), hash, Buffer.alloc(max + 1)));
      ct[5] = (ct[5] ?? 0) ^ 1;
      assert.equal(oaepDecrypt(privateKeyOf(pair.privateKey), hash, ct), undefined);
    }
  });

  test('ECDH gives both sides the same secret', async () => {
    const a = await generateKeyPair({ kind: 'ec', curve: 'P-384' });
    const b = await generateKeyPair({ kind: 'ec', curve: 'P-384' });
    const ab = ecdhSharedSecret(privateKeyOf(a.privateKey), publicKeyOf(b.privateKey));
    const ba = ecdhSharedSecret(privateKeyOf(b.privateKey), publicKeyOf(a.privateKey));
    assert.ok(ab && ba);
    assert.equal(ab.length, 48);
    assert.deepEqual(ab.expose(), ba.expose());
  });
});
