import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { SecretText } from '../../crypto/secret-text.js';
import { wireJson } from './wire.js';

/** The specification: convert blobs and dates, drop undefined members, then JSON.stringify. */
function reference(value: unknown): unknown {
  if (value instanceof SecretBytes) return value.expose().toString('base64');
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(reference);
  if (typeof value === 'object' && value !== null) {
    // No prototype: a member named `__proto__` stays a member.
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = reference(v);
    return out;
  }
  return value;
}

const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ maxLength: 64 }).map((b) => SecretBytes.copyOf(b)),
  fc.date({ noInvalidDate: true }),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 5 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 5 })),
})).node;

describe('wireJson', () => {
  it('is JSON.stringify of the converted output, for any output shape', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value, { maxKeys: 6 }), (output) => {
        const secrets: SecretBytes[] = [];
        const text = wireJson(output, secrets);
        assert.equal(text, JSON.stringify(reference(output)));
        assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(reference(output))));
      }),
      { numRuns: 500 },
    );
  });

  it('collects every SecretBytes it writes, so the caller can zero them after sending', () => {
    const a = SecretBytes.copyOf(Buffer.from('plaintext-a'));
    const b = SecretBytes.copyOf(Buffer.from('plaintext-b'));
    const secrets: SecretBytes[] = [];
    const text = wireJson({ Plaintext: a, Nested: [{ Key: b }], CiphertextBlob: Buffer.from('c'), When: new Date(1_500_000_000_000), Gone: undefined }, secrets);
    assert.deepEqual(secrets, [a, b]);
    assert.equal(text, `{"Plaintext":"${Buffer.from('plaintext-a').toString('base64')}","Nested":[{"Key":"${Buffer.from('plaintext-b').toString('base64')}"}],"CiphertextBlob":"Yw==","When":1500000000}`);
  });

  it('writes a SecretText as a JSON string (escaped like any string) and collects it for zeroing', () => {
    const t = SecretText.adopt(SecretBytes.copyOf(Buffer.from('wJal/rX"U+n')));
    const secrets: (SecretBytes | SecretText)[] = [];
    assert.equal(wireJson({ SecretAccessKey: t }, secrets), JSON.stringify({ SecretAccessKey: 'wJal/rX"U+n' }));
    assert.deepEqual(secrets, [t]);
  });
});
