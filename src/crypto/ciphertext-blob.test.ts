import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BLOB_FORMAT_MRK,
  BLOB_FORMAT_V1,
  BLOB_OVERHEAD,
  HEADER_LENGTH,
  openBlob,
  readBlobHeader,
  sealBlob,
  sealBlobWith,
  type BlobHeader,
} from './ciphertext-blob.js';
import { encodeContext } from './encoding.js';
import { randomId, randomSecret } from './random.js';
import { SecretBytes } from './secret-bytes.js';

function bytesFrom(start: number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (start + i) & 0xff));
}

function hex(h: string): Buffer {
  return Buffer.from(h.replace(/\s+/g, ''), 'hex');
}

function flipBit(b: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(b);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return copy;
}

/**
 * Fixed inputs of the known-answer test. Changing any byte of {@link KAT.blob} means every stored ciphertext
 * in the field stops decrypting: that needs a new format byte, not a new expected value.
 */
const KAT = {
  material: bytesFrom(0x00, 32),
  header: { keyId: '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', version: 7 } satisfies BlobHeader,
  salt: bytesFrom(0x20, 32),
  nonce: bytesFrom(0x40, 12),
  plaintext: Buffer.from('Arca ciphertext format v1', 'utf8'),
  context: { tenant: 'acme', purpose: 'kat' },
  /** count 2 | "purpose" → "kat" | "tenant" → "acme" (sorted by key). */
  encodedContext: hex('00000002 00000007 707572706f7365 00000003 6b6174 00000006 74656e616e74 00000004 61636d65'),
  blob: hex(
    '01' + // format v1
      '0f1e2d3c4b5a49788796a5b4c3d2e1f0' + // key id
      '00000007' + // key version
      '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f' + // salt
      '404142434445464748494a4b' + // nonce
      '4848d87ac3d45655f658f1b9476e7ce9140894788e94f8131c' + // ciphertext
      'b306e7611f5d1cf24bff74cfc3fc48e7', // tag
  ),
};

/**
 * The format as documented in ciphertext-blob.ts and docs/ciphertext-format.md, built from raw node:crypto
 * without any of Arca's code, so the known answer is justified by the spec and not only by a snapshot.
 */
function referenceSeal(): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(KAT.header.version);
  const header = Buffer.concat([Buffer.of(0x01), Buffer.from(KAT.header.keyId.replaceAll('-', ''), 'hex'), version, KAT.salt, KAT.nonce]);
  const messageKey = Buffer.from(hkdfSync('sha256', KAT.material, KAT.salt, header, 32));
  const cipher = createCipheriv('aes-256-gcm', messageKey, KAT.nonce, { authTagLength: 16 });
  cipher.setAAD(Buffer.concat([header, KAT.encodedContext]));
  const ciphertext = Buffer.concat([cipher.update(KAT.plaintext), cipher.final()]);
  return Buffer.concat([header, ciphertext, cipher.getAuthTag()]);
}

describe('ciphertext blob format v1 (known answer)', () => {
  test('header and overhead sizes are 65 and 81 bytes', () => {
    assert.equal(BLOB_FORMAT_V1, 0x01);
    assert.equal(HEADER_LENGTH, 1 + 16 + 4 + 32 + 12);
    assert.equal(BLOB_OVERHEAD, HEADER_LENGTH + 16);
  });

  test('the encryption context of the known answer encodes to the frozen bytes', () => {
    assert.equal(encodeContext(KAT.context).toString('hex'), KAT.encodedContext.toString('hex'));
  });

  test('sealBlobWith produces the frozen blob for fixed material, header, salt, nonce, plaintext and context', () => {
    const blob = sealBlobWith(SecretBytes.copyOf(KAT.material), KAT.header, KAT.salt, KAT.nonce, KAT.plaintext, encodeContext(KAT.context));
    assert.equal(blob.toString('hex'), KAT.blob.toString('hex'));
  });

  test('the frozen blob is what the documented construction gives with raw node:crypto', () => {
    assert.equal(referenceSeal().toString('hex'), KAT.blob.toString('hex'));
  });

  test('openBlob decrypts the frozen blob and readBlobHeader names its key and version', () => {
    assert.deepEqual(readBlobHeader(KAT.blob), KAT.header);
    const plaintext = openBlob(SecretBytes.copyOf(KAT.material), KAT.blob, KAT.encodedContext);
    assert.ok(plaintext);
    assert.deepEqual(plaintext.expose(), KAT.plaintext);
  });
});

