import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { bytesToUuid, encodeContext, encodeFields, isUuid, uuidToBytes } from './encoding.js';

function hex(h: string): string {
  return h.replace(/\s+/g, '');
}

/**
 * A strict parser for the documented context encoding, written here independently of encoding.ts. That it
 * recovers every context from its encoding (and consumes every byte) proves the encoding injective.
 */
function decodeContext(b: Buffer): [string, string][] {
  let at = 0;
  const u32 = (): number => {
    assert.ok(at + 4 <= b.length, 'truncated length');
    const n = b.readUInt32BE(at);
    at += 4;
    return n;
  };
  const str = (): string => {
    const n = u32();
    assert.ok(at + n <= b.length, 'truncated string');
    const s = b.toString('utf8', at, at + n);
    at += n;
    return s;
  };
  const pairs: [string, string][] = [];
  for (let count = u32(); count > 0; count--) pairs.push([str(), str()]);
  assert.equal(at, b.length, 'trailing bytes');
  return pairs;
}

/** Entries sorted by the keys' UTF-8 bytes: the canonical order. */
function canonicalEntries(context: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(context).sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** Small alphabets make equal and nearly equal contexts common, which is where collisions would hide. */
const text = fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é', '\uFB01', '\u{1F600}'), maxLength: 3 });
const context = fc.dictionary(text, text, { maxKeys: 3 });
const anyContext = fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), { maxKeys: 5 });

describe('encodeContext (known answers)', () => {
  test('the empty context encodes as four zero bytes', () => {
    assert.equal(encodeContext({}).toString('hex'), '00000000');
  });

  test('a two-pair context encodes as count, then length-prefixed key and value per pair, sorted by key', () => {
    const expected = hex(`
      00000002
      00000007 707572706f7365  00000003 6b6174
      00000006 74656e616e74    00000004 61636d65`);
    assert.equal(encodeContext({ tenant: 'acme', purpose: 'kat' }).toString('hex'), expected);
  });

  test('empty keys and values are encoded with a zero length', () => {
    assert.equal(encodeContext({ '': '' }).toString('hex'), hex('00000001 00000000 00000000'));
  });

  test('keys are sorted by their UTF-8 bytes, not by UTF-16 code units', () => {
    // U+FB01 is EF AC 81 in UTF-8 and FB01 in UTF-16; U+1F600 is F0 9F 98 80 in UTF-8 and D83D DE00 in
    // UTF-16. JavaScript's default sort puts the emoji first; UTF-8 order puts U+FB01 first.
    const ctx = { '\u{1F600}': 'x', '\uFB01': 'y' };
    assert.deepEqual(Object.keys(ctx).sort(), ['\u{1F600}', '\uFB01'], 'the two orders do differ');
    const expected = hex(`
      00000002
      00000003 efac81   00000001 79
      00000004 f09f9880 00000001 78`);
    assert.equal(encodeContext(ctx).toString('hex'), expected);
  });

  test('integer-like keys are sorted as bytes, not in the numeric order objects list them', () => {
    const ctx = { '10': 'a', '9': 'b' };
    assert.deepEqual(Object.keys(ctx), ['9', '10']);
    assert.equal(encodeContext(ctx).toString('hex'), hex('00000002 00000002 3130 00000001 61 00000001 39 00000001 62'));
  });

  test('a lone surrogate in a key or value is refused, since UTF-8 would turn every one into U+FFFD', () => {
    assert.throws(() => encodeContext({ a: '\uD800' }), RangeError);
    assert.throws(() => encodeContext({ a: 'x\uDC00' }), RangeError);
    assert.throws(() => encodeContext({ '\uDBFF': 'a' }), RangeError);
    assert.throws(() => encodeContext({ a: '\u{1F600}'.slice(0, 1) }), RangeError);
    assert.doesNotThrow(() => encodeContext({ a: '\u{1F600}', '\u{10FFFF}': '\uFFFD' }));
  });
});

