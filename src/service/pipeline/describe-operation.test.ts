import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { describeOperation, memberDescription } from './describe-operation.js';
import { encrypt } from '../crypto-ops/encrypt.js';
import { defineOperation } from './operation.js';
import { keyIdParam } from './schemas.js';

describe('describeOperation', () => {
  it('lists an operation’s name, action, effect and each input member in order, required or not, with its description', () => {
    const d = describeOperation(encrypt);
    assert.equal(d.name, 'Encrypt');
    assert.equal(d.action, 'kms:Encrypt');
    assert.equal(d.effect, 'use');
    assert.equal(d.description, encrypt.description);
    assert.deepEqual(
      d.members.map((m) => [m.name, m.required]),
      [['KeyId', true], ['Plaintext', true], ['EncryptionContext', false], ['GrantTokens', false], ['EncryptionAlgorithm', false], ['DryRun', false]],
    );
    assert.equal(d.members.find((m) => m.name === 'Plaintext')?.description, 'The data to encrypt, 1 to 4096 bytes.');
  });

  it('finds a shared member’s description through optional and transforms, and lets the operation’s own override it', () => {
    const shared = 'Identifies the KMS key: its key ID or key ARN, or an alias name or alias ARN where the operation accepts one.';
    assert.equal(memberDescription(keyIdParam), shared);
    assert.equal(memberDescription(keyIdParam.optional()), shared);
    assert.equal(memberDescription(keyIdParam.optional().transform((v) => v ?? '')), shared);
    assert.equal(memberDescription(keyIdParam.describe('The other key.').optional()), 'The other key.');
    assert.equal(memberDescription(keyIdParam.optional().describe('Outside.')), 'Outside.');
    assert.equal(memberDescription(z.string()), undefined);
  });

  it('reads the members of an input refined or transformed as a whole', () => {
    const op = defineOperation({
      service: 'ArcaService',
      name: 'TestDescribe',
      description: 'A test operation.',
      effect: 'read',
      uses: [],
      input: z
        .object({ A: z.string().describe('Member A.'), B: z.number().optional() })
        .refine(() => true)
        .transform((i) => i),
      keys: {},
      execute: async () => ({}),
      auditRequest: () => ({}),
    });
    assert.deepEqual(describeOperation(op).members, [
      { name: 'A', required: true, description: 'Member A.' },
      { name: 'B', required: false, description: undefined },
    ]);
  });
});
