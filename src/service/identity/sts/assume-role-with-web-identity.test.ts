import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KmsError } from '../../../core/errors.js';
import { parsePolicy } from '../../../core/policy/document.js';
import type { RoleTrust } from '../../../core/session.js';
import type { VerifiedWebIdentity } from '../../../core/web-identity.js';
import { trustAllowsWebIdentity } from './assume-role-with-web-identity.js';

const P = 'oidc.example.test/id/ABC';
const who = (sub: string, claims: Record<string, unknown> = {}): VerifiedWebIdentity => ({ provider: P, issuer: `https://${P}`, subject: sub, audience: 'arca', claims: { sub, ...claims }, tags: [] });
const trust = (statements: object[]): RoleTrust => ({ roleId: 'AROA1', document: JSON.stringify({ Version: '2012-10-17', Statement: statements }), principals: {}, maxSessionDuration: 3600, updatedAt: new Date(0) });
const allows = (t: RoleTrust, w: VerifiedWebIdentity) => trustAllowsWebIdentity(t, w, 'sts:AssumeRoleWithWebIdentity', {}, new Date());

describe('trust policies for web identities (issue 17)', () => {
  it('Federated principals are accepted in trust policies only', () => {
    const doc = (kind: 'trust' | 'key') => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: P }, Action: 'sts:AssumeRoleWithWebIdentity', ...(kind === 'key' && { Resource: '*' }) }] }), kind);
    assert.deepEqual(doc('trust').statements[0]?.principal?.patterns, [`federated:${P}`]);
    assert.throws(() => doc('key'), (e) => e instanceof KmsError && e.code === 'MalformedPolicyDocument');
  });

  it('matches the provider, the :sub / :aud / :amr conditions and the posture keys; a Deny wins; IAM principals never match', () => {
    const base = { Effect: 'Allow', Principal: { Federated: P }, Action: 'sts:AssumeRoleWithWebIdentity' };
    const t = trust([{ ...base, Condition: { StringLike: { [`${P}:sub`]: 'system:serviceaccount:payments:*' }, StringEquals: { [`${P}:aud`]: 'arca' } } }]);
    assert.equal(allows(t, who('system:serviceaccount:payments:api')), true);
    assert.equal(allows(t, who('system:serviceaccount:default:default')), false);
    assert.equal(allows(trust([{ ...base, Principal: { Federated: 'other.example.test' } }]), who('x')), false);
    assert.equal(allows(trust([{ ...base, Principal: { AWS: 'arn:aws:iam::111122223333:root' } }]), who('x')), false);
    assert.equal(allows(trust([base, { ...base, Effect: 'Deny', Condition: { StringEquals: { [`${P}:sub`]: 'bad' } } }]), who('bad')), false);
    assert.equal(allows(trust([{ ...base, Condition: { 'ForAnyValue:StringEquals': { [`${P}:amr`]: 'mfa' } } }]), who('u', { amr: ['pwd', 'mfa'] })), true);
    assert.equal(allows(trust([{ ...base, Condition: { 'ForAnyValue:StringEquals': { [`${P}:amr`]: 'mfa' } } }]), who('u', { amr: ['pwd'] })), false);
    const posture = trust([{ ...base, Condition: { StringEquals: { 'arca:DevicePosture': 'compliant' }, NumericLessThan: { 'arca:RiskScore': '50' } } }]);
    assert.equal(allows(posture, who('u', { device_posture: 'compliant', risk_score: 10 })), true);
    assert.equal(allows(posture, who('u', { device_posture: 'compliant', risk_score: 90 })), false);
    assert.equal(allows(posture, who('u')), false);
  });
});
