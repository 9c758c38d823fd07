import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { TtlvFramer } from './framing.js';
import { decodeRequestMessage, encodeProtocolVersion } from './messages.js';
import { OPERATION, TAG } from './tags.js';
import { decodeTtlv, encodeTtlv, TtlvDecodeError, type TtlvItem, type TtlvStructure } from './ttlv.js';

/**
 * Malformed TTLV never crashes the decoder (issue 22): for every input, decodeTtlv, decodeRequestMessage
 * and the framer either return or throw a TtlvDecodeError, and nothing else; each input is decoded within a
 * time bound. 12,000 cases in total across the generators below.
 */
const LIMITS = { maxMessageBytes: 64 * 1024, maxDepth: 16 };
const PER_CASE_MS = 250;

function outcome(bytes: Uint8Array): 'ok' | TtlvDecodeError['kind'] {
  const started = performance.now();
  let result: 'ok' | TtlvDecodeError['kind'] = 'ok';
  for (const run of [() => decodeTtlv(bytes, LIMITS), () => decodeRequestMessage(bytes, LIMITS)]) {
    try {
      run();
    } catch (e) {
      if (!(e instanceof TtlvDecodeError)) throw new Error(`decoder threw a non-TtlvDecodeError: ${String(e)}`);
      result = e.kind;
    }
  }
  try {
    const framer = new TtlvFramer(LIMITS);
    for (let p = 0; p < bytes.length; p += 7) framer.push(bytes.subarray(p, p + 7));
  } catch (e) {
    if (!(e instanceof TtlvDecodeError)) throw new Error(`framer threw a non-TtlvDecodeError: ${String(e)}`);
  }
  const took = performance.now() - started;
  assert.ok(took < PER_CASE_MS, `decoding ${bytes.length} bytes took ${took} ms`);
  return result;
}

const leaf: fc.Arbitrary<TtlvItem> = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((value): TtlvItem => ({ tag: TAG.CryptographicLength, type: 'Integer', value })),
  fc.integer({ min: 0, max: 0x40 }).map((value): TtlvItem => ({ tag: TAG.Operation, type: 'Enumeration', value })),
  fc.string({ maxLength: 20 }).map((value): TtlvItem => ({ tag: TAG.UniqueIdentifier, type: 'TextString', value })),
  fc.uint8Array({ maxLength: 20 }).map((value): TtlvItem => ({ tag: TAG.KeyMaterial, type: 'ByteString', value })),
  fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }).map((value): TtlvItem => ({ tag: TAG.KeyMaterial, type: 'BigInteger', value })),
  fc.boolean().map((value): TtlvItem => ({ tag: TAG.Sensitive, type: 'Boolean', value })),
  fc.bigInt({ min: 0n, max: 2n ** 40n }).map((value): TtlvItem => ({ tag: TAG.TimeStamp, type: 'DateTime', value })),
);
const tree: fc.Arbitrary<TtlvItem> = fc.letrec<{ item: TtlvItem }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('item'), { maxLength: 4 }).map((value): TtlvItem => ({ tag: TAG.Attribute, type: 'Structure', value })),
  ),
})).item;

/** A well-formed Request Message with random batch items (the base the mutations start from). */
const request: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.array(fc.tuple(fc.constantFrom(...Object.values(OPERATION), 0x99), fc.array(tree, { maxLength: 3 })), { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 3 }))
  .map(([items, minor]) => {
    const header: TtlvStructure = {
      tag: TAG.RequestHeader,
      type: 'Structure',
      value: [encodeProtocolVersion({ major: 1, minor }), { tag: TAG.BatchCount, type: 'Integer', value: items.length }],
    };
    const batch = items.map(([op, payload]): TtlvItem => ({
      tag: TAG.BatchItem,
      type: 'Structure',
      value: [{ tag: TAG.Operation, type: 'Enumeration', value: op }, { tag: TAG.RequestPayload, type: 'Structure', value: payload }],
    }));
    return encodeTtlv({ tag: TAG.RequestMessage, type: 'Structure', value: [header, ...batch] });
  });

