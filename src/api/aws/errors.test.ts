import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES } from '../../core/errors.js';
import { AWS_ERRORS } from './errors.js';

describe('AWS_ERRORS', () => {
  it('maps exactly the codes of the error registry', () => {
    assert.deepEqual(Object.keys(AWS_ERRORS).sort(), [...ERROR_CODES].sort());
  });

  for (const code of ERROR_CODES) {
    it(`maps ${code} to an AWS exception name with a 4xx or 5xx status`, () => {
      const { type, status } = AWS_ERRORS[code];
      assert.match(type, /^[A-Z][A-Za-z]*Exception$/);
      assert.ok(Number.isInteger(status) && status >= 400 && status <= 599, `status ${status}`);
    });
  }

  it('answers Sealed as a 503 KMSInternalException', () => {
    assert.deepEqual(AWS_ERRORS.Sealed, { type: 'KMSInternalException', status: 503 });
  });

  it('answers Internal as a 500 KMSInternalException', () => {
    assert.deepEqual(AWS_ERRORS.Internal, { type: 'KMSInternalException', status: 500 });
  });

  it('answers a sealed service and a failing store as 503 KMSInternalException: retry elsewhere or later', () => {
    for (const code of ['Sealed', 'StorageUnavailable'] as const) assert.deepEqual(AWS_ERRORS[code], { type: 'KMSInternalException', status: 503 });
  });

  it('answers client errors below 500, so SDKs do not retry them', () => {
    for (const code of ERROR_CODES) {
      if (code === 'Sealed' || code === 'Internal' || code === 'StorageUnavailable') continue;
      assert.ok(AWS_ERRORS[code].status < 500, `${code} is ${AWS_ERRORS[code].status}`);
    }
  });

  it('uses the AWS KMS names for the errors AWS clients branch on', () => {
    assert.equal(AWS_ERRORS.KeyNotFound.type, 'NotFoundException');
    assert.equal(AWS_ERRORS.KeyDisabled.type, 'DisabledException');
    assert.equal(AWS_ERRORS.InvalidKeyState.type, 'KMSInvalidStateException');
    assert.equal(AWS_ERRORS.InvalidCiphertext.type, 'InvalidCiphertextException');
    assert.equal(AWS_ERRORS.InvalidSignature.type, 'InvalidSignatureException');
    assert.equal(AWS_ERRORS.UnrecognizedClient.type, 'UnrecognizedClientException');
  });
});
