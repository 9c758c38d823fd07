import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizationRequest, Decision } from '../../core/authorization.js';
import type { GrantRecord } from '../../core/grant.js';
import type { KeyRecord } from '../../core/key.js';
import type { Alert } from './alert.js';
import { ExpiredGrantWatch } from './expired-grant-use.js';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/ops`;
const dana = { id: 'AIDADANA', type: 'user' as const, name: 'dana', arn: `arn:aws:iam::${ACCOUNT}:user/dana`, account: ACCOUNT };
const opsSession = {
  id: 'AROAOPS',
  type: 'role' as const,
  name: 'ops',
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/s1`,
  account: ACCOUNT,
  session: { kind: 'AssumedRole' as const, sessionName: 's1', issuerArn: ROLE_ARN, issuedAt: new Date(0), expiresAt: new Date(8e12), tags: [], transitiveTagKeys: [] },
};
const key: KeyRecord = { id: 'k', region: 'us-east-1', createdAt: new Date(0), description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy: '{}' };
const T = new Date('2026-12-06T10:00:00Z');

function grant(over: Partial<GrantRecord> = {}): GrantRecord {
  return { grantId: 'g'.repeat(64), keyId: 'k', name: undefined, granteePrincipal: dana.arn, granteePrincipalId: dana.id, retiringPrincipal: undefined, retiringPrincipalId: undefined, issuingPrincipal: 'x', operations: ['Decrypt'], constraints: undefined, createdAt: new Date(0), expiresAt: new Date(T.getTime() - 1000), parentGrantId: undefined, ...over };
}

function watch(decision: Decision, grants: GrantRecord[]) {
  const alerts: Alert[] = [];
  const w = new ExpiredGrantWatch({ authorize: async () => decision }, { grantsForKey: async () => grants }, { raise: (a) => void alerts.push(a) });
  return { w, alerts };
}

const request = (over: Partial<AuthorizationRequest> = {}, at = T): AuthorizationRequest => ({
  principal: dana,
  action: 'kms:Decrypt',
  resource: KEY_ARN,
  resourceAccount: ACCOUNT,
  context: {},
  key,
  request: { sourceIp: '10.0.0.7', userAgent: 't', secureTransport: true, time: at },
  ...over,
});

describe('ExpiredGrantWatch: just-in-time access used outside its window', () => {
  it('raises one high expiredGrantUse alert when a request is refused and the caller holds an expired grant for it on that key; the decision stands', async () => {
    const { w, alerts } = watch('ImplicitDeny', [grant()]);
    assert.equal(await w.authorize(request()), 'ImplicitDeny');
    assert.equal(alerts.length, 1);
    const [a] = alerts;
    assert.equal(a?.type, 'expiredGrantUse');
    assert.equal(a?.rule, 'expired-grant-use');
    assert.equal(a?.severity, 'high');
    assert.equal(a?.principalArn, dana.arn);
    assert.equal(a?.keyArn, KEY_ARN);
    assert.equal(a?.sourceIp, '10.0.0.7');
    assert.deepEqual(a?.details, { grantId: 'g'.repeat(64), operation: 'Decrypt', expiredAt: new Date(T.getTime() - 1000).toISOString() });
  });

  it('stays quiet for an allowed request, an unexpired grant, another operation, another grantee, a grant with no expiry, or a request on no key', async () => {
    const quiet = async (decision: Decision, grants: GrantRecord[], req: AuthorizationRequest) => {
      const { w, alerts } = watch(decision, grants);
      await w.authorize(req);
      return alerts.length;
    };
    assert.equal(await quiet('Allow', [grant()], request()), 0);
    assert.equal(await quiet('ImplicitDeny', [grant({ expiresAt: new Date(T.getTime() + 1000) })], request()), 0);
    assert.equal(await quiet('ImplicitDeny', [grant()], request({ action: 'kms:Encrypt' })), 0);
    assert.equal(await quiet('ImplicitDeny', [grant({ granteePrincipalId: 'AIDAOTHER' })], request()), 0);
    assert.equal(await quiet('ImplicitDeny', [grant({ expiresAt: undefined })], request()), 0);
    assert.equal(await quiet('ImplicitDeny', [grant()], request({ key: undefined })), 0);
  });

  it("counts a grant expired through its parent's expiry, and a role's grant used by one of its sessions", async () => {
    const parent = grant({ grantId: 'p'.repeat(64), granteePrincipal: 'x', granteePrincipalId: 'x', operations: ['Decrypt', 'CreateGrant'] });
    const child = grant({ grantId: 'c'.repeat(64), expiresAt: undefined, parentGrantId: parent.grantId });
    const viaParent = watch('ImplicitDeny', [parent, child]);
    await viaParent.w.authorize(request());
    assert.equal(viaParent.alerts[0]?.details['grantId'], 'c'.repeat(64));
    const role = watch('Deny', [grant({ granteePrincipal: ROLE_ARN, granteePrincipalId: opsSession.id })]);
    await role.w.authorize(request({ principal: opsSession }));
    assert.equal(role.alerts[0]?.principalArn, opsSession.arn);
  });

  it('raises at most one alert a minute per grant, and never fails the request when the grants cannot be read', async () => {
    const { w, alerts } = watch('ImplicitDeny', [grant()]);
    await w.authorize(request());
    await w.authorize(request({}, new Date(T.getTime() + 30_000)));
    assert.equal(alerts.length, 1);
    await w.authorize(request({}, new Date(T.getTime() + 61_000)));
    assert.equal(alerts.length, 2);
    const failing = new ExpiredGrantWatch({ authorize: async () => 'ImplicitDeny' }, { grantsForKey: () => Promise.reject(new Error('down')) }, { raise: () => assert.fail('no alert') });
    assert.equal(await failing.authorize(request()), 'ImplicitDeny');
  });
});
