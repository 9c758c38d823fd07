import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineOperation } from './operation.js';
import { OPERATIONS } from './registry.js';

describe('unauthenticated operations', () => {
  test('exactly GetSealStatus, Unseal and InitializeRoot run without authentication (and so while sealed)', () => {
    const open = OPERATIONS.filter((op) => op.authentication === 'none').map((op) => `${op.service}.${op.name}`).sort();
    assert.deepEqual(open, ['ArcaService.GetSealStatus', 'ArcaService.InitializeRoot', 'ArcaService.Unseal']);
  });

  test('exactly AssumeRoleWithWebIdentity authenticates from its input (\'token\'): unsigned, and a write audited in its transaction', () => {
    const token = OPERATIONS.filter((op) => op.authentication === 'token').map((op) => `${op.service}.${op.name}`);
    assert.deepEqual(token, ['AWSSecurityTokenServiceV20110615.AssumeRoleWithWebIdentity']);
  });

  test('an unauthenticated operation may not act on a key', () => {
    assert.throws(
      () =>
        defineOperation({
          service: 'ArcaService',
          name: 'Sneaky',
          description: 'A test operation.',
          effect: 'read',
          uses: [],
          authentication: 'none',
          input: z.object({ KeyId: z.string() }),
          keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
          execute: async () => ({}),
          auditRequest: () => ({}),
        }),
      /cannot act on keys/,
    );
  });
});
