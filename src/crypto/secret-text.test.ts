import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { SecretBytes } from './secret-bytes.js';
import { SecretText } from './secret-text.js';

describe('SecretText', () => {
  it('never prints its text, whatever converts it', () => {
    const t = SecretText.adopt(SecretBytes.copyOf(Buffer.from('wJalrXUtnFEMI')));
    assert.equal(String(t), '[redacted]');
    assert.equal(`${t}`, '[redacted]');
    assert.equal(JSON.stringify({ t }), '{"t":"[redacted]"}');
    assert.doesNotMatch(inspect(t), /wJalr/);
  });

  it('zeroes the bytes it adopted when disposed, and refuses to expose them after', () => {
    const bytes = Buffer.from('wJalrXUtnFEMI');
    const t = SecretText.adopt(SecretBytes.adopt(bytes));
    assert.equal(t.expose().toString('utf8'), 'wJalrXUtnFEMI');
    t.dispose();
    assert.ok(t.disposed);
    assert.ok(bytes.every((b) => b === 0));
    assert.throws(() => t.expose());
  });
});
