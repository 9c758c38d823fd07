/**
 * Access control end to end through @aws-sdk/client-kms: key policies, identity policies, grants and
 * context conditions, with several principals created through ArcaService and an injected clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  KMSServiceException,
  ListGrantsCommand,
  ListRetirableGrantsCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
  ScheduleKeyDeletionCommand,
  CancelKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { ArcaCallError, callOperation } from '../../src/cli/client.js';
import type { Clock } from '../../src/core/ports.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A clock the test moves; the SDK clients get the same offset so that SigV4's clock-skew check still passes. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

let server: InProcessServer;
let admin: KMSClient;
let keyUser: TestPrincipal;
let keyAdmin: TestPrincipal;
let reader: TestPrincipal;
let nobody: TestPrincipal;

async function expectError(call: Promise<unknown>, name: string): Promise<KMSServiceException> {
  try {
    await call;
  } catch (e) {
    assert.ok(e instanceof KMSServiceException, `expected a KMS exception, got ${String(e)}`);
    assert.equal(e.name, name, `wrong error (message: ${e.message})`);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const rootDelegation = { Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

/** The separation-of-duties key policy of docs/access-control.md: administrators manage, users use. */
function separationOfDutiesPolicy(): string {
  return policy(
    rootDelegation,
    {
      Sid: 'Key administrators',
      Effect: 'Allow',
      Principal: { AWS: keyAdmin.arn },
      Action: ['kms:Describe*', 'kms:Get*', 'kms:List*', 'kms:Put*', 'kms:Enable*', 'kms:Disable*', 'kms:Update*', 'kms:TagResource', 'kms:UntagResource', 'kms:RevokeGrant', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'],
      Resource: '*',
    },
    {
      Sid: 'Key users',
      Effect: 'Allow',
      Principal: { AWS: keyUser.arn },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant', 'kms:ListGrants'],
      Resource: '*',
    },
  );
}

async function createKey(keyPolicy?: string): Promise<string> {
  const out = await admin.send(new CreateKeyCommand(keyPolicy === undefined ? {} : { Policy: keyPolicy }));
  const arn = out.KeyMetadata?.Arn;
  assert.ok(arn);
  return arn;
}

const bytes = (s: string) => new TextEncoder().encode(s);

before(async () => {
  server = await startInProcess({ clock, timeZone: 'Europe/Paris' });
  admin = kmsClient(server);
  keyUser = await createTestPrincipal(server, 'key-user');
  keyAdmin = await createTestPrincipal(server, 'key-admin');
  reader = await createTestPrincipal(server, 'reader');
  nobody = await createTestPrincipal(server, 'nobody');
});

after(async () => {
  await server.close();
});

describe('separation of duties through key policies', () => {
  let key: string;
  before(async () => {
    key = await createKey(separationOfDutiesPolicy());
  });

  it('lets the key user encrypt and decrypt', async () => {
    const enc = await keyUser.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('patient 42') }));
    const dec = await keyUser.client().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(new TextDecoder().decode(dec.Plaintext), 'patient 42');
  });

  it('refuses the key user administrative operations (PutKeyPolicy, DisableKey)', async () => {
    await expectError(keyUser.client().send(new DisableKeyCommand({ KeyId: key })), 'AccessDeniedException');
    await expectError(keyUser.client().send(new PutKeyPolicyCommand({ KeyId: key, Policy: separationOfDutiesPolicy() })), 'AccessDeniedException');
  });

  it('refuses the key user ScheduleKeyDeletion; the key administrator schedules and cancels it', async () => {
    await expectError(keyUser.client().send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 })), 'AccessDeniedException');
    await keyAdmin.client().send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));
    await keyAdmin.client().send(new CancelKeyDeletionCommand({ KeyId: key }));
    await keyAdmin.client().send(new EnableKeyCommand({ KeyId: key }));
  });

  it('kms:ScheduleKeyDeletionPendingWindowInDays: a Deny below 30 days holds even for the key administrator', async () => {
    const guarded = await createKey(
      policy(...JSON.parse(separationOfDutiesPolicy()).Statement, {
        Sid: 'At least 30 days to change your mind',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:ScheduleKeyDeletion',
        Resource: '*',
        Condition: { NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 } },
      }),
    );
    await expectError(keyAdmin.client().send(new ScheduleKeyDeletionCommand({ KeyId: guarded, PendingWindowInDays: 7 })), 'AccessDeniedException');
    await keyAdmin.client().send(new ScheduleKeyDeletionCommand({ KeyId: guarded, PendingWindowInDays: 30 }));
  });

  it('lets the key administrator disable, enable and change the policy, but not encrypt or decrypt', async () => {
    await keyAdmin.client().send(new DisableKeyCommand({ KeyId: key }));
    await keyAdmin.client().send(new EnableKeyCommand({ KeyId: key }));
    await keyAdmin.client().send(new PutKeyPolicyCommand({ KeyId: key, Policy: separationOfDutiesPolicy() }));
    const e = await expectError(keyAdmin.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })), 'AccessDeniedException');
    assert.equal(e.message, `User: ${keyAdmin.arn} is not authorized to perform: kms:Encrypt on resource: ${key} because no policy allows the kms:Encrypt action`);
  });

  it('gives a principal named nowhere nothing', async () => {
    await expectError(nobody.client().send(new DescribeKeyCommand({ KeyId: key })), 'AccessDeniedException');
  });

  it('answers DryRun with DryRunOperationException when the call would succeed, AccessDenied when not', async () => {
    await expectError(keyUser.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), DryRun: true })), 'DryRunOperationException');
    await expectError(keyAdmin.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), DryRun: true })), 'AccessDeniedException');
  });
});

