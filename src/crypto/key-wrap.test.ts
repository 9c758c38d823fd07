import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeFields } from './encoding.js';
import { unwrapSecret, wrapSecret } from './key-wrap.js';
import { randomSecret } from './random.js';
import { SecretBytes } from './secret-bytes.js';

function flipBit(b: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(b);
  copy[bit >> 3] = (copy[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return copy;
}

describe('wrapSecret / unwrapSecret', () => {
  const wrappingKey = randomSecret(32);
  const secret = SecretBytes.copyOf(Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex'));
  const binding = encodeFields(['arca.key-material.v1', '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', 1, 'customer-key-version']);
  const wrapped = wrapSecret(wrappingKey, secret, binding);

  test('unwrap returns the wrapped secret', () => {
    assert.deepEqual(unwrapSecret(wrappingKey, wrapped, binding)?.expose(), secret.expose());
  });

  test('round trip holds for any secret and binding (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 100 }), (bytes, bind) => {
        const w = wrapSecret(wrappingKey, SecretBytes.copyOf(bytes), bind);
        assert.deepEqual(unwrapSecret(wrappingKey, w, bind)?.expose(), Buffer.from(bytes));
      }),
      { numRuns: 200 },
    );
  });

  test('the format is 0x01 | nonce (12) | ciphertext | tag (16), with a fresh nonce each time', () => {
    assert.equal(wrapped[0], 0x01);
    assert.equal(wrapped.length, 1 + 12 + secret.length + 16);
    const again = wrapSecret(wrappingKey, secret, binding);
    assert.notDeepEqual(again.subarray(1, 13), wrapped.subarray(1, 13));
    assert.notDeepEqual(again, wrapped);
  });

  test('unwrap with another binding is rejected (a value copied to another row does not unwrap)', () => {
    const others = [
      encodeFields(['arca.key-material.v1', '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0', 2, 'customer-key-version']),
      encodeFields(['arca.key-material.v1', '0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f1', 1, 'customer-key-version']),
      Buffer.alloc(0),
      binding.subarray(0, binding.length - 1),
      Buffer.concat([binding, Buffer.of(0)]),
    ];
    for (const other of others) assert.equal(unwrapSecret(wrappingKey, wrapped, other), undefined, other.toString('hex'));
  });

  test('unwrap with another wrapping key is rejected', () => {
    assert.equal(unwrapSecret(randomSecret(32), wrapped, binding), undefined);
    assert.equal(unwrapSecret(SecretBytes.copyOf(flipBit(wrappingKey.expose(), 255)), wrapped, binding), undefined);
  });

  test('every single-bit flip of a wrapped value is rejected', (t) => {
    const accepted: number[] = [];
    for (let bit = 0; bit < wrapped.length * 8; bit++) {
      if (unwrapSecret(wrappingKey, flipBit(wrapped, bit), binding) !== undefined) accepted.push(bit);
    }
    assert.deepEqual(accepted, []);
    t.diagnostic(`${wrapped.length * 8} bit flips rejected`);
  });

  test('every truncation, and an extension by one byte, is rejected', () => {
    for (let length = 0; length < wrapped.length; length++) {
      assert.equal(unwrapSecret(wrappingKey, wrapped.subarray(0, length), binding), undefined, `truncated to ${length} bytes`);
    }
    assert.equal(unwrapSecret(wrappingKey, Buffer.concat([wrapped, Buffer.of(0)]), binding), undefined);
  });
});
