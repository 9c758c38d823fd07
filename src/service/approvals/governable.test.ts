import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { decodeInput, encodeInput } from '../pipeline/input-codec.js';
import { OPERATIONS } from '../pipeline/registry.js';
import { changesState } from '../pipeline/state-changes.js';
import { GOVERNABLE_OPERATIONS } from './governable.js';

const byName = new Map(OPERATIONS.map((op) => [op.name, op]));

/** What ExecuteApproved does with a held input: encode the validated input, decode it, validate it again. */
function replayed(name: string, raw: unknown): { first: unknown; again: unknown } {
  const op = byName.get(name);
  assert.ok(op !== undefined, name);
  const first = op.input.parse(raw);
  return { first, again: op.input.parse(decodeInput(encodeInput(first))) };
}

describe('governable operations and their replay (issue 18)', () => {
  it('every governable operation is a registered write that changes state; none of the cryptographic ones is', () => {
    for (const name of GOVERNABLE_OPERATIONS) {
      const op = byName.get(name);
      assert.ok(op !== undefined && changesState(op) && op.authentication === 'required', name);
    }
    for (const name of ['Encrypt', 'Decrypt', 'GenerateDataKey', 'Sign', 'CreateAccessKey', 'EnableMfaDevice']) assert.ok(!GOVERNABLE_OPERATIONS.has(name), name);
  });

  it('inputs with bytes, times, transforms and defaults come back as the same validated input', () => {
    const cases: [string, unknown][] = [
      ['ImportKeyMaterial', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', ImportToken: Buffer.from([1, 2, 3]), EncryptedKeyMaterial: Buffer.alloc(32, 7), ValidTo: 2_000_000_000.5, ExpirationModel: 'KEY_MATERIAL_EXPIRES' }],
      ['CreateGrant', { KeyId: 'alias/x', GranteePrincipal: 'arn:aws:iam::111122223333:user/bob', Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { dept: 'records' } } }],
      ['RetireGrant', { KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', GrantId: 'a'.repeat(64) }],
      ['ScheduleKeyDeletion', { KeyId: 'k', PendingWindowInDays: 7 }],
      ['PutKeyPolicy', { KeyId: 'k', PolicyName: 'default', Policy: '{"Version":"2012-10-17","Statement":[]}' }],
    ];
    for (const [name, raw] of cases) {
      const { first, again } = replayed(name, raw);
      assert.deepEqual(again, first, name);
    }
  });

  it('refuses to encode a secret', () => {
    const secret = SecretBytes.copyOf(Buffer.from('plaintext'));
    try {
      assert.throws(() => encodeInput({ Plaintext: secret }), /cannot be held for approval/);
    } finally {
      secret.dispose();
    }
  });
});
