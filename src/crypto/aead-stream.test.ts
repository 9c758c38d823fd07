import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { aesGcmDecrypt, aesGcmEncrypt } from './aead.js';
import { aes256GcmDecryptStream, aes256GcmEncryptStream } from './aead-stream.js';
import { SecretBytes } from './secret-bytes.js';

describe('AES-256-GCM streams', () => {
  const key = SecretBytes.adopt(randomBytes(32));
  const nonce = randomBytes(12);
  const aad = Buffer.from('header digest');
  const plaintext = randomBytes(300_000);
  const pieces = (b: Buffer, size: number) => Array.from({ length: Math.ceil(b.length / size) }, (_, i) => b.subarray(i * size, (i + 1) * size));

  it('a streamed ciphertext is the one-shot ciphertext, whatever the chunking, and decrypts both ways', () => {
    const once = aesGcmEncrypt(key, nonce, plaintext, aad);
    const enc = aes256GcmEncryptStream(key, nonce, aad);
    const ciphertext = Buffer.concat(pieces(plaintext, 7777).map((p) => enc.update(p)));
    const tag = enc.final();
    assert.deepEqual(ciphertext, once.ciphertext);
    assert.deepEqual(tag, once.tag);
    const dec = aes256GcmDecryptStream(key, nonce, tag, aad);
    assert.deepEqual(Buffer.concat(pieces(ciphertext, 65536).map((p) => dec.update(p))), plaintext);
    assert.equal(dec.final(), true);
    assert.deepEqual(aesGcmDecrypt(key, nonce, ciphertext, tag, aad)?.expose(), plaintext);
  });

  it('final is false for a flipped ciphertext byte, a flipped tag byte, another AAD or a truncated tag', () => {
    const { ciphertext, tag } = aesGcmEncrypt(key, nonce, plaintext, aad);
    const flipped = Buffer.from(ciphertext);
    flipped[150_000] = flipped[150_000]! ^ 1;
    const badTag = Buffer.from(tag);
    badTag[0] = badTag[0]! ^ 1;
    for (const [ct, t, a] of [[flipped, tag, aad], [ciphertext, badTag, aad], [ciphertext, tag, Buffer.from('other')], [ciphertext, tag.subarray(0, 12), aad]] as const) {
      const dec = aes256GcmDecryptStream(key, nonce, t, a);
      dec.update(ct);
      assert.equal(dec.final(), false);
    }
  });

  it('refuses a key that is not 32 bytes and a nonce that is not 12', () => {
    assert.throws(() => aes256GcmEncryptStream(SecretBytes.adopt(randomBytes(16)), nonce, aad), /32 bytes/);
    assert.throws(() => aes256GcmDecryptStream(key, randomBytes(8), Buffer.alloc(16), aad), /12 bytes/);
  });
});
