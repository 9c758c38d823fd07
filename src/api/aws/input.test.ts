import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { blob, invalidInputError } from '../../service/pipeline/schemas.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import { OPERATIONS } from '../../service/pipeline/registry.js';
import { awsInvalidInput, awsMemberPath, byteMembers, decodeCanonicalBase64, parseAwsInput, wireSchema } from './input.js';

const validationError = (e: z.ZodError) => awsInvalidInput(invalidInputError(e));

describe('base64 blobs', () => {
  const schema = wireSchema(z.object({ B: blob(0, 100) }));
  const accepts = (v: string) => schema.safeParse({ B: v }).success;

  it('accepts canonical base64 with and without padding', () => {
    for (const v of ['', 'AAAA', 'AA==', 'AAA=', 'aGVsbG8=', '+/+/']) assert.ok(accepts(v), v);
  });

  it('refuses bad lengths, misplaced padding, whitespace and other alphabets', () => {
    for (const v of ['A', 'AA', 'AAA', 'A===', 'AA=A', '=AAA', 'AA AA', 'AAAA\n', 'aGVsbG8', '-_-_', 'AAA*']) assert.ok(!accepts(v), v);
  });

  it('decodes exactly the strings the canonical base64 pattern accepts (random strings over a hostile alphabet)', () => {
    const pattern = (v: string) => v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v);
    const unit = fc.constantFrom(...'AQgw+/=-_ \n\t\u0000.é*'.split(''), 'Zz9');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }).map((parts) => parts.join('')), (v) => {
        const decoded = decodeCanonicalBase64(v);
        assert.equal(decoded !== undefined, pattern(v), JSON.stringify(v));
        if (decoded !== undefined) assert.deepEqual(decoded, Buffer.from(v, 'base64'));
      }),
      { numRuns: 20_000 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => assert.deepEqual(decodeCanonicalBase64(Buffer.from(b).toString('base64')), Buffer.from(b))));
  });

  it('reports undecodable base64 as a SerializationException and lengths as a ValidationException', () => {
    const bad = schema.safeParse({ B: 'AAA' });
    assert.ok(!bad.success);
    assert.equal(validationError(bad.error).code, 'SerializationFailed');
    const long = wireSchema(z.object({ B: blob(1, 2) })).safeParse({ B: 'AAAA' });
    assert.ok(!long.success);
    const e = validationError(long.error);
    assert.equal(e.code, 'ValidationFailed');
    assert.match(e.message, /Value at 'b' failed to satisfy constraint: Member must have length less than or equal to 2/);
  });
});

describe('byte members derived from the operation schemas', () => {
  const members = (name: string) => byteMembers(OPERATIONS.find((o) => o.name === name)!.input);

  it('finds the members AWS sends as base64: direct, optional and arrays of bytes', () => {
    assert.deepEqual(members('Encrypt'), ['Plaintext']);
    assert.deepEqual(members('Decrypt'), ['CiphertextBlob']);
    assert.deepEqual(members('VerifyMac'), ['Message', 'Mac']);
    assert.deepEqual(members('Unseal'), ['Share']);
    assert.deepEqual(members('Rekey'), ['CurrentShares']);
    assert.deepEqual(members('DescribeKey'), []);
  });

  it('decodes a secret member into SecretBytes and keeps an array’s own limits', () => {
    const rekey = OPERATIONS.find((o) => o.name === 'Rekey')!.input;
    const share = Buffer.alloc(16, 7).toString('base64');
    const parsed = parseAwsInput(rekey, { CurrentShares: [share] }) as { CurrentShares: unknown[] };
    assert.ok(parsed.CurrentShares[0] instanceof SecretBytes);
    const tooMany = wireSchema(rekey).safeParse({ CurrentShares: Array.from({ length: 17 }, () => share) });
    assert.ok(!tooMany.success);
    assert.equal(validationError(tooMany.error).code, 'ValidationFailed');
  });

  it('words violations thrown below the transport the AWS way, counted', () => {
    const e = awsInvalidInput(new KmsError('ValidationFailed', 'x', { violations: [{ member: 'a', constraint: 'c1' }, { member: 'b', value: null, constraint: 'c2' }] }));
    assert.equal(e.message, "2 validation errors detected: Value at 'a' failed to satisfy constraint: c1; Value null at 'b' failed to satisfy constraint: c2");
  });

  it('names list elements as AWS does: 1-based, with .member (tags.1.member.tagKey)', () => {
    assert.equal(awsMemberPath('tags.0.tagKey'), 'tags.1.member.tagKey');
    assert.equal(awsMemberPath('grantTokens.9'), 'grantTokens.10.member');
    assert.equal(awsMemberPath('keyId'), 'keyId');
  });
});

describe('AWS validation messages from the operation schemas', () => {
  const op = (name: string) => OPERATIONS.find((o) => o.name === name)!.input;
  const message = (name: string, body: unknown) => {
    try {
      parseAwsInput(op(name), body);
    } catch (e) {
      assert.ok(e instanceof KmsError);
      return awsInvalidInput(e).message;
    }
    return assert.fail('the input was accepted');
  };

  it('quotes a number or string the caller sent', () => {
    assert.equal(message('GenerateRandom', { NumberOfBytes: 0 }), "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assert.match(message('CreateKey', { Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] }), /^1 validation error detected: Value 'v{257}' at 'tags\.1\.member\.tagValue' failed/);
  });

  it('lists an enum’s values as [A, B]', () => {
    assert.equal(message('CreateKey', { KeyUsage: 'RANDOM' }), "1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT, ENCAPSULATE_DECAPSULATE]");
  });

  it('names a missing enum member as missing (Value null ... Member must not be null), not as outside its set', () => {
    assert.equal(message('GetParametersForImport', { KeyId: 'k', WrappingKeySpec: 'RSA_2048' }), "1 validation error detected: Value null at 'wrappingAlgorithm' failed to satisfy constraint: Member must not be null");
  });

  it('never quotes bytes or a sensitive member (grant tokens)', () => {
    assert.equal(message('Encrypt', { KeyId: 'k', Plaintext: Buffer.alloc(4097).toString('base64') }), "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    const token = 't'.repeat(8193);
    const m = message('Encrypt', { KeyId: 'k', Plaintext: 'AA==', GrantTokens: [token] });
    assert.ok(!m.includes(token), m);
    assert.match(m, /Value at 'grantTokens\.1\.member'/);
  });

  it('joins several errors with "; " under their count', () => {
    assert.match(message('GenerateRandom', { NumberOfBytes: 0, CustomKeyStoreId: '' }), /^2 validation errors detected: Value '0' at 'numberOfBytes' .*; Value '' at 'customKeyStoreId' /);
  });
});