describe('TTLV fuzzing: malformed input gives a value or a TtlvDecodeError, never a crash or a hang', () => {
  test('the well-formed base messages decode', () => {
    fc.assert(fc.property(request, (bytes) => assert.equal(outcome(bytes), 'ok')), { numRuns: 500 });
  });

  test('random bytes (3,000 cases), half of them behind a Structure header', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (body, withHeader) => {
        if (!withHeader) return void outcome(body);
        const bytes = new Uint8Array(8 + body.length);
        bytes.set([0x42, 0x00, 0x78, 0x01]);
        new DataView(bytes.buffer).setUint32(4, body.length);
        bytes.set(body, 8);
        outcome(bytes);
      }),
      { numRuns: 3000 },
    );
  });

  test('truncations of valid messages (1,500 cases) are refused', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(request, fc.nat(), (bytes, cut) => {
        const n = cut % bytes.length;
        const kind = outcome(bytes.subarray(0, n));
        assert.notEqual(kind, 'ok');
      }),
      { numRuns: 1500 },
    );
  });

  test('wrong and huge lengths written over any length field (2,000 cases)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(request, fc.nat(), fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0xffffffff, 0x7ffffff8, 0x80000000, 1, 3, 9)), (bytes, at, length) => {
        const copy = bytes.slice();
        const headers: number[] = [];
        for (let p = 0; p + 8 <= copy.length; p += 8) if (copy[p] === 0x42) headers.push(p);
        const p = headers[at % headers.length] ?? 0;
        new DataView(copy.buffer).setUint32(p + 4, length);
        outcome(copy);
      }),
      { numRuns: 2000 },
    );
  });

  test('flipped bytes anywhere: types, tags, padding, values (2,500 cases)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(request, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (bytes, flips) => {
        const copy = bytes.slice();
        for (const [at, v] of flips) copy[at % copy.length] = v;
        outcome(copy);
      }),
      { numRuns: 2500 },
    );
  });

  test('non-zero padding after a short value is refused (1,000 cases)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 7 }), fc.integer({ min: 1, max: 255 }), fc.nat(), (value, junk, where) => {
        const msg = encodeTtlv({ tag: TAG.RequestMessage, type: 'Structure', value: [{ tag: TAG.KeyMaterial, type: 'ByteString', value }] });
        const padStart = 16 + value.length;
        msg[padStart + (where % (8 - value.length))] = junk;
        assert.equal(outcome(msg), 'NonZeroPadding');
      }),
      { numRuns: 1000 },
    );
  });

  test('invalid UTF-8 in a Text String is refused (1,000 cases)', { timeout: 60_000 }, () => {
    const invalid = fc.constantFrom([0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xf8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xf4, 0x90, 0x80, 0x80]);
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), invalid, fc.string({ maxLength: 10 }), (a, bad, b) => {
        const raw = Uint8Array.from([...Buffer.from(a), ...bad, ...Buffer.from(b)]);
        const msg = encodeTtlv({ tag: TAG.RequestMessage, type: 'Structure', value: [{ tag: TAG.UniqueIdentifier, type: 'ByteString', value: raw }] });
        msg[11] = 0x07; // the child's type byte: Byte String → Text String, same length and padding
        assert.equal(outcome(msg), 'InvalidUtf8');
      }),
      { numRuns: 1000 },
    );
  });

  test('deep nesting at and beyond the limit (500 cases)', { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (depth) => {
        const bytes = new Uint8Array(8 * depth);
        const view = new DataView(bytes.buffer);
        for (let i = 0; i < depth; i++) {
          bytes.set([0x42, 0x00, 0x08, 0x01], 8 * i);
          view.setUint32(8 * i + 4, 8 * (depth - i - 1));
        }
        const kind = outcome(bytes);
        if (depth > LIMITS.maxDepth && 8 * depth <= LIMITS.maxMessageBytes) assert.equal(kind, 'TooDeep');
        if (depth <= LIMITS.maxDepth) assert.notEqual(kind, 'TooDeep');
      }),
      { numRuns: 500 },
    );
  });
});
