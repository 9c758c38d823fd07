import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { format, inspect } from 'node:util';
import { SecretBytes } from './secret-bytes.js';

/** A recognisable secret: if any of its spellings shows up in output, the redaction leaked. */
const CANARY = Buffer.from('canary-7f3a9c-do-not-print', 'utf8');
const SPELLINGS = [
  CANARY.toString('utf8'),
  CANARY.toString('hex'),
  CANARY.toString('base64'),
  CANARY.toString('base64url'),
  // How util.inspect prints a Buffer: `<Buffer 63 61 6e ...>`.
  [...CANARY.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
  // How JSON.stringify prints a Buffer: `{"type":"Buffer","data":[99,97,...]}`.
  [...CANARY.subarray(0, 8)].join(','),
];

function assertRedacted(output: string, how: string): void {
  for (const spelling of SPELLINGS) assert.ok(!output.includes(spelling), `${how} printed the secret: ${output}`);
  assert.ok(output.includes('[redacted]'), `${how} should say [redacted]: ${output}`);
}

describe('SecretBytes never prints its bytes', () => {
  const secret = SecretBytes.copyOf(CANARY);

  test('String(), toString() and concatenation print [redacted]', () => {
    assert.equal(String(secret), '[redacted]');
    assert.equal(secret.toString(), '[redacted]');
    assertRedacted('' + secret, 'string concatenation');
  });

  test('template literals print [redacted]', () => {
    assert.equal(`${secret}`, '[redacted]');
    assertRedacted(new Error(`failed for ${secret}`).message, 'an error message');
  });

  test('JSON.stringify prints [redacted], alone and nested', () => {
    assert.equal(JSON.stringify(secret), '"[redacted]"');
    assertRedacted(JSON.stringify({ request: { plaintext: secret, list: [secret] } }), 'nested JSON.stringify');
  });

  test('util.inspect and console-style formatting print [redacted], however deep and however configured', () => {
    assert.equal(inspect(secret), 'SecretBytes([redacted])');
    assertRedacted(inspect({ a: { b: { c: secret } } }, { depth: Infinity }), 'nested inspect');
    assertRedacted(inspect(secret, { showHidden: true, depth: Infinity, getters: true }), 'inspect with showHidden');
    assertRedacted(format('%s %o %O %j', secret, secret, secret, { secret }), 'util.format');
  });

  test('inspect without custom inspectors shows no private bytes either', () => {
    // Private fields are invisible to inspect; this pins it, since the [redacted] output is then gone.
    const output = inspect(secret, { customInspect: false, showHidden: true, depth: Infinity });
    for (const spelling of SPELLINGS) assert.ok(!output.includes(spelling), output);
  });

  test('the bytes are still there for expose()', () => {
    assert.deepEqual(secret.expose(), CANARY);
    assert.equal(secret.length, CANARY.length);
  });
});

describe('SecretBytes lifecycle', () => {
  test('expose after dispose throws', () => {
    const secret = SecretBytes.copyOf(CANARY);
    secret.dispose();
    assert.equal(secret.disposed, true);
    assert.throws(() => secret.expose(), /after dispose/);
  });

  test('dispose zeroes the adopted buffer and every view previously exposed', () => {
    const owned = Buffer.from(CANARY);
    const secret = SecretBytes.adopt(owned);
    const exposed = secret.expose();
    secret.dispose();
    assert.ok(owned.every((b) => b === 0), 'the adopted buffer is zeroed');
    assert.ok(exposed.every((b) => b === 0), 'a view exposed before dispose is zeroed');
    assert.equal(owned.length, CANARY.length);
  });

  test('dispose is idempotent', () => {
    const secret = SecretBytes.copyOf(CANARY);
    secret.dispose();
    assert.doesNotThrow(() => secret.dispose());
    assert.equal(secret.disposed, true);
  });

  test('copyOf copies: the caller keeps its buffer and dispose does not touch it', () => {
    const mine = Buffer.from(CANARY);
    const secret = SecretBytes.copyOf(mine);
    mine.fill(0x41);
    assert.deepEqual(secret.expose(), CANARY);
    secret.dispose();
    assert.ok(mine.every((b) => b === 0x41));
  });

  test('a `using` declaration disposes at the end of its scope', () => {
    const owned = Buffer.from(CANARY);
    let escaped: SecretBytes | undefined;
    {
      using secret = SecretBytes.adopt(owned);
      escaped = secret;
      assert.equal(secret.disposed, false);
    }
    assert.equal(escaped.disposed, true);
    assert.ok(owned.every((b) => b === 0));
  });
});
