import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPERATIONS } from './registry.js';

describe('the operation registry', () => {
  it('every operation describes itself in one line under 200 characters', () => {
    const bad = OPERATIONS.filter((op) => op.description.trim() === '' || op.description.length >= 200 || /[\r\n]/.test(op.description));
    assert.deepEqual(bad.map((op) => `${op.service}.${op.name}`), []);
  });

  it('exactly the operations AWS KMS documents a DryRun parameter for declare dryRun (an undeclared one would execute a DryRun)', () => {
    const aws = [
      'CreateGrant', 'Decrypt', 'DeriveSharedSecret', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
      'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'RetireGrant', 'RevokeGrant', 'Sign', 'Verify', 'VerifyMac',
    ];
    assert.deepEqual(OPERATIONS.filter((op) => op.acceptsDryRun).map((op) => op.name).sort(), aws);
  });
});
