import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TtlvFramer } from './framing.js';
import { decodeTtlv, encodeTtlv, TtlvDecodeError, TtlvEncodeError, type TtlvItem, type TtlvStructure } from './ttlv.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s|]/g, ''), 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const wrap = (child: TtlvItem): TtlvStructure => ({ tag: 0x420078, type: 'Structure', value: [child] });
/** `inner` (hex of one item) inside a top-level Structure, so decodeTtlv accepts it. */
function inStructure(inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + inner.length);
  out.set([0x42, 0x00, 0x78, 0x01]);
  new DataView(out.buffer).setUint32(4, inner.length);
  out.set(inner, 8);
  return out;
}
function expectDecodeError(bytes: Uint8Array, kind: TtlvDecodeError['kind'], limits?: { maxMessageBytes: number; maxDepth: number }): void {
  assert.throws(() => decodeTtlv(bytes, limits), (e: unknown) => e instanceof TtlvDecodeError && e.kind === kind);
}

/**
 * The examples of KMIP 1.4 §9.1.2 (all with tag 0x420020, Compromise Date), written out from the spec text;
 * PyKMIP's primitives encode the same bytes.
 */
const SPEC_VECTORS: readonly [string, TtlvItem, string][] = [
  ['an Integer containing the decimal value 8', { tag: 0x420020, type: 'Integer', value: 8 }, '42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00'],
  ['a Long Integer containing the decimal value 123456789000000000', { tag: 0x420020, type: 'LongInteger', value: 123456789000000000n }, '42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00'],
  ['a Big Integer containing the decimal value 1234567890000000000000000000', { tag: 0x420020, type: 'BigInteger', value: 1234567890000000000000000000n }, '42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00'],
  ['an Enumeration with value 255', { tag: 0x420020, type: 'Enumeration', value: 255 }, '42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00'],
  ['a Boolean with the value True', { tag: 0x420020, type: 'Boolean', value: true }, '42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01'],
  ['a Text String with the value "Hello World"', { tag: 0x420020, type: 'TextString', value: 'Hello World' }, '42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00'],
  ['a Byte String with the value { 0x01, 0x02, 0x03 }', { tag: 0x420020, type: 'ByteString', value: Uint8Array.of(1, 2, 3) }, '42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00'],
  ['a Date-Time containing Friday, March 14, 2008, 11:56:40 GMT', { tag: 0x420020, type: 'DateTime', value: 0x47da67f8n }, '42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8'],
  ['an Interval containing the value for 10 days', { tag: 0x420020, type: 'Interval', value: 864000 }, '42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00'],
  [
    'a Structure containing an Enumeration, value 254, followed by an Integer, value 255',
    { tag: 0x420020, type: 'Structure', value: [{ tag: 0x420004, type: 'Enumeration', value: 254 }, { tag: 0x420005, type: 'Integer', value: 255 }] },
    '42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00',
  ],
];

describe('TTLV known answers (KMIP 1.4 §9.1.2)', () => {
  for (const [name, item, bytes] of SPEC_VECTORS) {
    test(`encodes and decodes ${name}`, () => {
      assert.equal(toHex(encodeTtlv(item)), toHex(hex(bytes)));
      assert.deepEqual(decodeTtlv(inStructure(hex(bytes))).value[0], item);
    });
  }

  test('the Date-Time example is 2008-03-14T11:56:40Z', () => {
    assert.equal(new Date(0x47da67f8 * 1000).toISOString(), '2008-03-14T11:56:40.000Z');
  });

  test('encodes a Date-Time Extended (KMIP 2.0) as 8 bytes of microseconds', () => {
    const item: TtlvItem = { tag: 0x420020, type: 'DateTimeExtended', value: 1205495800000001n };
    assert.equal(toHex(encodeTtlv(item)), '4200200b00000008' + '000448645cefee01');
    assert.deepEqual(decodeTtlv(encodeTtlv(wrap(item))).value[0], item);
  });

  test('Big Integers are sign-extended two\'s complement in whole 8-byte words', () => {
    assert.equal(toHex(encodeTtlv({ tag: 0x420020, type: 'BigInteger', value: -1n })), '4200200400000008ffffffffffffffff');
    assert.equal(toHex(encodeTtlv({ tag: 0x420020, type: 'BigInteger', value: 0x80n })), '42002004000000080000000000000080');
    assert.equal(toHex(encodeTtlv({ tag: 0x420020, type: 'BigInteger', value: 2n ** 63n })), '42002004000000100000000000000000' + '8000000000000000');
  });

  test('Text Strings are measured in UTF-8 bytes, not characters', () => {
    const b = encodeTtlv({ tag: 0x420055, type: 'TextString', value: 'clé' });
    assert.equal(toHex(b.subarray(0, 8)), '4200550700000004');
    assert.equal(b.length, 16);
  });
});

/** fast-check's records may not be plain objects; the decoder's are, and deepEqual compares prototypes. */
const plain = (x: TtlvItem): TtlvItem => ({ ...x });

