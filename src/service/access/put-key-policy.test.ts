import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../test/helpers/operation-harness.js';
import { arnOf, assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

/** A key policy giving the account root everything, and `extra` statements. */
function policy(h: Harness, ...extra: object[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${h.realm.account}:root` }, Action: 'kms:*', Resource: '*' }, ...extra],
  });
}

describe('PutKeyPolicy (operation spec)', () => {
  let h: Harness;
  let keyId: string;
  let bob: HarnessPrincipal;
  before(async () => {
    h = await harness();
    keyId = await h.key();
    bob = await h.principal('bob');
  });
  after(() => h.close());

  it('replaces the key policy, which then decides (GetKeyPolicy returns it), and records a success naming the key', async () => {
    await expectFailure(h, 'DescribeKey', { KeyId: keyId }, 'AccessDenied', { as: bob });
    const doc = policy(h, { Sid: 'bob', Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:DescribeKey', Resource: '*' });
    await h.ok('PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: doc });
    const event = assertAudited(h, { eventName: 'PutKeyPolicy', keyArn: arnOf(h, keyId), principal: h.admin });
    assert.equal(event.requestParameters?.['policyName'], 'default');
    assert.equal((await h.ok('GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' }))['Policy'], doc);
    await h.ok('DescribeKey', { KeyId: keyId }, { as: bob });
  });

  it('refuses a caller without rights with AccessDenied, and records the failure', async () => {
    await expectFailure(h, 'PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: policy(h) }, 'AccessDenied', { as: await outsider(h) });
  });

  it('refuses a policy that would lock the caller out (MalformedPolicyDocument), unless the check is bypassed', async () => {
    const key = await h.key();
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:DescribeKey', Resource: '*' }] });
    await expectFailure(h, 'PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: lockout }, 'MalformedPolicyDocument');
    await h.ok('PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: lockout, BypassPolicyLockoutSafetyCheck: true });
  });

  it('refuses a document that is not a policy with MalformedPolicyDocument', async () => {
    await expectFailure(h, 'PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: '{"Statement": 1}' }, 'MalformedPolicyDocument');
  });

  it('refuses a policy name other than default with NotFoundException', async () => {
    await expectFailure(h, 'PutKeyPolicy', { KeyId: keyId, PolicyName: 'other', Policy: policy(h) }, 'KeyNotFound');
  });

  it('accepts a disabled key (policies are managed in any live state)', async () => {
    const key = await h.key();
    await h.ok('DisableKey', { KeyId: key });
    await h.ok('PutKeyPolicy', { KeyId: key, PolicyName: 'default', Policy: policy(h) });
    assertAudited(h, { eventName: 'PutKeyPolicy', keyArn: arnOf(h, key) });
  });
});