describe('sealBlob / openBlob', () => {
  const context = encodeContext({ tenant: 'acme', purpose: 'round-trip' });

  test('round trip returns the plaintext for empty, short and large plaintexts', () => {
    const material = randomSecret(32);
    const header = { keyId: randomId(), version: 3 };
    for (const size of [0, 1, 15, 16, 17, 4096, 65_536]) {
      const plaintext = bytesFrom(size, size);
      const blob = sealBlob(material, header, plaintext, context);
      assert.equal(blob.length, BLOB_OVERHEAD + size);
      assert.deepEqual(readBlobHeader(blob), header);
      assert.deepEqual(openBlob(material, blob, context)?.expose(), plaintext, `size ${size}`);
    }
  });

  test('round trip holds for any plaintext, key id, version and context (property)', () => {
    const material = randomSecret(32);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uuid(),
        fc.integer({ min: 1, max: 0xffff_ffff }),
        fc.dictionary(fc.string(), fc.string(), { maxKeys: 4 }),
        (plaintext, keyId, version, ctx) => {
          const encoded = encodeContext(ctx);
          const blob = sealBlob(material, { keyId, version }, plaintext, encoded);
          assert.deepEqual(readBlobHeader(blob), { keyId, version });
          assert.deepEqual(openBlob(material, blob, encoded)?.expose(), Buffer.from(plaintext));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('sealing the same plaintext twice gives different blobs (fresh salt and nonce)', () => {
    const material = randomSecret(32);
    const header = { keyId: randomId(), version: 1 };
    const a = sealBlob(material, header, Buffer.from('same'), context);
    const b = sealBlob(material, header, Buffer.from('same'), context);
    assert.notDeepEqual(a.subarray(21, HEADER_LENGTH), b.subarray(21, HEADER_LENGTH));
  });

  test('sealing refuses versions outside 1..2^32-1, bad salt or nonce lengths, and non-canonical key ids', () => {
    const material = randomSecret(32);
    const seal = (header: BlobHeader, salt = KAT.salt, nonce = KAT.nonce) => () => sealBlobWith(material, header, salt, nonce, KAT.plaintext, context);
    for (const version of [0, -1, 1.5, 0x1_0000_0000, Number.NaN]) {
      assert.throws(seal({ keyId: KAT.header.keyId, version }), RangeError, `version ${version}`);
    }
    assert.throws(seal(KAT.header, bytesFrom(0, 31)), RangeError);
    assert.throws(seal(KAT.header, KAT.salt, bytesFrom(0, 16)), RangeError);
    assert.throws(seal({ keyId: KAT.header.keyId.toUpperCase(), version: 1 }), RangeError);
    assert.throws(seal({ keyId: 'alias/not-a-uuid', version: 1 }), RangeError);
  });
});

describe('openBlob rejects tampered and mismatched blobs', () => {
  const material = randomSecret(32);
  const context = { tenant: 'acme', purpose: 'kat' };
  // Version 1, so that flipping its lowest bit gives version 0, which readBlobHeader must refuse.
  const header = { keyId: '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', version: 1 };
  const blob = sealBlob(material, header, Buffer.from('abcd'), encodeContext(context));

  test('every single-bit flip of a blob is rejected', (t) => {
    const encoded = encodeContext(context);
    assert.ok(openBlob(material, blob, encoded), 'the untouched blob opens');
    let rejected = 0;
    const accepted: number[] = [];
    for (let bit = 0; bit < blob.length * 8; bit++) {
      if (openBlob(material, flipBit(blob, bit), encoded) === undefined) rejected++;
      else accepted.push(bit);
    }
    assert.deepEqual(accepted, []);
    assert.equal(rejected, (BLOB_OVERHEAD + 4) * 8);
    t.diagnostic(`${rejected} bit flips rejected`);
  });

  test('readBlobHeader follows header flips: format byte and version 0 refused, key id and version read as flipped', () => {
    for (let bit = 0; bit < blob.length * 8; bit++) {
      const flipped = flipBit(blob, bit);
      const byte = bit >> 3;
      const parsed = readBlobHeader(flipped);
      if (byte === 0) {
        assert.equal(parsed, undefined, `format byte flip (bit ${bit})`);
      } else if (byte < 17) {
        assert.notEqual(parsed?.keyId, header.keyId, `key id flip (bit ${bit})`);
        assert.equal(parsed?.version, header.version);
      } else if (byte < 21) {
        const version = flipped.readUInt32BE(17);
        assert.deepEqual(parsed, version === 0 ? undefined : { keyId: header.keyId, version }, `version flip (bit ${bit})`);
      } else {
        assert.deepEqual(parsed, header, `salt, nonce, ciphertext or tag flip (bit ${bit}) leaves the header alone`);
      }
    }
  });

  test('a different value, an extra key, a missing key or an empty context is rejected', () => {
    const mismatches: Record<string, string>[] = [
      { tenant: 'acme', purpose: 'kat2' },
      { tenant: 'ACME', purpose: 'kat' },
      { tenant: 'acme', purpose: 'kat', extra: '' },
      { tenant: 'acme' },
      {},
      { tenan: 'tacme', purpose: 'kat' },
      { tenant: 'acme', purpose: 'kat', '': '' },
    ];
    for (const other of mismatches) {
      assert.equal(openBlob(material, blob, encodeContext(other)), undefined, JSON.stringify(other));
    }
  });

  test('the same context with its keys in another order still decrypts', () => {
    const reordered = { purpose: 'kat', tenant: 'acme' };
    assert.deepEqual(openBlob(material, blob, encodeContext(reordered))?.expose(), Buffer.from('abcd'));
  });

  test('truncated blobs and truncated tags are rejected', () => {
    const encoded = encodeContext(context);
    for (let cut = 1; cut <= 16; cut++) {
      assert.equal(openBlob(material, blob.subarray(0, blob.length - cut), encoded), undefined, `${cut} tag bytes removed`);
    }
    for (let length = 0; length < blob.length; length++) {
      assert.equal(openBlob(material, blob.subarray(0, length), encoded), undefined, `truncated to ${length} bytes`);
    }
    assert.equal(openBlob(material, Buffer.concat([blob, Buffer.of(0)]), encoded), undefined, 'extended by one byte');
  });

  test('a blob opened with the wrong material is rejected', () => {
    const encoded = encodeContext(context);
    assert.equal(openBlob(randomSecret(32), blob, encoded), undefined);
    assert.equal(openBlob(SecretBytes.copyOf(flipBit(material.expose(), 0)), blob, encoded), undefined);
  });
});

describe('readBlobHeader', () => {
  const material = SecretBytes.copyOf(KAT.material);
  const context = encodeContext({});
  const blob = sealBlobWith(material, KAT.header, KAT.salt, KAT.nonce, KAT.plaintext, context);

  test('rejects every format byte other than 0x01', () => {
    for (let format = 0; format < 256; format++) {
      const other = Buffer.from(blob);
      other[0] = format;
      assert.equal(readBlobHeader(other) === undefined, format !== BLOB_FORMAT_V1 && format !== BLOB_FORMAT_MRK, `format 0x${format.toString(16)}`);
    }
  });

  test('rejects version 0, and openBlob rejects it too', () => {
    const zero = Buffer.from(blob);
    zero.writeUInt32BE(0, 17);
    assert.equal(readBlobHeader(zero), undefined);
    assert.equal(openBlob(material, zero, context), undefined);
  });

  test('rejects blobs shorter than header and tag, and accepts one exactly that long', () => {
    for (let length = 0; length < BLOB_OVERHEAD; length++) {
      assert.equal(readBlobHeader(blob.subarray(0, length)), undefined, `${length} bytes`);
    }
    const empty = sealBlobWith(material, KAT.header, KAT.salt, KAT.nonce, Buffer.alloc(0), context);
    assert.equal(empty.length, BLOB_OVERHEAD);
    assert.deepEqual(readBlobHeader(empty), KAT.header);
    assert.equal(openBlob(material, empty, context)?.length, 0);
  });

  test('reads a blob that is a view into a larger buffer', () => {
    const padded = Buffer.concat([Buffer.alloc(7, 0xee), blob, Buffer.alloc(5, 0xee)]);
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 7, blob.length);
    assert.deepEqual(readBlobHeader(view), KAT.header);
    assert.deepEqual(openBlob(material, view, context)?.expose(), KAT.plaintext);
  });
});