/** Any TTLV item, nested at most `depth` Structures deep, with values in each type's range. */
function itemArb(depth: number): fc.Arbitrary<TtlvItem> {
  const tag = fc.integer({ min: 0, max: 0xffffff });
  const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
  const leaves: fc.Arbitrary<TtlvItem>[] = [
    fc.record({ tag, type: fc.constant('Integer' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
    fc.record({ tag, type: fc.constant('LongInteger' as const), value: int64 }),
    fc.record({ tag, type: fc.constant('BigInteger' as const), value: fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }) }),
    fc.record({ tag, type: fc.constant('Enumeration' as const), value: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
    fc.record({ tag, type: fc.constant('Boolean' as const), value: fc.boolean() }),
    fc.record({ tag, type: fc.constant('TextString' as const), value: fc.string({ unit: 'grapheme', maxLength: 40 }) }),
    fc.record({ tag, type: fc.constant('ByteString' as const), value: fc.uint8Array({ maxLength: 40 }) }),
    fc.record({ tag, type: fc.constant('DateTime' as const), value: int64 }),
    fc.record({ tag, type: fc.constant('Interval' as const), value: fc.integer({ min: 0, max: 2 ** 32 - 1 }) }),
    fc.record({ tag, type: fc.constant('DateTimeExtended' as const), value: int64 }),
  ];
  if (depth === 0) return fc.oneof(...leaves).map(plain);
  const struct = fc.record({ tag, type: fc.constant('Structure' as const), value: fc.array(itemArb(depth - 1), { maxLength: 5 }) });
  return fc.oneof({ weight: 4, arbitrary: fc.oneof(...leaves) }, { weight: 1, arbitrary: struct }).map(plain);
}

describe('TTLV round trips', () => {
  test('decode(encode(x)) is x for any item up to depth 5, and the encoding is 8-byte aligned', () => {
    fc.assert(
      fc.property(fc.array(itemArb(4), { maxLength: 6 }), (children) => {
        const msg: TtlvStructure = { tag: 0x420078, type: 'Structure', value: children };
        const bytes = encodeTtlv(msg);
        assert.equal(bytes.length % 8, 0);
        assert.deepEqual(decodeTtlv(bytes), msg);
        assert.deepEqual(encodeTtlv(decodeTtlv(bytes)), bytes);
      }),
      { numRuns: 500 },
    );
  });

  test('refuses to encode values out of their type\'s range', () => {
    const bad: TtlvItem[] = [
      { tag: 0x420020, type: 'Integer', value: 2 ** 31 },
      { tag: 0x420020, type: 'Integer', value: 1.5 },
      { tag: 0x420020, type: 'Enumeration', value: -1 },
      { tag: 0x420020, type: 'Interval', value: 2 ** 32 },
      { tag: 0x420020, type: 'LongInteger', value: 2n ** 63n },
      { tag: 0x420020, type: 'DateTime', value: -(2n ** 63n) - 1n },
      { tag: 0x1000000, type: 'Boolean', value: true },
    ];
    for (const item of bad) assert.throws(() => encodeTtlv(item), TtlvEncodeError, JSON.stringify(item, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  });
});

describe('TTLV decoding refuses malformed input with a typed error', () => {
  test('a length that does not match the type', () => {
    expectDecodeError(inStructure(hex('420020 02 00000008 0000000800000000')), 'BadLength');
    expectDecodeError(inStructure(hex('420020 06 00000004 0000000100000000')), 'BadLength');
    expectDecodeError(inStructure(hex('420020 04 00000004 0000000100000000')), 'BadLength');
    expectDecodeError(inStructure(hex('420020 09 00000004 0000000100000000')), 'BadLength');
  });

  test('a structure whose length is not a multiple of 8', () => {
    expectDecodeError(hex('420078 01 00000004 00000000 00000000'), 'BadLength');
  });

  test('non-zero padding', () => {
    expectDecodeError(inStructure(hex('420020 02 00000004 0000000800000001')), 'NonZeroPadding');
    expectDecodeError(inStructure(hex('420020 07 00000001 41 00000000000001')), 'NonZeroPadding');
  });

  test('invalid UTF-8 in a Text String (overlong, lone surrogate, truncated sequence)', () => {
    for (const bad of ['c0af', 'eda080', 'e282']) {
      const len = bad.length / 2;
      const body = bad + '00'.repeat(8 - len);
      expectDecodeError(inStructure(hex(`420020 07 0000000${len} ${body}`)), 'InvalidUtf8');
    }
  });

  test('a Boolean that is neither 0 nor 1', () => {
    expectDecodeError(inStructure(hex('420020 06 00000008 0000000000000002')), 'InvalidBoolean');
  });

  test('an unknown type byte', () => {
    expectDecodeError(inStructure(hex('420020 0c 00000004 0000000800000000')), 'UnknownType');
    expectDecodeError(inStructure(hex('420020 00 00000004 0000000800000000')), 'UnknownType');
  });

  test('a child that overruns its structure, and a truncated message', () => {
    expectDecodeError(hex('420078 01 00000010 420020 02 00000004 0000000800000000 420020 02 00000004 00000008 00000000'), 'TrailingBytes');
    expectDecodeError(hex('420078 01 00000008 420020 08 00000010 0000000000000000'), 'Truncated');
    expectDecodeError(hex('420078 01 00000010 420020 02 00000004'), 'Truncated');
    expectDecodeError(hex('420078'), 'Truncated');
  });

  test('a declared length of 2^31 or more is refused, not padded to a negative end (fuzz regression: it looped to OOM)', () => {
    for (const len of ['80000000', '80000001', 'fffffff9', 'ffffffff']) {
      expectDecodeError(hex(`420078 01 00000010 420020 08 ${len} 0000000000000000`), 'Truncated');
      expectDecodeError(hex(`420078 01 00000010 420020 01 ${len === 'ffffffff' ? 'fffffff8' : '80000000'} 0000000000000000`), 'Truncated');
    }
  });

  test('a message that is not a Structure', () => {
    expectDecodeError(hex('420020 02 00000004 0000000800000000'), 'NotAStructure');
  });

  test('a message larger than the limit, and a nesting deeper than the limit', () => {
    const big = encodeTtlv(wrap({ tag: 0x420020, type: 'ByteString', value: new Uint8Array(100) }));
    expectDecodeError(big, 'MessageTooLarge', { maxMessageBytes: 64, maxDepth: 16 });
    let deep: TtlvStructure = { tag: 0x420020, type: 'Structure', value: [] };
    for (let i = 0; i < 16; i++) deep = { tag: 0x420020, type: 'Structure', value: [deep] };
    expectDecodeError(encodeTtlv(deep), 'TooDeep');
    assert.equal(decodeTtlv(encodeTtlv(deep), { maxMessageBytes: 1 << 20, maxDepth: 17 }).type, 'Structure');
  });

  test('a nesting of 200,000 structures is refused without exhausting the stack', () => {
    const n = 200_000;
    const bytes = new Uint8Array(8 * n);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      bytes.set([0x42, 0x00, 0x20, 0x01], 8 * i);
      view.setUint32(8 * i + 4, 8 * (n - i - 1));
    }
    expectDecodeError(bytes, 'MessageTooLarge');
    expectDecodeError(bytes, 'TooDeep', { maxMessageBytes: 8 * n, maxDepth: 16 });
  });

  test('decoded Byte Strings are copies, so zeroing the receive buffer does not change them', () => {
    const bytes = encodeTtlv(wrap({ tag: 0x420043, type: 'ByteString', value: Uint8Array.of(9, 9, 9) }));
    const decoded = decodeTtlv(bytes).value[0];
    bytes.fill(0);
    assert.deepEqual(decoded, { tag: 0x420043, type: 'ByteString', value: Uint8Array.of(9, 9, 9) });
  });
});

describe('TTLV framing', () => {
  const msg = (n: number): Uint8Array => encodeTtlv(wrap({ tag: 0x420020, type: 'ByteString', value: new Uint8Array(n).fill(n) }));

  test('returns whole messages however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 5 }), fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 20 }), (sizes, cuts) => {
        const msgs = sizes.map(msg);
        const stream = Buffer.concat(msgs);
        const framer = new TtlvFramer();
        const got: Uint8Array[] = [];
        let p = 0;
        for (const c of cuts) {
          got.push(...framer.push(stream.subarray(p, p + c)));
          p = Math.min(stream.length, p + c);
        }
        got.push(...framer.push(stream.subarray(p)));
        assert.deepEqual(got.map(toHex), msgs.map(toHex));
        assert.equal(framer.pending, 0);
      }),
      { numRuns: 300 },
    );
  });

  test('waits for the header and the declared length', () => {
    const framer = new TtlvFramer();
    const m = msg(3);
    assert.deepEqual(framer.push(m.subarray(0, 7)), []);
    assert.deepEqual(framer.push(m.subarray(7, m.length - 1)), []);
    assert.equal(framer.pending, m.length - 1);
    assert.deepEqual(framer.push(m.subarray(m.length - 1)).map(toHex), [toHex(m)]);
  });

  test('refuses a declared length above the limit as soon as the header arrives, and stays failed', () => {
    const framer = new TtlvFramer({ maxMessageBytes: 1024, maxDepth: 16 });
    const header = hex('420078 01 7ffffff8');
    assert.throws(() => framer.push(header), (e: unknown) => e instanceof TtlvDecodeError && e.kind === 'MessageTooLarge');
    assert.equal(framer.pending, 0);
    assert.throws(() => framer.push(msg(1)), (e: unknown) => e instanceof TtlvDecodeError && e.kind === 'MessageTooLarge');
  });

  test('refuses a stream that does not start with a Structure header', () => {
    assert.throws(() => new TtlvFramer().push(hex('420078 02 00000004')), (e: unknown) => e instanceof TtlvDecodeError && e.kind === 'NotAStructure');
    assert.throws(() => new TtlvFramer().push(hex('420078 01 00000004')), (e: unknown) => e instanceof TtlvDecodeError && e.kind === 'NotAStructure');
  });
});
