import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import type { ServiceDeps } from './deps.js';
import { conditionContext, encryptionContextCondition, listCondition, requestTagsCondition, scalarCondition } from './condition-keys.js';
import { OPERATIONS } from './registry.js';

const EC = ['kms:EncryptionContext:', 'kms:EncryptionContextKeys'];
const TAGS = ['aws:RequestTag/', 'aws:TagKeys'];

/**
 * The condition keys each operation's input supplies (AWS KMS's documented keys that Arca evaluated
 * before the keys were declared, when they were read by member name). An operation missing here must
 * supply none; a declaration dropped or added fails the comparison.
 */
const XKS = ['arca:XksKeyId', 'arca:XksAwsPrincipalArn', 'arca:XksKmsOperation', 'arca:XksKmsKeyArn', 'arca:XksKmsViaService', 'arca:XksAwsSourceVpc', 'arca:XksAwsSourceVpce'];

const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  XksGetKeyMetadata: XKS,
  XksEncrypt: XKS,
  XksDecrypt: XKS,
  CreateKey: ['kms:KeyUsage', 'kms:KeySpec', 'kms:KeyOrigin', 'kms:BypassPolicyLockoutSafetyCheck', ...TAGS],
  CreateManagedKey: ['kms:KeyUsage', 'kms:KeySpec', 'kms:KeyOrigin', 'arca:KeyExportable', ...TAGS],
  Encrypt: [...EC, 'kms:EncryptionAlgorithm'],
  Decrypt: [...EC, 'kms:EncryptionAlgorithm'],
  GenerateDataKey: [...EC, 'kms:KeySpec'],
  GenerateDataKeyWithoutPlaintext: [...EC, 'kms:KeySpec'],
  GenerateDataKeyPair: [...EC, 'kms:DataKeyPairSpec'],
  GenerateDataKeyPairWithoutPlaintext: [...EC, 'kms:DataKeyPairSpec'],
  TagResource: TAGS,
  UntagResource: ['aws:TagKeys'],
  PutKeyPolicy: ['kms:BypassPolicyLockoutSafetyCheck'],
  CreatePrincipal: TAGS,
  TagPrincipal: TAGS,
  UntagPrincipal: ['aws:TagKeys'],
  AssumeRole: ['sts:ExternalId', 'sts:RoleSessionName', 'sts:TransitiveTagKeys', ...TAGS],
  CreateGrant: ['kms:GranteePrincipal', 'kms:RetiringPrincipal', 'kms:GrantOperations', 'kms:GranteeServicePrincipal', 'kms:RetiringServicePrincipal', 'kms:GrantConstraintSourceArn'],
  ListGrants: ['kms:GranteePrincipal'],
  ListRetirableGrants: ['kms:RetiringPrincipal'],
  EnableKeyRotation: ['kms:RotationPeriodInDays'],
  ReplicateKey: ['kms:ReplicaRegion', ...TAGS],
  UpdatePrimaryRegion: ['kms:PrimaryRegion'],
  ScheduleKeyDeletion: ['kms:ScheduleKeyDeletionPendingWindowInDays'],
  Sign: ['kms:MessageType', 'kms:SigningAlgorithm'],
  Verify: ['kms:MessageType', 'kms:SigningAlgorithm'],
  GenerateMac: ['kms:MacAlgorithm'],
  VerifyMac: ['kms:MacAlgorithm'],
};

/** No ports (each declared one is picked as `undefined`): binding an input and reading its authorization facts use none. */
const noPorts = {} as ServiceDeps;

function authorizationOf(name: string, input: Record<string, unknown>) {
  const op = OPERATIONS.find((o) => o.name === name);
  assert.ok(op, name);
  return op.connect(noPorts).bind((schema) => schema.parse(input)).authorization();
}

