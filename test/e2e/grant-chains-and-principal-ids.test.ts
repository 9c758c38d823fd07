/**
 * Issue 12, items 1 and 4, end to end through @aws-sdk/client-kms and the operation protocol: a grant
 * created under another grant's authority never outlives or exceeds it (DESIGN §7.8), a named CreateGrant
 * returns an existing grant only for identical parameters, and a deleted and recreated principal of the
 * same name inherits nothing (ADR 0009).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateGrantCommand,
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListGrantsCommand,
  RetireGrantCommand,
  RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { ArcaCallError, callOperation } from '../../src/cli/client.js';
import type { Clock } from '../../src/core/ports.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { adminCall, createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A clock the test moves; clients get the same offset so that SigV4's clock-skew check still passes. */
let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };

let server: InProcessServer;
let admin: KMSClient;
let owner: TestPrincipal;
let delegate: TestPrincipal;
let third: TestPrincipal;

const bytes = (s: string) => new TextEncoder().encode(s);
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
const rootDelegation = { Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

/** A TrentService call signed as `p` (for Arca's ExpiresAt extension, which the SDK does not model). */
function trent(p: TestPrincipal, operation: string, input: unknown): Promise<Record<string, unknown>> {
  return callOperation({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey } }, `TrentService.${operation}`, input);
}

/** A key whose policy lets `owner` use it, create grants and list them. */
async function ownedKey(): Promise<string> {
  const out = await admin.send(
    new CreateKeyCommand({
      Policy: policy(rootDelegation, { Sid: 'Owner', Effect: 'Allow', Principal: { AWS: owner.arn }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*' }),
    }),
  );
  assert.ok(out.KeyMetadata?.Arn);
  return out.KeyMetadata.Arn;
}

async function encrypt(key: string): Promise<Uint8Array> {
  return (await owner.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('secret') }))).CiphertextBlob ?? new Uint8Array();
}

const decryptAs = (p: TestPrincipal, blob: Uint8Array) => p.client(offsetMs).send(new DecryptCommand({ CiphertextBlob: blob }));
const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);

async function grantsOf(key: string): Promise<Record<string, unknown>[]> {
  return (await trent(owner, 'ListGrants', { KeyId: key }))['Grants'] as Record<string, unknown>[];
}

before(async () => {
  server = await startInProcess({ clock });
  admin = kmsClient(server);
  owner = await createTestPrincipal(server, 'owner');
  delegate = await createTestPrincipal(server, 'delegate');
  third = await createTestPrincipal(server, 'third');
});

after(async () => {
  await server.close();
});

describe('a grant created under another grant never outlives it', () => {
  it('a child requested without ExpiresAt under an expiring parent inherits its expiry, and authorizes nothing once the parent expired', async () => {
    const key = await ownedKey();
    const blob = await encrypt(key);
    const expiresAt = nowSeconds() + 60;
    await trent(owner, 'CreateGrant', { KeyId: key, GranteePrincipal: delegate.arn, Operations: ['Decrypt', 'CreateGrant'], ExpiresAt: expiresAt });
    // Through the AWS SDK, which never sends ExpiresAt: the child is capped, not refused.
    const child = await delegate.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt'] }));
    const listed = (await grantsOf(key)).find((g) => g['GrantId'] === child.GrantId);
    assert.equal(listed?.['ExpiresAt'], expiresAt, 'the child shows its parent\'s expiry');
    // An explicit later expiry is capped too.
    const later = await trent(delegate, 'CreateGrant', { KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt'], ExpiresAt: expiresAt + 3600 });
    assert.equal((await grantsOf(key)).find((g) => g['GrantId'] === later['GrantId'])?.['ExpiresAt'], expiresAt);
    await decryptAs(third, blob);
    offsetMs = 120_000;
    try {
      await expectKmsError(decryptAs(third, blob), 'AccessDeniedException');
      await expectKmsError(decryptAs(delegate, blob), 'AccessDeniedException');
      await expectKmsError(delegate.client(offsetMs).send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt'] })), 'AccessDeniedException');
    } finally {
      offsetMs = 0;
    }
  });

  for (const end of ['revoked', 'retired'] as const) {
    it(`a child (and grandchild) authorizes nothing once its parent is ${end}, and ListGrants no longer shows it`, async () => {
      const key = await ownedKey();
      const blob = await encrypt(key);
      const parent = await owner.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: delegate.arn, RetiringPrincipal: owner.arn, Operations: ['Decrypt', 'CreateGrant'] }));
      const child = await delegate.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt', 'CreateGrant'] }));
      const grandchild = await third.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: owner.arn, Operations: ['Decrypt'] }));
      await decryptAs(third, blob);
      if (end === 'revoked') await owner.client().send(new RevokeGrantCommand({ KeyId: key, GrantId: parent.GrantId }));
      else await owner.client().send(new RetireGrantCommand({ GrantToken: parent.GrantToken }));
      await expectKmsError(decryptAs(third, blob), 'AccessDeniedException');
      const ids = (await grantsOf(key)).map((g) => g['GrantId']);
      for (const g of [parent, child, grandchild]) assert.ok(!ids.includes(g.GrantId), `grant ${g.GrantId} is still listed`);
    });
  }

  it('when a policy also allows CreateGrant, the new grant has no parent and survives the grant', async () => {
    const key = await ownedKey();
    const blob = await encrypt(key);
    const parent = await owner.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: owner.arn, Operations: ['Decrypt', 'CreateGrant'] }));
    await owner.client().send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt'] }));
    await owner.client().send(new RevokeGrantCommand({ KeyId: key, GrantId: parent.GrantId }));
    await decryptAs(third, blob);
  });
});

