import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../core/errors.js';
import { defineOperation, operationAction } from './operation.js';
import { secretBlob } from './schemas.js';

/** A test operation whose input schema records every secret it creates. */
function operationCapturing(secrets: SecretBytes[], refThrows: boolean) {
  return defineOperation({
    service: 'ArcaService',
    name: 'TestSecrets',
    description: 'A test operation.',
    effect: 'read',
    input: z.object({
      Plaintext: secretBlob(1, 64).transform((s) => (secrets.push(s), s)),
      Nested: z.array(z.object({ Secret: secretBlob(1, 64).transform((s) => (secrets.push(s), s)) })).optional(),
    }),
    keys: {
      key: {
        required: false,
        ref: () => {
          if (refThrows) throw new KmsError('InvalidCiphertext', 'bad blob');
          return undefined;
        },
        access: 'use',
        allowAlias: false,
      },
    },
    async execute() {
      return {};
    },
    auditRequest: () => ({}),
  });
}

const input = { Plaintext: Buffer.from('secret one').toString('base64'), Nested: [{ Secret: Buffer.from('secret two').toString('base64') }] };

describe('bound calls and input secrets', () => {
  it('dispose() zeroes every secret of the parsed input, nested ones included', () => {
    const secrets: SecretBytes[] = [];
    const call = operationCapturing(secrets, false).bind(input);
    assert.equal(secrets.length, 2);
    assert.ok(secrets.every((s) => !s.disposed));
    call.dispose();
    assert.ok(secrets.every((s) => s.disposed));
  });

  it('a key reference that fails after parsing still zeroes the input secrets', () => {
    const secrets: SecretBytes[] = [];
    assert.throws(() => operationCapturing(secrets, true).bind(input), (e: unknown) => e instanceof KmsError && e.code === 'InvalidCiphertext');
    assert.equal(secrets.length, 2);
    assert.ok(secrets.every((s) => s.disposed));
  });
});

describe('derived IAM action', () => {
  it('is kms:<Name> for AWS KMS operations and arca:<Name> for Arca’s own', () => {
    assert.equal(operationAction('TrentService', 'Encrypt'), 'kms:Encrypt');
    assert.equal(operationAction('ArcaService', 'CreatePrincipal'), 'arca:CreatePrincipal');
    assert.equal(operationCapturing([], false).action, 'arca:TestSecrets');
  });
});