describe('condition keys declared by operations', () => {
  for (const op of OPERATIONS) {
    it(`${op.service}.${op.name} supplies exactly its documented condition keys`, () => {
      assert.deepEqual([...op.conditionKeys].sort(), [...(EXPECTED[op.name] ?? [])].sort());
    });
  }

  it('Encrypt supplies its algorithm and its encryption context, which grant constraints also see', () => {
    const a = authorizationOf('Encrypt', { KeyId: 'alias/a', Plaintext: SecretBytes.copyOf(Buffer.from('p')), EncryptionContext: { Dept: 'IT' }, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    assert.deepEqual(a.context, { 'kms:EncryptionContextKeys': ['Dept'], 'kms:EncryptionContext:Dept': 'IT', 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' });
    assert.deepEqual(a.encryptionContext, { Dept: 'IT' });
  });

  it('CreateGrant supplies grantee, operations and its constant kms:GrantIsForAWSResource', () => {
    const a = authorizationOf('CreateGrant', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', GranteePrincipal: 'arn:aws:iam::111122223333:user/bob', Operations: ['Decrypt', 'Encrypt'] });
    assert.deepEqual(a.context, { 'kms:GranteePrincipal': 'arn:aws:iam::111122223333:user/bob', 'kms:GrantOperations': ['Decrypt', 'Encrypt'], 'kms:GrantIsForAWSResource': 'false' });
    assert.equal(a.encryptionContext, undefined);
  });

  it('CreateGrant for a service principal supplies its service principals and its SourceArn constraint', () => {
    const source = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
    const a = authorizationOf('CreateGrant', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', GranteeServicePrincipal: 'logs.amazonaws.com', RetiringServicePrincipal: 'backup.arca.internal', Operations: ['Encrypt'], Constraints: { SourceArn: source } });
    assert.deepEqual(a.context, {
      'kms:GranteeServicePrincipal': 'logs.amazonaws.com',
      'kms:RetiringServicePrincipal': 'backup.arca.internal',
      'kms:GrantConstraintSourceArn': source,
      'kms:GrantOperations': ['Encrypt'],
      'kms:GrantIsForAWSResource': 'false',
    });
  });

  it('UntagResource supplies aws:TagKeys from its TagKeys', () => {
    assert.deepEqual(authorizationOf('UntagResource', { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', TagKeys: ['a', 'b'] }).context, { 'aws:TagKeys': ['a', 'b'] });
  });
});

describe('condition declarations', () => {
  type In = { A?: string; N?: number; B?: boolean; L?: string[]; EC?: Record<string, string>; Tags?: { TagKey: string; TagValue: string }[] };
  const declarations = [
    scalarCondition<In>('k:A', (i) => i.A),
    scalarCondition<In>('k:N', (i) => i.N),
    scalarCondition<In>('k:B', (i) => i.B),
    listCondition<In>('k:L', (i) => i.L),
    encryptionContextCondition<In>((i) => i.EC),
    requestTagsCondition<In>((i) => i.Tags),
  ];

  it('supply each present member as strings, and nothing for absent ones', () => {
    const full = conditionContext(declarations, { A: 'x', N: 7, B: true, L: ['p', 'q'], EC: { t: 'v' }, Tags: [{ TagKey: 'env', TagValue: 'prod' }] });
    assert.deepEqual(full.context, {
      'k:A': 'x',
      'k:N': '7',
      'k:B': 'true',
      'k:L': ['p', 'q'],
      'kms:EncryptionContextKeys': ['t'],
      'kms:EncryptionContext:t': 'v',
      'aws:RequestTag/env': 'prod',
      'aws:TagKeys': ['env'],
    });
    assert.deepEqual(full.encryptionContext, { t: 'v' });
    const empty = conditionContext(declarations, {});
    assert.deepEqual(empty.context, {});
    assert.equal(empty.encryptionContext, undefined);
  });

  it('give an empty encryption context an empty kms:EncryptionContextKeys', () => {
    assert.deepEqual(conditionContext(declarations, { EC: {} }).context, { 'kms:EncryptionContextKeys': [] });
  });
});
