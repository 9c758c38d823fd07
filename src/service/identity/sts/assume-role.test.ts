import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../../test/helpers/operation-harness.js';
import { SecretText } from '../../../crypto/secret-text.js';

const ACCOUNT_ROOT = 'arn:aws:iam::111122223333:root';

function trust(principal: string, extra: Record<string, unknown> = {}, action: string | string[] = 'sts:AssumeRole') {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: action, ...extra }] });
}

describe('AssumeRole: who may assume a role (trust policy as the resource policy)', () => {
  let h: Harness;
  let alice: HarnessPrincipal;
  let bob: HarnessPrincipal;
  let carol: HarnessPrincipal;
  const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
  const assume = (as: HarnessPrincipal, name: string, extra: Record<string, unknown> = {}) => h.call('AssumeRole', { RoleArn: role(name), RoleSessionName: 's1', ...extra }, { as });
  const makeRole = (name: string, policy: string, max?: number) =>
    h.ok('CreatePrincipal', { PrincipalName: name, PrincipalType: 'role', AssumeRolePolicyDocument: policy, ...(max === undefined ? {} : { MaxSessionDuration: max }) }, { service: 'ArcaService' });

  before(async () => {
    h = await harness();
    alice = await h.principal('alice');
    // bob may assume any role by his identity policy; carol is denied it explicitly.
    bob = await h.principal('bob', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] });
    carol = await h.principal('carol', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:*', Resource: '*' }] });
    await makeRole('names-alice', trust(alice.arn));
    await makeRole('names-account', trust(ACCOUNT_ROOT), 7200);
    await makeRole('names-everyone', trust('*'));
    await h.ok('CreatePrincipal', { PrincipalName: 'no-trust', PrincipalType: 'role' }, { service: 'ArcaService' });
  });
  after(() => h.close());

  it('a trust policy naming the caller is enough; the answer is an assumed-role session, audited without its secrets', async () => {
    const r = await assume(alice, 'names-alice');
    assert.equal(r.error, undefined, r.error?.message);
    const out = r.output as { Credentials: { AccessKeyId: string; SecretAccessKey: SecretText; SessionToken: SecretText; Expiration: Date }; AssumedRoleUser: { Arn: string } };
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(out.Credentials.SecretAccessKey instanceof SecretText && out.Credentials.SessionToken instanceof SecretText);
    assert.equal(out.Credentials.Expiration.getTime() - h.clock.now().getTime(), 3600_000);
    assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::111122223333:assumed-role/names-alice/s1');
    const event = h.lastEvent();
    assert.equal(event.eventSource, 'sts');
    assert.equal(event.eventName, 'AssumeRole');
    const text = JSON.stringify(event);
    assert.ok(!text.includes(out.Credentials.SecretAccessKey.expose().toString()) && !text.includes(out.Credentials.SessionToken.expose().toString()));
  });

  it('a trust policy naming the account needs the caller\'s identity policy too', async () => {
    assert.equal((await assume(alice, 'names-account')).error?.code, 'AccessDenied');
    assert.equal((await assume(bob, 'names-account')).error, undefined);
  });

  it('an identity policy alone does not let a caller assume a role whose trust policy does not name it', async () => {
    const e = (await assume(bob, 'names-alice')).error;
    assert.equal(e?.code, 'AccessDenied');
    assert.match(e?.message ?? '', /user\/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111122223333:role\/names-alice/);
  });

  it('an explicit Deny in the caller\'s identity policy wins over a trust policy naming everyone', async () => {
    assert.equal((await assume(alice, 'names-everyone')).error, undefined);
    assert.equal((await assume(carol, 'names-everyone')).error?.code, 'AccessDenied');
  });

  it('a role without a trust policy, a user and a role that does not exist answer the same AccessDenied', async () => {
    const messages = [];
    for (const name of ['no-trust', 'missing']) {
      const e = (await assume(alice, name)).error;
      assert.equal(e?.code, 'AccessDenied');
      messages.push(e?.message.replace(/role\/[\w+=,.@-]+/, 'role/<x>'));
    }
    assert.equal(messages[0], messages[1]);
    assert.equal((await h.call('AssumeRole', { RoleArn: alice.arn, RoleSessionName: 's1' }, { as: alice })).error?.code, 'AccessDenied');
  });

  it('DurationSeconds: 900 up to the role\'s MaxSessionDuration', async () => {
    assert.equal((await assume(bob, 'names-account', { DurationSeconds: 7200 })).error, undefined);
    assert.equal((await assume(bob, 'names-account', { DurationSeconds: 7201 })).error?.code, 'ValidationFailed');
    assert.equal((await assume(alice, 'names-alice', { DurationSeconds: 3601 })).error?.code, 'ValidationFailed');
    assert.equal((await assume(alice, 'names-alice', { DurationSeconds: 899 })).error?.code, 'ValidationFailed');
  });

  it('sts:ExternalId and aws:SourceIp conditions of the trust policy decide', async () => {
    await makeRole('external', trust(alice.arn, { Condition: { StringEquals: { 'sts:ExternalId': 'x-123' }, IpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }));
    assert.equal((await assume(alice, 'external', { ExternalId: 'x-123' })).error, undefined);
    assert.equal((await assume(alice, 'external', { ExternalId: 'x-124' })).error?.code, 'AccessDenied');
    assert.equal((await assume(alice, 'external')).error?.code, 'AccessDenied');
    await h.ok('UpdateAssumeRolePolicy', { PrincipalName: 'external', PolicyDocument: trust(alice.arn, { Condition: { IpAddress: { 'aws:SourceIp': '198.51.100.0/24' } } }) }, { service: 'ArcaService' });
    assert.equal((await assume(alice, 'external')).error?.code, 'AccessDenied', 'the harness calls from 192.0.2.10');
  });

  it('session tags need sts:TagSession, with conditions on the requested tags', async () => {
    await makeRole('tags', JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:TagSession', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } } },
      ],
    }));
    assert.equal((await assume(alice, 'tags', { Tags: [{ Key: 'team', Value: 'a' }] })).error, undefined);
    assert.equal((await assume(alice, 'tags', { Tags: [{ Key: 'cost', Value: 'a' }] })).error?.code, 'AccessDenied');
    assert.equal((await assume(alice, 'names-alice', { Tags: [{ Key: 'team', Value: 'a' }] })).error?.code, 'AccessDenied', 'no sts:TagSession in that trust policy');
  });

  it('session policies and SourceIdentity are refused, never ignored; MFA without a device is AccessDenied', async () => {
    for (const extra of [{ Policy: '{}' }, { SourceIdentity: 'me' }]) {
      assert.equal((await assume(alice, 'names-alice', extra)).error?.code, 'UnsupportedOperation');
    }
    const mfa = await assume(alice, 'names-alice', { SerialNumber: 'arn:aws:iam::111122223333:mfa/alice', TokenCode: '123456' });
    assert.equal(mfa.error?.code, 'AccessDenied');
  });
});

