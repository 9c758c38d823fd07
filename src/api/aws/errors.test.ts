import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, KmsError } from '../../core/errors.js';
import { awsErrorResponse } from './handler.js';
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

  it('answers DryRunOperationException with HTTP 400, as AWS does', () => {
    assert.deepEqual(AWS_ERRORS.DryRunOperation, { type: 'DryRunOperationException', status: 400 });
  });

  it('sends the failed decryption, signature and MAC checks bare (no message), as AWS does, and nothing else', () => {
    const bare = ERROR_CODES.filter((code) => AWS_ERRORS[code].bare === true).sort();
    assert.deepEqual(bare, ['InvalidCiphertext', 'MacMismatch', 'SignatureMismatch']);
  });
});

describe('awsErrorResponse', () => {
  const body = (e: KmsError) => JSON.parse(awsErrorResponse(e, 'r').body.toString()) as Record<string, unknown>;

  it('carries the message, except for a bare code or a codeOnly error', () => {
    assert.deepEqual(body(new KmsError('KeyDisabled', 'k is disabled.')), { __type: 'DisabledException', message: 'k is disabled.' });
    assert.deepEqual(body(new KmsError('InvalidCiphertext', 'opaque')), { __type: 'InvalidCiphertextException' });
    assert.deepEqual(body(new KmsError('UnsupportedOperation', 'for the log', { codeOnly: true })), { __type: 'UnsupportedOperationException' });
  });
});
