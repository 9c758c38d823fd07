import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { blob, validationError } from './schemas.js';

describe('base64 blobs', () => {
  const schema = z.object({ B: blob(0, 100) });
  const accepts = (v: string) => schema.safeParse({ B: v }).success;

  it('accepts canonical base64 with and without padding', () => {
    for (const v of ['', 'AAAA', 'AA==', 'AAA=', 'aGVsbG8=', '+/+/']) assert.ok(accepts(v), v);
  });

  it('refuses bad lengths, misplaced padding, whitespace and other alphabets', () => {
    for (const v of ['A', 'AA', 'AAA', 'A===', 'AA=A', '=AAA', 'AA AA', 'AAAA\n', 'aGVsbG8', '-_-_', 'AAA*']) assert.ok(!accepts(v), v);
  });

  it('reports undecodable base64 as a SerializationException and lengths as a ValidationException', () => {
    const bad = schema.safeParse({ B: 'AAA' });
    assert.ok(!bad.success);
    assert.equal(validationError(bad.error).code, 'SerializationFailed');
    const long = z.object({ B: blob(1, 2) }).safeParse({ B: 'AAAA' });
    assert.ok(!long.success);
    const e = validationError(long.error);
    assert.equal(e.code, 'ValidationFailed');
    assert.match(e.message, /Value at 'b' failed to satisfy constraint: Member must have length less than or equal to 2/);
  });
});