describe('encodeContext (properties)', () => {
  test('decoding the encoding gives back the context in UTF-8 key order (so no two contexts collide)', () => {
    fc.assert(
      fc.property(fc.oneof(context, anyContext), (ctx) => {
        assert.deepEqual(decodeContext(encodeContext(ctx)), canonicalEntries(ctx));
      }),
      { numRuns: 1000 },
    );
  });

  test('two contexts encode the same exactly when they hold the same pairs', () => {
    fc.assert(
      fc.property(context, context, (a, b) => {
        const same = JSON.stringify(canonicalEntries(a)) === JSON.stringify(canonicalEntries(b));
        assert.equal(encodeContext(a).equals(encodeContext(b)), same);
      }),
      { numRuns: 2000 },
    );
  });

  test('the order of keys in the input object does not matter', () => {
    const entries = fc.uniqueArray(fc.tuple(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })), { selector: ([k]) => k, maxLength: 6 });
    const entriesAndPermutation = entries.chain((pairs) => fc.tuple(fc.constant(pairs), fc.shuffledSubarray(pairs, { minLength: pairs.length })));
    fc.assert(
      fc.property(entriesAndPermutation, ([pairs, shuffled]) => {
        const expected = encodeContext(Object.fromEntries(pairs));
        assert.deepEqual(encodeContext(Object.fromEntries(shuffled)), expected);
        assert.deepEqual(encodeContext(Object.fromEntries([...pairs].reverse())), expected);
      }),
      { numRuns: 500 },
    );
  });

  test('strings of arbitrary UTF-16 code units either decode back exactly or are refused', () => {
    const codeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 4 });
    fc.assert(
      fc.property(fc.dictionary(codeUnits, codeUnits, { maxKeys: 3 }), (ctx) => {
        let encoded: Buffer;
        try {
          encoded = encodeContext(ctx);
        } catch (e) {
          assert.ok(e instanceof RangeError);
          return;
        }
        assert.deepEqual(decodeContext(encoded), canonicalEntries(ctx));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('encodeFields', () => {
  test('encodes each field as u32 length and bytes; numbers as 4-byte big-endian', () => {
    const encoded = encodeFields(['arca', 7, Buffer.of(0xde, 0xad)]);
    assert.equal(encoded.toString('hex'), hex('00000004 61726361 00000004 00000007 00000002 dead'));
  });

  test('moving the boundary between string fields changes the encoding', () => {
    assert.notDeepEqual(encodeFields(['ab', 'c']), encodeFields(['a', 'bc']));
    assert.notDeepEqual(encodeFields(['a', '']), encodeFields(['a']));
  });

  test('a lone surrogate in a string field is refused', () => {
    assert.throws(() => encodeFields(['\uD800']), RangeError);
  });
});

describe('UUID bytes', () => {
  test('uuidToBytes and bytesToUuid round-trip every lower-case UUID', () => {
    fc.assert(
      fc.property(fc.uuid(), (uuid) => {
        const bytes = uuidToBytes(uuid);
        assert.equal(bytes.length, 16);
        assert.equal(bytesToUuid(bytes), uuid);
      }),
    );
  });

  test('bytesToUuid and uuidToBytes round-trip every 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const uuid = bytesToUuid(bytes);
        assert.ok(isUuid(uuid));
        assert.deepEqual(uuidToBytes(uuid), Buffer.from(bytes));
      }),
    );
  });

  test('a known UUID maps to its bytes in order', () => {
    assert.equal(uuidToBytes('0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0').toString('hex'), '0f1e2d3c4b5a49788796a5b4c3d2e1f0');
  });

  test('uuidToBytes refuses upper case, missing dashes, wrong lengths and non-hex', () => {
    for (const bad of [
      '0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0',
      '0f1e2d3c4b5a49788796a5b4c3d2e1f0',
      '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f',
      '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f00',
      'gf1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0',
      '',
    ]) {
      assert.throws(() => uuidToBytes(bad), RangeError, bad);
    }
  });
});
