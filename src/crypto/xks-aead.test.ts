import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { encodeFields } from './encoding.js';
import { SecretBytes } from './secret-bytes.js';
import { XKS_METADATA_LENGTH, xksAad, xksCdiv, xksMetadataVersion, xksOpen, xksSeal, xksSealWith } from './xks-aead.js';

const material = () => SecretBytes.copyOf(Buffer.alloc(32, 7));
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const salt = Buffer.alloc(15, 0xa5);
const iv = Buffer.alloc(12, 0x3c);

describe('XKS AES-256-GCM (docs/xks-proxy.md)', () => {
  test('the AAD is len(aad) u16 BE ‖ aad ‖ len(metadata) u8 ‖ metadata, absent fields of length 0', () => {
    assert.deepEqual(xksAad(undefined, undefined), Buffer.from([0, 0, 0]));
    assert.deepEqual(xksAad(Buffer.from('ab'), Buffer.from([9])), Buffer.from([0, 2, 0x61, 0x62, 1, 9]));
    // An AAD that equals the metadata does not make the same GCM AAD (the spec's reason for the lengths).
    assert.notDeepEqual(xksAad(Buffer.from([9]), undefined), xksAad(undefined, Buffer.from([9])));
  });

  test('the CDIV is the spec appendix C example', () => {
    const value = xksCdiv(Buffer.from('project=nile,department=marketing'), {
      ciphertextMetadata: Buffer.from('key_version=1'),
      initializationVector: Buffer.from('1ccae5470f39700254779031', 'hex'),
      ciphertext: Buffer.from('821c642b5b71783367deaf18', 'hex'),
      authenticationTag: Buffer.from('bc1c4dda7707d6812447c5955e99b261', 'hex'),
    });
    assert.equal(value.toString('base64'), 'qHA/ImC9h5HsLRXqCyPmWgYx7tzyoTplzILbP0fPXsc=');
  });

  test('known answer: metadata carries the key version and salt; the message key is HKDF under the XKS label', () => {
    const sealed = xksSealWith(material(), KEY, 3, salt, iv, Buffer.from('Hello World!'), Buffer.from('aad'));
    assert.equal(sealed.ciphertextMetadata.length, XKS_METADATA_LENGTH);
    assert.equal(xksMetadataVersion(sealed.ciphertextMetadata), 3);
    // Recomputed independently with node:crypto.
    const info = Buffer.concat([encodeFields(['arca.xks-message-key.v1', KEY]), sealed.ciphertextMetadata.subarray(0, 5)]);
    const key = Buffer.from(hkdfSync('sha256', Buffer.alloc(32, 7), salt, info, 32));
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(xksAad(Buffer.from('aad'), sealed.ciphertextMetadata));
    const ct = cipher.update(Buffer.from('Hello World!'));
    cipher.final();
    assert.deepEqual(sealed.ciphertext, ct);
    assert.deepEqual(sealed.authenticationTag, cipher.getAuthTag());
  });

  test('round trip; the ciphertext is as long as the plaintext', () => {
    const sealed = xksSeal(material(), KEY, 1, Buffer.from('plaintext'), undefined);
    assert.equal(sealed.ciphertext.length, 9);
    assert.equal(xksOpen(material(), KEY, sealed, undefined)?.expose().toString(), 'plaintext');
  });

  test('decrypt fails with a missing or different AAD, tampered metadata, another key id or a truncated tag', () => {
    const sealed = xksSeal(material(), KEY, 1, Buffer.from('plaintext'), Buffer.from('aad'));
    assert.equal(xksOpen(material(), KEY, sealed, undefined), undefined);
    assert.equal(xksOpen(material(), KEY, sealed, Buffer.from('aae')), undefined);
    // The metadata passed as AAD, and no metadata: the lengths make it fail.
    assert.equal(xksOpen(material(), KEY, { ...sealed, ciphertextMetadata: Buffer.alloc(0) }, sealed.ciphertextMetadata), undefined);
    const meta = Buffer.from(sealed.ciphertextMetadata);
    meta[19] = (meta[19] ?? 0) ^ 1;
    assert.equal(xksOpen(material(), KEY, { ...sealed, ciphertextMetadata: meta }, Buffer.from('aad')), undefined);
    assert.equal(xksOpen(material(), 'another-key', sealed, Buffer.from('aad')), undefined);
    assert.equal(xksOpen(material(), KEY, { ...sealed, authenticationTag: sealed.authenticationTag.subarray(0, 12) }, Buffer.from('aad')), undefined);
    assert.equal(xksOpen(material(), KEY, sealed, Buffer.from('aad'))?.expose().toString(), 'plaintext');
  });

  test('metadata of another format or version 0 names no version', () => {
    assert.equal(xksMetadataVersion(undefined), undefined);
    assert.equal(xksMetadataVersion(Buffer.alloc(20)), undefined);
    const v0 = Buffer.alloc(20);
    v0[0] = 1;
    assert.equal(xksMetadataVersion(v0), undefined);
    assert.equal(xksMetadataVersion(Buffer.alloc(13, 1)), undefined);
  });
});
