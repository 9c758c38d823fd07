/**
 * docs/access-control.md, claim by claim: its policy templates are read from the file itself and used
 * against a running Arca through the AWS SDK, the CLI commands it shows are run, and each paragraph's
 * promise is a test here or in test/e2e/access-control.test.ts (named in the comments).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateAliasCommand,
  DeleteAliasCommand,
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  KMSServiceException,
  ListGrantsCommand,
  ListKeysCommand,
  TagResourceCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { ArcaCallError } from '../../src/cli/client.js';
import type { Clock } from '../../src/core/ports.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { adminCall, callAs, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';
import { ARCA_BIN, REPO_ROOT } from '../helpers/server.js';

const DOC = readFileSync(join(REPO_ROOT, 'docs', 'access-control.md'), 'utf8');

/** The JSON block after `<!-- template: name -->` in the doc. */
function template(name: string): Record<string, unknown> {
  const m = new RegExp(`<!-- template: ${name} -->\\n\`\`\`json\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  assert.ok(m?.[1], `docs/access-control.md has no template ${name}`);
  return JSON.parse(m[1]);
}

const statements = (doc: Record<string, unknown>) => doc['Statement'] as object[];
const policy = (...s: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: s });

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
let server: InProcessServer;
let admin: KMSClient;
let keyAdmin: TestPrincipal;
let keyUser: TestPrincipal;
const bytes = (s: string) => new TextEncoder().encode(s);

async function denied(call: Promise<unknown>, name = 'AccessDeniedException'): Promise<void> {
  await assert.rejects(call, (e: unknown) => (e instanceof KMSServiceException && e.name === name) || (e instanceof ArcaCallError && e.type === name));
}

async function newKey(keyPolicy?: string, tags?: Record<string, string>): Promise<string> {
  const out = await admin.send(
    new CreateKeyCommand({ ...(keyPolicy !== undefined ? { Policy: keyPolicy } : {}), ...(tags ? { Tags: Object.entries(tags).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) } : {}) }),
  );
  assert.ok(out.KeyMetadata?.Arn);
  return out.KeyMetadata.Arn;
}

before(async () => {
  server = await startInProcess({ clock, timeZone: 'Europe/Paris' });
  admin = kmsClient(server);
  keyAdmin = await createTestPrincipal(server, 'key-admin');
  keyUser = await createTestPrincipal(server, 'key-user');
});

after(async () => {
  await server.close();
});

describe('docs/access-control.md: principals and access keys', () => {
  it('the dev admin has the AdministratorAccess identity policy (kms:* and arca:*)', async () => {
    const got = await adminCall(server, 'GetPrincipalPolicy', { PrincipalName: 'admin', PolicyName: 'AdministratorAccess' });
    assert.deepEqual(statements(JSON.parse(String(got['PolicyDocument'])))[0], { Sid: 'AdministratorAccess', Effect: 'Allow', Action: ['kms:*', 'arca:*'], Resource: '*' });
  });

  it('the CLI commands shown create a principal, attach a policy, issue and deactivate an access key', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, ARCA_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: 'us-east-1' };
    const arca = (...args: string[]) => run(process.execPath, [ARCA_BIN, ...args], { env });
    await arca('principal', 'create', '--name', 'cli-app', '--type', 'service', '--tag', 'team=oncology');
    await arca('principal', 'put-policy', '--name', 'cli-app', '--policy-name', 'use-keys', '--policy', policy({ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }));
    const created = JSON.parse((await arca('access-key', 'create', '--name', 'cli-app', '--output', 'json')).stdout) as { AccessKeyId: string; SecretAccessKey: string };
    assert.match(created.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(created.SecretAccessKey.length, 40);
    const app = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey }, maxAttempts: 1 });
    await app.send(new ListKeysCommand({}));
    const got = JSON.parse((await arca('principal', 'get', '--name', 'cli-app', '--output', 'json')).stdout) as { Tags: unknown; PolicyNames: unknown; PrincipalType: string };
    assert.deepEqual([got.PrincipalType, got.Tags, got.PolicyNames], ['service', [{ TagKey: 'team', TagValue: 'oncology' }], ['use-keys']]);
    const listed = (await arca('access-key', 'list', '--name', 'cli-app')).stdout;
    assert.match(listed, new RegExp(`${created.AccessKeyId}\\s+Active`));
    assert.doesNotMatch(listed, new RegExp(created.SecretAccessKey.replace(/[+/]/g, '.')));
    await arca('access-key', 'update', '--name', 'cli-app', '--access-key-id', created.AccessKeyId, '--status', 'Inactive');
    await denied(app.send(new ListKeysCommand({})), 'UnrecognizedClientException');
  });

  it('a deleted identity policy stops allowing on the next request', async () => {
    const p = await createTestPrincipal(server, 'short-lived-policy', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] } });
    await p.client().send(new ListKeysCommand({}));
    await adminCall(server, 'DeletePrincipalPolicy', { PrincipalName: p.name, PolicyName: 'test' });
    await denied(p.client().send(new ListKeysCommand({})));
  });
});

describe('docs/access-control.md: separation-of-duties templates', () => {
  let key: string;
  before(async () => {
    key = await newKey(JSON.stringify(template('key-policy')));
  });

  it('key-policy: the key user encrypts and decrypts but cannot DisableKey or read the key policy', async () => {
    const ct = await keyUser.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') }));
    await keyUser.client().send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
    await denied(keyUser.client().send(new DisableKeyCommand({ KeyId: key })));
    await denied(keyUser.client().send(new GetKeyPolicyCommand({ KeyId: key })));
  });

  it('key-policy: the key administrator manages but cannot Encrypt or Decrypt', async () => {
    await keyAdmin.client().send(new GetKeyPolicyCommand({ KeyId: key }));
    await denied(keyAdmin.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })));
  });

  it('deny-admin-use: an explicit Deny keeps the administrator out even with a generous identity policy', async () => {
    const generous = await createTestPrincipal(server, 'generous-admin', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } });
    const rewrite = (s: object[]) => JSON.stringify(s).replaceAll('user/key-admin', 'user/generous-admin');
    const without = await newKey(JSON.stringify({ ...template('key-policy'), Statement: JSON.parse(rewrite(statements(template('key-policy')))) }));
    await generous.client().send(new EncryptCommand({ KeyId: without, Plaintext: bytes('x') }));
    const withDeny = await newKey(JSON.stringify({ ...template('key-policy'), Statement: JSON.parse(rewrite([...statements(template('key-policy')), template('deny-admin-use')])) }));
    await denied(generous.client().send(new EncryptCommand({ KeyId: withDeny, Plaintext: bytes('x') })));
    await generous.client().send(new DisableKeyCommand({ KeyId: withDeny }));
  });

  it('auditor: reads key metadata, policies and grants, and nothing else', async () => {
    const auditor = await createTestPrincipal(server, 'auditor', { policy: template('auditor') });
    const c = auditor.client();
    await c.send(new ListKeysCommand({}));
    await c.send(new DescribeKeyCommand({ KeyId: key }));
    await c.send(new GetKeyPolicyCommand({ KeyId: key }));
    await c.send(new ListGrantsCommand({ KeyId: key }));
    await denied(c.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })));
    await denied(c.send(new DisableKeyCommand({ KeyId: key })));
    await callAs(server, auditor, 'GetPrincipal', { PrincipalName: 'auditor' });
    await callAs(server, auditor, 'ListPrincipals', {});
    await denied(callAs(server, auditor, 'CreatePrincipal', { PrincipalName: 'x' }));
    const events = await callAs(server, auditor, 'ListAuditEvents', { Limit: 5 });
    assert.ok(Array.isArray(events['Events']) && events['Events'].length > 0, 'the auditor reads the audit trail');
    await callAs(server, auditor, 'ExportAuditLog', {});
  });

  it('custodian: a valid identity policy that grants no key access', async () => {
    const custodian = await createTestPrincipal(server, 'custodian', { policy: template('custodian') });
    await denied(custodian.client().send(new ListKeysCommand({})));
    await denied(custodian.client().send(new DescribeKeyCommand({ KeyId: key })));
  });

  it('app: one key family, Encrypt only, only with the billing encryption context', async () => {
    const app = await createTestPrincipal(server, 'billing-app', { policy: template('app') });
    const k = await newKey();
    await app.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x'), EncryptionContext: { app: 'billing' } }));
    await denied(app.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x'), EncryptionContext: { app: 'payroll' } })));
    await denied(app.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') })));
    const ct = await admin.send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x'), EncryptionContext: { app: 'billing' } }));
    await denied(app.client().send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob, EncryptionContext: { app: 'billing' } })));
  });
});

describe('docs/access-control.md: aliases are resources', () => {
  it('alias-namespace: team A manages aliases under alias/team-a/ on its keys, nowhere else, and never alias/prod-*', async () => {
    const team = await createTestPrincipal(server, 'team-a-docs', { policy: template('alias-namespace') });
    const k = await newKey();
    await team.client().send(new CreateAliasCommand({ AliasName: 'alias/team-a/billing', TargetKeyId: k }));
    await team.client().send(new UpdateAliasCommand({ AliasName: 'alias/team-a/billing', TargetKeyId: await newKey() }));
    await team.client().send(new DeleteAliasCommand({ AliasName: 'alias/team-a/billing' }));
    await denied(team.client().send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: k })));
    // The Deny wins even over an Allow on every alias.
    await adminCall(server, 'PutPrincipalPolicy', { PrincipalName: 'team-a-docs', PolicyName: 'everything', PolicyDocument: policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) });
    await team.client().send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: k }));
    await denied(team.client().send(new CreateAliasCommand({ AliasName: 'alias/prod-payments', TargetKeyId: k })));
  });

  it('a key administrator named in the key policy (kms:Update*) still needs an identity policy on the alias', async () => {
    const k = await newKey(JSON.stringify(template('key-policy')));
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/key-admin-docs', TargetKeyId: k }));
    await denied(keyAdmin.client().send(new UpdateAliasCommand({ AliasName: 'alias/key-admin-docs', TargetKeyId: k })));
  });
});

describe('docs/access-control.md: context keys', () => {
  it('kms:RequestAlias is the alias the caller named; policies see the key ARN as the resource', async () => {
    const k = await newKey();
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/billing', TargetKeyId: k }));
    const p = await createTestPrincipal(server, 'alias-user', {
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: k, Condition: { StringEquals: { 'kms:RequestAlias': 'alias/billing' } } }] },
    });
    const out = await p.client().send(new EncryptCommand({ KeyId: 'alias/billing', Plaintext: bytes('x') }));
    assert.equal(out.KeyId, k);
    await denied(p.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') })));
  });

  it('aws:ResourceTag, aws:RequestTag and aws:TagKeys', async () => {
    const p = await createTestPrincipal(server, 'tag-abac', {
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'oncology' } } },
          { Effect: 'Allow', Action: 'kms:TagResource', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['cost-center'] }, StringLike: { 'aws:RequestTag/cost-center': 'cc-*' } } },
        ],
      },
    });
    const onco = await newKey(undefined, { team: 'oncology' });
    const radio = await newKey(undefined, { team: 'radiology' });
    await p.client().send(new EncryptCommand({ KeyId: onco, Plaintext: bytes('x') }));
    await denied(p.client().send(new EncryptCommand({ KeyId: radio, Plaintext: bytes('x') })));
    await p.client().send(new TagResourceCommand({ KeyId: radio, Tags: [{ TagKey: 'cost-center', TagValue: 'cc-12' }] }));
    await denied(p.client().send(new TagResourceCommand({ KeyId: radio, Tags: [{ TagKey: 'cost-center', TagValue: 'x' }] })));
    await denied(p.client().send(new TagResourceCommand({ KeyId: radio, Tags: [{ TagKey: 'team', TagValue: 'oncology' }] })));
  });

  it('arca:RiskScore comes from the principal tag of that name', async () => {
    const k = await newKey();
    const p = await createTestPrincipal(server, 'risky', {
      tags: { 'arca:RiskScore': '20' },
      policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { NumericLessThanIfExists: { 'arca:RiskScore': 50 } } }] },
    });
    await p.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') }));
    await adminCall(server, 'TagPrincipal', { PrincipalName: 'risky', Tags: [{ TagKey: 'arca:RiskScore', TagValue: '80' }] });
    await denied(p.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') })));
  });

  it('kms:GrantIsForAWSResource is false on CreateGrant', async () => {
    const k = await newKey(policy(statements(template('key-policy'))[0] ?? {}, { Effect: 'Deny', Principal: '*', Action: 'kms:CreateGrant', Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'false' } } }));
    await denied(admin.send(new CreateGrantCommand({ KeyId: k, GranteePrincipal: keyUser.arn, Operations: ['Decrypt'] })));
  });
});

describe('docs/access-control.md: the hospital rule', () => {
  const hospitalKey = async (network: string[] | undefined) => {
    const statement = template('hospital');
    const clinicianStatement = network === undefined ? statement : JSON.parse(JSON.stringify(statement).replace('["10.20.0.0/16","2001:db8:20::/48"]', JSON.stringify(network)));
    return newKey(policy(statements(template('key-policy'))[0] ?? {}, clinicianStatement));
  };

  it('allows a clinician on the hospital network on a weekday at 10:00 Paris time, refuses at 22:00, on Saturday, and off the network', async () => {
    const clinician = await createTestPrincipal(server, 'clinician');
    const onNetwork = await hospitalKey(['127.0.0.0/8', '::1/128']);
    const offNetwork = await hospitalKey(undefined);
    const at = (iso: string, key: string) => {
      offsetMs = Date.parse(iso) - Date.now();
      return clinician.client(offsetMs).send(new EncryptCommand({ KeyId: key, Plaintext: bytes('chart') }));
    };
    try {
      await at('2026-01-05T09:00:00Z', onNetwork); // Monday 10:00 in Paris
      await at('2026-01-09T16:59:00Z', onNetwork); // Friday 17:59
      await denied(at('2026-01-05T21:00:00Z', onNetwork)); // Monday 22:00
      await denied(at('2026-01-09T17:00:00Z', onNetwork)); // Friday 18:00
      await denied(at('2026-01-10T09:00:00Z', onNetwork)); // Saturday 10:00
      await denied(at('2026-01-05T09:00:00Z', offNetwork)); // Monday 10:00, but not from 10.20.0.0/16
    } finally {
      offsetMs = 0;
    }
  });
});

describe('docs/access-control.md: grants', () => {
  it('Name makes CreateGrant idempotent, and a grant token in GrantTokens is accepted', async () => {
    const k = await newKey(JSON.stringify(template('key-policy')));
    const reader = await createTestPrincipal(server, 'grant-reader');
    const input = { KeyId: k, GranteePrincipal: reader.arn, Operations: ['Decrypt' as const], Name: 'nightly-backup' };
    const a = await keyUser.client().send(new CreateGrantCommand(input));
    const b = await keyUser.client().send(new CreateGrantCommand(input));
    assert.equal(a.GrantId, b.GrantId);
    const ct = await keyUser.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') }));
    await reader.client().send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob, GrantTokens: [a.GrantToken ?? ''] }));
  });
});