describe('trust policies: UpdateAssumeRolePolicy and CreatePrincipal validate them', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
    await h.ok('CreatePrincipal', { PrincipalName: 'r', PrincipalType: 'role' }, { service: 'ArcaService' });
    await h.principal('u');
  });
  after(() => h.close());

  const update = (name: string, doc: string) => h.call('UpdateAssumeRolePolicy', { PrincipalName: name, PolicyDocument: doc }, { service: 'ArcaService' });

  it('accepts a valid trust policy, and GetPrincipal shows it with the MaxSessionDuration', async () => {
    assert.equal((await update('r', trust('*'))).error, undefined);
    const p = (await h.ok('GetPrincipal', { PrincipalName: 'r' }, { service: 'ArcaService' }))['Principal'] as Record<string, unknown>;
    assert.equal(p['AssumeRolePolicyDocument'], trust('*'));
    assert.equal(p['MaxSessionDuration'], 3600);
  });

  it('refuses a Resource, a non-STS action, a missing Principal, and a user', async () => {
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }] });
    assert.equal((await update('r', withResource)).error?.code, 'MalformedPolicyDocument');
    assert.match((await update('r', trust('*', {}, 'kms:Decrypt'))).error?.message ?? '', /AssumeRole policy may only specify STS AssumeRole actions/);
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    assert.equal((await update('r', noPrincipal)).error?.code, 'MalformedPolicyDocument');
    assert.equal((await update('u', trust('*'))).error?.code, 'ValidationFailed');
    const created = await h.call('CreatePrincipal', { PrincipalName: 'u2', AssumeRolePolicyDocument: trust('*') }, { service: 'ArcaService' });
    assert.equal(created.error?.code, 'ValidationFailed');
  });
});

describe('GetCallerIdentity and GetSessionToken need no permission', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  it('a caller denied everything still learns who it is, and may get a session token for itself', async () => {
    const denied = await h.principal('denied', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    const who = await h.ok('GetCallerIdentity', {}, { as: denied });
    assert.deepEqual(who, { UserId: denied.id, Account: '111122223333', Arn: denied.arn });
    assert.equal(h.lastEvent().eventSource, 'sts');
    const token = await h.ok('GetSessionToken', { DurationSeconds: 900 }, { as: denied });
    const c = token['Credentials'] as { AccessKeyId: string; Expiration: Date };
    assert.match(c.AccessKeyId, /^ASIA/);
    assert.equal(c.Expiration.getTime() - h.clock.now().getTime(), 900_000);
    assert.equal((await h.call('GetSessionToken', { DurationSeconds: 129_601 }, { as: denied })).error?.code, 'ValidationFailed');
  });
});