describe('identity policies behind the default key policy', () => {
  it('a key with the default policy is usable by exactly the principals whose identity policy allows it', async () => {
    const key = await createKey();
    const app = await createTestPrincipal(server, 'app-encrypt-only', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: key }] } });
    await app.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') }));
    await expectError(app.client().send(new DescribeKeyCommand({ KeyId: key })), 'AccessDeniedException');
    await expectError(nobody.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })), 'AccessDeniedException');
  });

  it('principal tags drive conditions (aws:PrincipalTag) and a changed tag applies on the next request', async () => {
    const key = await createKey();
    const statement = { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'oncology' } } };
    const tagged = await createTestPrincipal(server, 'tagged', { tags: { team: 'oncology' }, policy: { Version: '2012-10-17', Statement: [statement] } });
    await tagged.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') }));
    await adminCall(server, 'TagPrincipal', { PrincipalName: 'tagged', Tags: [{ TagKey: 'team', TagValue: 'radiology' }] });
    await expectError(tagged.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })), 'AccessDeniedException');
  });

  it('an explicit Deny in an identity policy overrides the key policy Allow', async () => {
    const key = await createKey(policy(rootDelegation, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/denied` }, Action: 'kms:*', Resource: '*' }));
    const denied = await createTestPrincipal(server, 'denied', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] } });
    await denied.client().send(new DescribeKeyCommand({ KeyId: key }));
    await expectError(denied.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })), 'AccessDeniedException');
  });
});

describe('missing and forbidden keys', () => {
  it('a caller without rights gets the same AccessDenied for a missing key and for a forbidden one', async () => {
    const forbidden = await createKey();
    const missing = forbidden.replace(/key\/.*$/, `key/${randomUUID()}`);
    const a = await expectError(nobody.client().send(new EncryptCommand({ KeyId: forbidden, Plaintext: bytes('x') })), 'AccessDeniedException');
    const b = await expectError(nobody.client().send(new EncryptCommand({ KeyId: missing, Plaintext: bytes('x') })), 'AccessDeniedException');
    assert.equal(a.message.replace(forbidden, 'KEY'), b.message.replace(missing, 'KEY'));
    assert.equal(a.$metadata.httpStatusCode, b.$metadata.httpStatusCode);
  });

  it('a caller allowed the action but not kms:DescribeKey cannot tell a missing key from one whose policy excludes it', async () => {
    // The key's policy does not delegate to identity policies, so the caller's Encrypt-on-* does not reach it.
    const excluded = await createKey(policy({ Sid: 'admin only', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/admin' }, Action: 'kms:*', Resource: '*' }));
    const missing = excluded.replace(/key\/.*$/, `key/${randomUUID()}`);
    const encryptor = await createTestPrincipal(server, 'encrypt-anything', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] } });
    const a = await expectError(encryptor.client().send(new EncryptCommand({ KeyId: excluded, Plaintext: bytes('x') })), 'AccessDeniedException');
    const b = await expectError(encryptor.client().send(new EncryptCommand({ KeyId: missing, Plaintext: bytes('x') })), 'AccessDeniedException');
    assert.equal(a.message.replace(excluded, 'KEY'), b.message.replace(missing, 'KEY'));
    // With kms:DescribeKey too, the caller may learn that the key does not exist.
    const describer = await createTestPrincipal(server, 'encrypt-and-describe', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:DescribeKey'], Resource: '*' }] } });
    await expectError(describer.client().send(new EncryptCommand({ KeyId: missing, Plaintext: bytes('x') })), 'NotFoundException');
  });

  it('a caller whose identity policies allow the action learns NotFound for a missing key', async () => {
    const missing = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${randomUUID()}`;
    await expectError(admin.send(new DescribeKeyCommand({ KeyId: missing })), 'NotFoundException');
  });

  it('a missing alias is AccessDenied for a caller without rights and NotFound for the admin', async () => {
    await expectError(nobody.client().send(new EncryptCommand({ KeyId: 'alias/no-such-alias', Plaintext: bytes('x') })), 'AccessDeniedException');
    await expectError(admin.send(new EncryptCommand({ KeyId: 'alias/no-such-alias', Plaintext: bytes('x') })), 'NotFoundException');
  });
});

