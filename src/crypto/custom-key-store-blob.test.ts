import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { encodeContext } from './encoding.js';
import { SecretBytes } from './secret-bytes.js';
import {
  BLOB_FORMAT_HSM,
  BLOB_FORMAT_XKS,
  customKeyStoreHeader,
  decodeHsmBlob,
  decodeXksBlob,
  encodeHsmBlob,
  encodeXksBlob,
  openXksInner,
  readCustomKeyStoreHeader,
  sealXksInner,
  xksOuterAad,
} from './custom-key-store-blob.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ctx = encodeContext({ purpose: 'test' });

/** A stand-in for the proxy's external key: plain AES-256-GCM. */
function proxyEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
  const ciphertext = Buffer.concat([c.update(plaintext), c.final()]);
  return { metadata: Buffer.from('v1'), iv, tag: c.getAuthTag(), ciphertext };
}
function proxyDecrypt(key: Buffer, o: { iv: Buffer; tag: Buffer; ciphertext: Buffer }, aad: Buffer): Buffer {
  const d = createDecipheriv('aes-256-gcm', key, o.iv).setAAD(aad);
  d.setAuthTag(o.tag);
  return Buffer.concat([d.update(o.ciphertext), d.final()]);
}

describe('custom key store ciphertext blobs (0x03 external key store, 0x04 HSM)', () => {
  it('0x03 round-trips through both layers, and each layer alone fails', () => {
    const material = SecretBytes.copyOf(randomBytes(32));
    const external = randomBytes(32);
    const head = customKeyStoreHeader(BLOB_FORMAT_XKS, KEY, 3);
    const inner = sealXksInner(material, head, Buffer.from('secret data'), ctx);
    const blob = encodeXksBlob(head, proxyEncrypt(external, inner, xksOuterAad(head, ctx)));
    assert.deepEqual(readCustomKeyStoreHeader(blob), { format: 0x03, keyId: KEY, version: 3 });
    const decoded = decodeXksBlob(blob);
    assert.ok(decoded);
    const innerBack = proxyDecrypt(external, decoded.outer, xksOuterAad(decoded.head, ctx));
    assert.equal(openXksInner(material, decoded.head, innerBack, ctx)?.expose().toString(), 'secret data');
    // Arca's material alone: the outer layer is not Arca's format, and the inner bytes are not in the blob.
    assert.equal(openXksInner(material, decoded.head, decoded.outer.ciphertext, ctx), undefined);
    // The external key alone yields only the inner ciphertext, which another material does not open.
    assert.equal(openXksInner(SecretBytes.copyOf(randomBytes(32)), decoded.head, innerBack, ctx), undefined);
    // Another context or a changed header byte fails.
    assert.equal(openXksInner(material, decoded.head, innerBack, encodeContext({ purpose: 'other' })), undefined);
    assert.throws(() => proxyDecrypt(external, decoded.outer, xksOuterAad(customKeyStoreHeader(BLOB_FORMAT_XKS, KEY, 4), ctx)));
  });

  it('0x04 lays out header, iv, tag and ciphertext; malformed blobs decode to undefined', () => {
    const head = customKeyStoreHeader(BLOB_FORMAT_HSM, KEY, 1);
    const blob = encodeHsmBlob(head, { iv: Buffer.alloc(12, 1), tag: Buffer.alloc(16, 2), ciphertext: Buffer.from('ct') });
    assert.equal(blob.length, 21 + 12 + 16 + 2);
    assert.deepEqual(decodeHsmBlob(blob)?.ciphertext, Buffer.from('ct'));
    assert.equal(decodeXksBlob(blob), undefined, 'a 0x04 blob is not a 0x03 one');
    assert.equal(decodeHsmBlob(blob.subarray(0, 40)), undefined);
    assert.equal(readCustomKeyStoreHeader(Buffer.concat([Buffer.from([0x01]), blob.subarray(1)])), undefined);
    const zeroVersion = Buffer.from(blob);
    zeroVersion.writeUInt32BE(0, 17);
    assert.equal(decodeHsmBlob(zeroVersion), undefined);
  });
});
