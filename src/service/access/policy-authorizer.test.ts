import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizationRequest } from '../../core/authorization.js';
import type { GrantRecord } from '../../core/grant.js';
import type { KeyRecord } from '../../core/key.js';
import type { StoredPrincipalPolicy } from '../../core/ports.js';
import { parsePolicy } from '../../core/policy/document.js';
import { PolicyAuthorizer } from './policy-authorizer.js';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
const principal = { id: 'p', type: 'user' as const, name: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, account: ACCOUNT };
const key = (policy: string): KeyRecord => ({ id: 'k', region: 'us-east-1', createdAt: new Date(0), description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy });
const allowEncrypt = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });

function authorizer(opts: { policies?: StoredPrincipalPolicy[]; grants?: GrantRecord[]; tagReads?: string[] } = {}) {
  const reads: string[] = opts.tagReads ?? [];
  return new PolicyAuthorizer({
    keys: {
      listTags: async () => (reads.push('key tags'), [{ key: 'team', value: 'blue' }]),
      listAliases: async () => ({ items: [] }),
      getPolicyPrincipals: async () => ({ [principal.arn]: principal.id }),
    },
    identities: { listPrincipalPolicies: async () => opts.policies ?? [], listPrincipalTags: async () => (reads.push('principal tags'), []), findPrincipalByName: async () => undefined, getRoleTrust: async () => undefined },
    grants: { grantsForKey: async () => opts.grants ?? [] },
    realm: { partition: 'aws', region: 'us-east-1', account: ACCOUNT },
    timeZone: 'UTC',
  });
}

const request = (over: Partial<AuthorizationRequest> = {}): AuthorizationRequest => ({
  principal,
  action: 'kms:Encrypt',
  resource: KEY_ARN,
  resourceAccount: ACCOUNT,
  context: {},
  request: { sourceIp: '127.0.0.1', userAgent: 't', secureTransport: false, time: new Date('2026-01-05T10:00:00Z') },
  ...over,
});

describe('PolicyAuthorizer', () => {
  const stored = [{ name: 'p', document: allowEncrypt, updatedAt: new Date(0) }];

  it('judges a missing key as if it had the default key policy: identity policies decide', async () => {
    assert.equal(await authorizer({ policies: stored }).authorize(request({ key: undefined })), 'Allow');
    assert.equal(await authorizer().authorize(request({ key: undefined })), 'ImplicitDeny');
  });

  it('lets a stored key policy that no longer parses authorize nothing (fails closed)', async () => {
    assert.equal(await authorizer({ policies: stored }).authorize(request({ key: key('{"Statement": "not a policy"') })), 'ImplicitDeny');
  });

  it('decides operations on no key from identity policies alone', async () => {
    const createKey = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] });
    const a = authorizer({ policies: [{ name: 'c', document: createKey, updatedAt: new Date(0) }] });
    assert.equal(await a.authorize(request({ action: 'kms:CreateKey', resource: '*' })), 'Allow');
    assert.equal(await a.authorize(request({ action: 'kms:ListKeys', resource: '*' })), 'ImplicitDeny');
  });

  it('lets a retiring principal through to RetireGrant (the operation then checks the grant), and nothing else', async () => {
    const grant: GrantRecord = { grantId: 'g', keyId: 'k', name: undefined, granteePrincipal: 'arn:aws:iam::111122223333:user/bob', granteePrincipalId: 'AIDABOB', retiringPrincipal: principal.arn, retiringPrincipalId: principal.id, issuingPrincipal: principal.arn, operations: ['Decrypt'], constraints: undefined, createdAt: new Date(0), expiresAt: undefined, parentGrantId: undefined };
    const a = authorizer({ grants: [grant] });
    const k = key(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] }));
    assert.equal(await a.authorize(request({ key: k, action: 'kms:RetireGrant' })), 'Allow');
    assert.equal(await a.authorize(request({ key: k, action: 'kms:Decrypt' })), 'ImplicitDeny');
  });

  it('the lockout check asks whether the caller could still call PutKeyPolicy under the new policy', async () => {
    const a = authorizer({ policies: [{ name: 'all', document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }), updatedAt: new Date(0) }] });
    const delegating = parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*' }] }), 'key');
    const othersOnly = parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 'kms:*' }] }), 'key');
    assert.equal(await a.keepsPolicyAccess(request({ key: key('{}') }), delegating, {}), true);
    assert.equal(await a.keepsPolicyAccess(request({ key: key('{}') }), othersOnly, { 'arn:aws:iam::111122223333:user/bob': 'AIDABOB' }), false);
  });

  it('the lockout check evaluates conditions of the new policy against the request context', async () => {
    const a = authorizer();
    const fromHere = (cidr: string) =>
      parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: principal.arn }, Action: 'kms:*', Condition: { IpAddress: { 'aws:SourceIp': cidr } } }] }), 'key');
    const refs = { [principal.arn]: principal.id };
    assert.equal(await a.keepsPolicyAccess(request({ key: key('{}') }), fromHere('127.0.0.0/8'), refs), true);
    assert.equal(await a.keepsPolicyAccess(request({ key: key('{}') }), fromHere('10.0.0.0/8'), refs), false);
  });

  it('builds the request context (tags, aliases, time) only when an applicable statement has a condition', async () => {
    const tagReads: string[] = [];
    const plain = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: principal.arn }, Action: 'kms:*', Resource: '*' }] });
    assert.equal(await authorizer({ tagReads }).authorize(request({ key: key(plain) })), 'Allow');
    assert.equal(tagReads.length, 0, "no tag was read");
    const tagged = (team: string) =>
      JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: principal.arn }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': team } } }] });
    assert.equal(await authorizer({ tagReads }).authorize(request({ key: key(tagged('blue')) })), 'Allow');
    assert.equal(await authorizer({ tagReads }).authorize(request({ key: key(tagged('red')) })), 'ImplicitDeny');
    assert.ok(tagReads.includes('key tags'));
  });
});