describe('grants', () => {
  let key: string;
  let ciphertextIT: Uint8Array;
  let ciphertextHR: Uint8Array;
  before(async () => {
    key = await createKey(separationOfDutiesPolicy());
    const user = keyUser.client();
    ciphertextIT = (await user.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('it'), EncryptionContext: { Department: 'IT', Purpose: 'backup' } }))).CiphertextBlob ?? new Uint8Array();
    ciphertextHR = (await user.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('hr'), EncryptionContext: { Department: 'HR' } }))).CiphertextBlob ?? new Uint8Array();
  });

  const decryptIT = () => reader.client().send(new DecryptCommand({ CiphertextBlob: ciphertextIT, EncryptionContext: { Department: 'IT', Purpose: 'backup' } }));
  const decryptHR = () => reader.client().send(new DecryptCommand({ CiphertextBlob: ciphertextHR, EncryptionContext: { Department: 'HR' } }));

  it('an EncryptionContextSubset grant lets a third principal decrypt only matching contexts', async () => {
    await expectError(decryptIT(), 'AccessDeniedException');
    const grant = await keyUser.client().send(
      new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, RetiringPrincipal: keyUser.arn, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } }),
    );
    assert.match(grant.GrantId ?? '', /^[0-9a-f]{64}$/);
    assert.ok(grant.GrantToken);
    assert.equal(new TextDecoder().decode((await decryptIT()).Plaintext), 'it');
    await expectError(decryptHR(), 'AccessDeniedException');
    await expectError(reader.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: { Department: 'IT' } })), 'AccessDeniedException');
    const listed = await keyUser.client().send(new ListGrantsCommand({ KeyId: key }));
    assert.deepEqual(listed.Grants?.map((g) => [g.GrantId, g.GranteePrincipal, g.Operations, g.Constraints?.EncryptionContextSubset]), [[grant.GrantId, reader.arn, ['Decrypt'], { Department: 'IT' }]]);
    const retirable = await admin.send(new ListRetirableGrantsCommand({ RetiringPrincipal: keyUser.arn }));
    assert.deepEqual(retirable.Grants?.map((g) => g.GrantId), [grant.GrantId]);
    // Retired by its retiring principal (with the token): the next request is refused.
    await keyUser.client().send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    await expectError(decryptIT(), 'AccessDeniedException');
  });

  it('only the retiring principal (or a grantee allowed RetireGrant) may retire a grant', async () => {
    const grant = await keyUser.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, RetiringPrincipal: keyUser.arn, Operations: ['Decrypt'] }));
    await expectError(nobody.client().send(new RetireGrantCommand({ GrantToken: grant.GrantToken })), 'AccessDeniedException');
    await expectError(reader.client().send(new RetireGrantCommand({ KeyId: key, GrantId: grant.GrantId })), 'AccessDeniedException');
    await keyUser.client().send(new RetireGrantCommand({ KeyId: key, GrantId: grant.GrantId }));
  });

  it('the key’s account may retire a grant, as AWS allows: a caller of the account whose policies allow kms:RetireGrant on the key', async () => {
    const grant = await keyUser.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, RetiringPrincipal: keyUser.arn, Operations: ['Decrypt'] }));
    // The administrator is neither the retiring principal nor the grantee; its identity policy allows kms:*.
    await admin.send(new RetireGrantCommand({ KeyId: key, GrantId: grant.GrantId }));
    const left = await admin.send(new ListGrantsCommand({ KeyId: key }));
    assert.ok(!(left.Grants ?? []).some((g) => g.GrantId === grant.GrantId));
  });

  it('a grantee allowed CreateGrant by a grant can delegate no more than that grant', async () => {
    const constraint = { EncryptionContextSubset: { Department: 'IT' } };
    await keyUser.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, Operations: ['Decrypt', 'CreateGrant'], Constraints: constraint }));
    await reader.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: nobody.arn, Operations: ['Decrypt'], Constraints: constraint }));
    await expectError(reader.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: nobody.arn, Operations: ['Encrypt'], Constraints: constraint })), 'AccessDeniedException');
    await expectError(reader.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: nobody.arn, Operations: ['Decrypt'] })), 'AccessDeniedException');
    await nobody.client().send(new DecryptCommand({ CiphertextBlob: ciphertextIT, EncryptionContext: { Department: 'IT', Purpose: 'backup' } }));
    await expectError(nobody.client().send(new DecryptCommand({ CiphertextBlob: ciphertextHR, EncryptionContext: { Department: 'HR' } })), 'AccessDeniedException');
  });

  it('ReEncrypt checks a constrained grant against the source context (ReEncryptFrom) and the destination context (ReEncryptTo)', async () => {
    const grant = await keyUser.client().send(
      new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, Operations: ['ReEncryptFrom', 'ReEncryptTo'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } }),
    );
    const reEncrypt = (destination: Record<string, string>) =>
      reader.client().send(new ReEncryptCommand({ CiphertextBlob: ciphertextIT, SourceEncryptionContext: { Department: 'IT', Purpose: 'backup' }, DestinationKeyId: key, DestinationEncryptionContext: destination }));
    await reEncrypt({ Department: 'IT' });
    await expectError(reEncrypt({ Department: 'HR' }), 'AccessDeniedException');
    await keyAdmin.client().send(new RevokeGrantCommand({ KeyId: key, GrantId: grant.GrantId }));
  });

  it('refuses an encryption-context constraint on operations that take no encryption context', async () => {
    const e = await expectError(
      keyUser.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, Operations: ['Decrypt', 'DescribeKey'], Constraints: { EncryptionContextEquals: { a: 'b' } } })),
      'ValidationException',
    );
    assert.match(e.message, /DescribeKey/);
  });

  it('a revoked grant authorizes nothing from the next request', async () => {
    const grant = await keyUser.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: reader.arn, Operations: ['Decrypt'] }));
    await decryptHR();
    await expectError(keyUser.client().send(new RevokeGrantCommand({ KeyId: key, GrantId: grant.GrantId })), 'AccessDeniedException');
    await keyAdmin.client().send(new RevokeGrantCommand({ KeyId: key, GrantId: grant.GrantId }));
    await expectError(decryptHR(), 'AccessDeniedException');
  });

  it('a grant with an expiry (Arca extension) stops authorizing once the clock passes it', async () => {
    const expiresAt = Math.floor(clock.now().getTime() / 1000) + 60;
    const out = await callOperation(
      { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: keyUser.accessKeyId, secretAccessKey: keyUser.secretAccessKey } },
      'TrentService.CreateGrant',
      { KeyId: key, GranteePrincipal: reader.arn, Operations: ['Decrypt'], ExpiresAt: expiresAt },
    );
    assert.ok(out['GrantId']);
    await decryptHR();
    offsetMs = 120_000;
    try {
      await expectError(reader.client(offsetMs).send(new DecryptCommand({ CiphertextBlob: ciphertextHR, EncryptionContext: { Department: 'HR' } })), 'AccessDeniedException');
    } finally {
      offsetMs = 0;
    }
  });
});