describe('a named CreateGrant returns an existing grant only for identical parameters', () => {
  it('identical parameters return the same grant; a different or added ExpiresAt makes a new one', async () => {
    const key = await ownedKey();
    const base = { KeyId: key, GranteePrincipal: third.arn, Operations: ['Decrypt'], Name: 'jit-access' };
    const first = await trent(owner, 'CreateGrant', base);
    assert.equal((await trent(owner, 'CreateGrant', base))['GrantId'], first['GrantId']);
    const expiresAt = nowSeconds() + 60;
    const expiring = await trent(owner, 'CreateGrant', { ...base, ExpiresAt: expiresAt });
    assert.notEqual(expiring['GrantId'], first['GrantId'], 'an expiring request must not return the permanent grant');
    assert.equal((await trent(owner, 'CreateGrant', { ...base, ExpiresAt: expiresAt }))['GrantId'], expiring['GrantId']);
    const other = await trent(owner, 'CreateGrant', { ...base, ExpiresAt: expiresAt + 60 });
    assert.ok(other['GrantId'] !== first['GrantId'] && other['GrantId'] !== expiring['GrantId']);
    const operations = await trent(owner, 'CreateGrant', { ...base, Operations: ['Decrypt', 'Encrypt'] });
    assert.notEqual(operations['GrantId'], first['GrantId']);
  });
});

describe('a deleted and recreated principal inherits nothing', () => {
  it('gets a new AWS-shaped id, and no key-policy statement, grant or identity policy of its namesake applies to it', async () => {
    const name = 'phoenix';
    const old = await createTestPrincipal(server, name, { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] } });
    const oldId = ((await adminCall(server, 'GetPrincipal', { PrincipalName: name }))['Principal'] as { PrincipalId: string }).PrincipalId;
    assert.match(oldId, /^AIDA[A-Z2-7]{17}$/);
    const named = await admin.send(
      new CreateKeyCommand({ Policy: policy(rootDelegation, { Sid: 'Phoenix', Effect: 'Allow', Principal: { AWS: [old.arn, owner.arn] }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }) }),
    );
    const namedKey = named.KeyMetadata?.Arn ?? '';
    const blob = await encrypt(namedKey);
    const granted = await ownedKey();
    const grantedBlob = await encrypt(granted);
    const grant = await owner.client().send(new CreateGrantCommand({ KeyId: granted, GranteePrincipal: old.arn, RetiringPrincipal: old.arn, Operations: ['Decrypt'] }));
    await decryptAs(old, blob);
    await decryptAs(old, grantedBlob);
    await trent(old, 'ListKeys', {});

    await adminCall(server, 'DeletePrincipal', { PrincipalName: name });
    const reborn = await createTestPrincipal(server, name);
    const newId = ((await adminCall(server, 'GetPrincipal', { PrincipalName: name }))['Principal'] as { PrincipalId: string }).PrincipalId;
    assert.equal(reborn.arn, old.arn);
    assert.match(newId, /^AIDA[A-Z2-7]{17}$/);
    assert.notEqual(newId, oldId);

    await expectKmsError(decryptAs(reborn, blob), 'AccessDeniedException');
    await expectKmsError(reborn.client().send(new EncryptCommand({ KeyId: namedKey, Plaintext: bytes('x') })), 'AccessDeniedException');
    await expectKmsError(decryptAs(reborn, grantedBlob), 'AccessDeniedException');
    await expectKmsError(reborn.client().send(new RetireGrantCommand({ GrantToken: grant.GrantToken })), 'AccessDeniedException');
    await assert.rejects(trent(reborn, 'ListKeys', {}), (e: unknown) => e instanceof ArcaCallError && e.type === 'AccessDeniedException');
    // The statement still applies to the other principal it names.
    await decryptAs(owner, blob);

    // GetKeyPolicy and ListGrants show the deleted principal's unique id where its ARN was (as AWS does).
    const shown = JSON.parse((await admin.send(new GetKeyPolicyCommand({ KeyId: namedKey }))).Policy ?? '{}') as { Statement: { Sid: string; Principal: { AWS: string[] } }[] };
    assert.deepEqual(shown.Statement.find((s) => s.Sid === 'Phoenix')?.Principal.AWS, [oldId, owner.arn]);
    const listed = (await owner.client().send(new ListGrantsCommand({ KeyId: granted }))).Grants?.find((g) => g.GrantId === grant.GrantId);
    assert.equal(listed?.GranteePrincipal, oldId);
    assert.equal(listed?.RetiringPrincipal, oldId);
  });

  it('a live principal\'s key policy is shown exactly as written, and a policy naming it keeps applying', async () => {
    const key = await ownedKey();
    const written = (await admin.send(new GetKeyPolicyCommand({ KeyId: key }))).Policy ?? '';
    assert.match(written, new RegExp(owner.arn));
    await decryptAs(owner, await encrypt(key));
  });
});
