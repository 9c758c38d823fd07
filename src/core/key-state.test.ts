import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from './errors.js';
import { KEY_STATES, type KeyRecord, type KeyState } from './key.js';
import { checkKeyState, KEY_STATE_TABLE, stateAnswer, type KeyAccess } from './key-state.js';

const ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function keyIn(state: KeyState): KeyRecord {
  return {
    id: '1234abcd-12ab-34cd-56ef-1234567890ab',
    region: 'us-east-1',
    createdAt: new Date(0),
    description: '',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    state,
    primaryVersion: 1,
    policy: '{}',
  };
}

function answer(state: KeyState, access: KeyAccess, operation?: string): string {
  try {
    checkKeyState(keyIn(state), ARN, access, operation);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof KmsError);
    return `${e.code}: ${e.message}`;
  }
}

/** Cells of AWS's "Key states of AWS KMS keys" table, written out by hand (not derived from the table). */
describe('the key state table says what AWS says', () => {
  it('cryptography needs an Enabled key: Disabled is DisabledException, the others KMSInvalidStateException', () => {
    assert.equal(answer('Enabled', 'use', 'Encrypt'), 'ok');
    assert.equal(answer('Disabled', 'use', 'Decrypt'), `KeyDisabled: ${ARN} is disabled.`);
    assert.equal(answer('PendingDeletion', 'use', 'GenerateDataKey'), `InvalidKeyState: ${ARN} is pending deletion.`);
    assert.equal(answer('PendingImport', 'use', 'ReEncrypt'), `InvalidKeyState: ${ARN} is pending import.`);
    assert.equal(answer('Unavailable', 'use', 'Encrypt'), `InvalidKeyState: ${ARN} is unavailable.`);
  });

  it('DescribeKey, DeleteAlias and the read-only operations work in every state', () => {
    for (const state of KEY_STATES) {
      assert.equal(answer(state, 'read', 'DescribeKey'), 'ok');
      assert.equal(answer(state, 'read', 'GetKeyRotationStatus'), 'ok');
    }
  });

  it('a key pending deletion cannot be changed, enabled, disabled or scheduled again', () => {
    for (const [access, op] of [['manage', 'UpdateKeyDescription'], ['manage', 'CreateAlias'], ['manage', 'TagResource'], ['enable', 'EnableKey'], ['disable', 'DisableKey'], ['manage', 'ScheduleKeyDeletion']] as const) {
      assert.equal(answer('PendingDeletion', access, op), `InvalidKeyState: ${ARN} is pending deletion.`, op);
    }
  });

  it('CancelKeyDeletion is allowed only while the deletion is pending', () => {
    assert.equal(answer('PendingDeletion', 'manage', 'CancelKeyDeletion'), 'ok');
    for (const state of ['Enabled', 'Disabled', 'PendingImport', 'Unavailable'] as const) {
      assert.equal(answer(state, 'manage', 'CancelKeyDeletion'), `InvalidKeyState: ${ARN} is not pending deletion.`);
    }
  });

  it('rotation settings and on-demand rotation need an Enabled key (Disabled: DisabledException)', () => {
    for (const op of ['EnableKeyRotation', 'DisableKeyRotation', 'RotateKeyOnDemand']) {
      assert.equal(answer('Enabled', 'manage', op), 'ok');
      assert.equal(answer('Disabled', 'manage', op), `KeyDisabled: ${ARN} is disabled.`);
      assert.equal(answer('PendingDeletion', 'manage', op), `InvalidKeyState: ${ARN} is pending deletion.`);
    }
  });

  it('a Disabled key can still be managed and enabled', () => {
    assert.equal(answer('Disabled', 'manage', 'UpdateKeyDescription'), 'ok');
    assert.equal(answer('Disabled', 'enable', 'EnableKey'), 'ok');
    assert.equal(answer('Disabled', 'manage', 'ScheduleKeyDeletion'), 'ok');
  });

  it('an operation without exceptions follows its access kind row', () => {
    for (const state of KEY_STATES) for (const access of Object.keys(KEY_STATE_TABLE) as KeyAccess[]) {
      assert.equal(stateAnswer(state, access, 'SomeFutureOperation'), KEY_STATE_TABLE[access][state]);
    }
  });
});