describe('context conditions', () => {
  it('source-IP conditions allow callers inside the CIDR and deny the others (IPv4 and IPv6 blocks)', async () => {
    const inside = await createKey(policy(rootDelegation, { Effect: 'Allow', Principal: { AWS: keyUser.arn }, Action: 'kms:Encrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } }));
    const outside = await createKey(policy(rootDelegation, { Effect: 'Allow', Principal: { AWS: keyUser.arn }, Action: 'kms:Encrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['10.20.0.0/16', '2001:db8::/32'] } } }));
    await keyUser.client().send(new EncryptCommand({ KeyId: inside, Plaintext: bytes('x') }));
    await expectError(keyUser.client().send(new EncryptCommand({ KeyId: outside, Plaintext: bytes('x') })), 'AccessDeniedException');
  });

  it('the hospital rule: decrypt only from the hospital network during working hours (arca:LocalHour, arca:DayOfWeek)', async () => {
    const hospital = policy(rootDelegation, {
      Sid: 'Clinicians decrypt from the hospital network during working hours',
      Effect: 'Allow',
      Principal: { AWS: keyUser.arn },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        IpAddress: { 'aws:SourceIp': '127.0.0.0/8' },
        NumericGreaterThanEquals: { 'arca:LocalHour': 8 },
        NumericLessThan: { 'arca:LocalHour': 18 },
        StringEquals: { 'arca:DayOfWeek': ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] },
      },
    });
    const key = await createKey(hospital);
    // Monday 5 January 2026, 10:00 and 22:00 in Europe/Paris (UTC+1); Saturday 10 January 10:00.
    const at = async (iso: string) => {
      offsetMs = Date.parse(iso) - Date.now();
      return keyUser.client(offsetMs).send(new EncryptCommand({ KeyId: key, Plaintext: bytes('chart') }));
    };
    try {
      await at('2026-01-05T09:00:00Z');
      await expectError(at('2026-01-05T21:00:00Z'), 'AccessDeniedException');
      await expectError(at('2026-01-10T09:00:00Z'), 'AccessDeniedException');
      await expectError(at('2026-01-05T06:59:00Z'), 'AccessDeniedException');
      await at('2026-01-05T07:00:00Z');
    } finally {
      offsetMs = 0;
    }
  });
});

describe('key policy management', () => {
  it('refuses a policy that would lock the caller out, unless BypassPolicyLockoutSafetyCheck', async () => {
    const key = await createKey();
    const lockout = policy({ Effect: 'Allow', Principal: { AWS: keyUser.arn }, Action: 'kms:*', Resource: '*' });
    const e = await expectError(admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: lockout })), 'MalformedPolicyDocumentException');
    assert.match(e.message, /will not allow you to update the key policy in the future/);
    await expectError(admin.send(new CreateKeyCommand({ Policy: lockout })), 'MalformedPolicyDocumentException');
    await admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    await expectError(admin.send(new GetKeyPolicyCommand({ KeyId: key })), 'AccessDeniedException');
    const got = await keyUser.client().send(new GetKeyPolicyCommand({ KeyId: key }));
    assert.equal(got.Policy, lockout);
  });

  it('answers malformed policies with MalformedPolicyDocumentException and a message naming the problem', async () => {
    const cases: [string, RegExp][] = [
      ['{"Statement": ', /not valid JSON/],
      [policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), /Missing required field Principal/],
      [policy({ Effect: 'Allow', Principal: { AWS: 'alice' }, Action: 'kms:*' }), /one or more invalid principals/],
      [policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Condition: { StringEqualz: { 'aws:SourceIp': 'x' } } }), /invalid condition operator: StringEqualz/],
    ];
    for (const [text, message] of cases) {
      const e = await expectError(admin.send(new CreateKeyCommand({ Policy: text })), 'MalformedPolicyDocumentException');
      assert.match(e.message, message);
    }
  });
});

