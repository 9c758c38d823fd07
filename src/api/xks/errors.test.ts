import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES, KmsError } from '../../core/errors.js';
import { XKS_ERRORS, XKS_STATUS, xksErrorAnswer } from './errors.js';

describe('XKS error mapping', () => {
  test('every Arca error code maps to an XKS error name with the status of the spec', () => {
    for (const code of ERROR_CODES) assert.ok(XKS_STATUS[XKS_ERRORS[code]] >= 400, code);
    const cases = [
      ['ValidationFailed', 'ValidationException', 400],
      ['InvalidSignature', 'AuthenticationFailedException', 401],
      ['UnrecognizedClient', 'AuthenticationFailedException', 401],
      ['AccessDenied', 'AccessDeniedException', 403],
      ['KeyNotFound', 'KeyNotFoundException', 404],
      ['KeyDisabled', 'InvalidStateException', 400],
      ['InvalidKeyState', 'InvalidStateException', 400],
      ['InvalidCiphertext', 'InvalidCiphertextException', 400],
      ['InvalidKeyUsage', 'InvalidKeyUsageException', 400],
      ['Throttled', 'ThrottlingException', 429],
      ['UnsupportedOperation', 'UnsupportedOperationException', 501],
      ['Internal', 'InternalException', 500],
    ] as const;
    for (const [code, name, status] of cases) {
      const answer = xksErrorAnswer(new KmsError(code, 'x'));
      assert.deepEqual([answer.body.errorName, answer.status], [name, status], code);
    }
  });

  test('the status of every error name is the one of the spec table, so every code reaches the wire with a spec status', () => {
    // The spec's "Error codes" table, copied from xks_proxy_api_spec.md (not derived from XKS_STATUS).
    const spec = {
      ValidationException: 400,
      InvalidStateException: 400,
      InvalidCiphertextException: 400,
      InvalidKeyUsageException: 400,
      AuthenticationFailedException: 401,
      AccessDeniedException: 403,
      KeyNotFoundException: 404,
      InvalidUriPathException: 404,
      ThrottlingException: 429,
      UnsupportedOperationException: 501,
      DependencyTimeoutException: 503,
      InternalException: 500,
    };
    assert.deepEqual(XKS_STATUS, spec);
    for (const code of ERROR_CODES) {
      const answer = xksErrorAnswer(new KmsError(code, 'x'));
      assert.ok(Object.hasOwn(spec, answer.body.errorName), code);
      assert.equal(answer.status, spec[answer.body.errorName], code);
    }
  });

  test('an internal error says nothing of its cause; messages are printable ASCII under 512 characters', () => {
    assert.equal(xksErrorAnswer(new KmsError('Internal', 'at Object.<anonymous> (/src/x.ts:1:1)')).body.errorMessage, 'An internal error occurred.');
    const long = xksErrorAnswer(new KmsError('ValidationFailed', `é${'a'.repeat(600)}\n`)).body.errorMessage;
    assert.ok(long.length < 512 && /^[\x20-\x7e]*$/.test(long));
  });
});