describe('principals and access keys', () => {
  const call = (p: TestPrincipal, op: string, input: unknown) =>
    callOperation({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey } }, op, input);

  it('allows at most two active access keys, and a deactivated key stops authenticating on the next request', async () => {
    const p = await createTestPrincipal(server, 'rotating', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] } });
    await call(p, 'TrentService.ListKeys', {});
    await adminCall(server, 'CreateAccessKey', { PrincipalName: 'rotating' });
    await assert.rejects(adminCall(server, 'CreateAccessKey', { PrincipalName: 'rotating' }), (e: unknown) => e instanceof ArcaCallError && e.type === 'LimitExceededException');
    const listed = (await adminCall(server, 'ListAccessKeys', { PrincipalName: 'rotating' }))['AccessKeyMetadata'] as Record<string, unknown>[];
    assert.equal(listed.length, 2);
    assert.ok(listed.every((k) => !('SecretAccessKey' in k)), 'secrets are shown once, at creation');
    await adminCall(server, 'UpdateAccessKey', { PrincipalName: 'rotating', AccessKeyId: p.accessKeyId, Status: 'Inactive' });
    await assert.rejects(call(p, 'TrentService.ListKeys', {}), (e: unknown) => e instanceof ArcaCallError && e.type === 'UnrecognizedClientException');
    await adminCall(server, 'UpdateAccessKey', { PrincipalName: 'rotating', AccessKeyId: p.accessKeyId, Status: 'Active' });
    await call(p, 'TrentService.ListKeys', {});
    await adminCall(server, 'DeleteAccessKey', { PrincipalName: 'rotating', AccessKeyId: p.accessKeyId });
    await assert.rejects(call(p, 'TrentService.ListKeys', {}), (e: unknown) => e instanceof ArcaCallError && e.type === 'UnrecognizedClientException');
  });

  it('refuses principal management to a principal without arca: permissions', async () => {
    await assert.rejects(call(nobody, 'ArcaService.CreatePrincipal', { PrincipalName: 'sneaky' }), (e: unknown) => e instanceof ArcaCallError && e.type === 'AccessDeniedException');
    await assert.rejects(call(nobody, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'nobody', PolicyName: 'escalate', PolicyDocument: policy({ Effect: 'Allow', Action: '*', Resource: '*' }) }), (e: unknown) => e instanceof ArcaCallError && e.type === 'AccessDeniedException');
  });

  it('validates identity policies and shows them back; a deleted principal cannot authenticate', async () => {
    await assert.rejects(
      adminCall(server, 'PutPrincipalPolicy', { PrincipalName: 'nobody', PolicyName: 'bad', PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }) }),
      (e: unknown) => e instanceof ArcaCallError && e.type === 'MalformedPolicyDocumentException' && /should not specify a principal/.test(e.message),
    );
    const p = await createTestPrincipal(server, 'temp', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] } });
    const got = await adminCall(server, 'GetPrincipalPolicy', { PrincipalName: 'temp', PolicyName: 'test' });
    assert.match(String(got['PolicyDocument']), /kms:ListKeys/);
    const principal = (await adminCall(server, 'GetPrincipal', { PrincipalName: 'temp' }))['Principal'] as Record<string, unknown>;
    assert.deepEqual(principal['PolicyNames'], ['test']);
    await adminCall(server, 'DeletePrincipal', { PrincipalName: 'temp' });
    await assert.rejects(call(p, 'TrentService.ListKeys', {}), (e: unknown) => e instanceof ArcaCallError && e.type === 'UnrecognizedClientException');
  });
});
