/**
 * Aliases as resources (issue 12, items 2 and 5) and encryption-context spellings (item 3), end to end
 * through @aws-sdk/client-kms with several principals:
 * - CreateAlias, UpdateAlias and DeleteAlias are authorized on the alias ARN (identity policies) and on
 *   the key(s) (key policies), as AWS does, so an alias name cannot be squatted by whoever owns a key;
 * - a caller without rights gets the same answer whether an alias exists or not, whatever key it names;
 * - `kms:EncryptionContext:<key>` sees every spelling of `<key>`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type KMSClient,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const aliasArn = (name: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:${name}`;
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const identity = (...statements: object[]) => ({ Version: '2012-10-17', Statement: statements });
const rootDelegation = { Sid: 'Enable IAM policies', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const bytes = (s: string) => new TextEncoder().encode(s);

let server: InProcessServer;
let admin: KMSClient;
let nobody: TestPrincipal;

before(async () => {
  server = await startInProcess();
  admin = kmsClient(server);
  nobody = await createTestPrincipal(server, 'nobody');
});

after(async () => {
  await server.close();
});

/** A key whose policy delegates to identity policies and gives `owners` everything on it directly. */
async function createKey(...owners: TestPrincipal[]): Promise<string> {
  const statements: object[] = [rootDelegation, ...owners.map((o) => ({ Effect: 'Allow', Principal: { AWS: o.arn }, Action: 'kms:*', Resource: '*' }))];
  const arn = (await admin.send(new CreateKeyCommand({ Policy: policy(...statements) }))).KeyMetadata?.Arn;
  assert.ok(arn);
  return arn;
}

async function targetOf(alias: string): Promise<string | undefined> {
  return (await admin.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata?.Arn;
}

describe('alias squatting: CreateAlias, UpdateAlias and DeleteAlias are authorized on the alias too', () => {
  it('a principal allowed everything on its own key cannot claim an alias name its identity policies do not give it', async () => {
    const squatter = await createTestPrincipal(server, 'squatter');
    const own = await createKey(squatter);
    const e = await expectKmsError(squatter.client().send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: own })), 'AccessDeniedException');
    assert.equal(e.message, `User: ${squatter.arn} is not authorized to perform: kms:CreateAlias on resource: ${aliasArn('alias/payments')} because no policy allows the kms:CreateAlias action`);
    await expectKmsError(admin.send(new DescribeKeyCommand({ KeyId: 'alias/payments' })), 'NotFoundException');
  });

  it('an identity policy on alias ARNs delegates a namespace; the key policy must still allow the key', async () => {
    const team = await createTestPrincipal(server, 'team-a', {
      policy: identity({ Effect: 'Allow', Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: `arn:aws:kms:*:${ACCOUNT}:alias/team-a/*` }),
    });
    const own = await createKey(team);
    const second = await createKey(team);
    const foreign = await createKey();
    await team.client().send(new CreateAliasCommand({ AliasName: 'alias/team-a/orders', TargetKeyId: own }));
    assert.equal(await targetOf('alias/team-a/orders'), own);
    await expectKmsError(team.client().send(new CreateAliasCommand({ AliasName: 'alias/team-b/orders', TargetKeyId: own })), 'AccessDeniedException');
    // The key named must allow it too: an alias in the team's namespace on a key the team does not hold.
    await expectKmsError(team.client().send(new CreateAliasCommand({ AliasName: 'alias/team-a/foreign', TargetKeyId: foreign })), 'AccessDeniedException');
    await team.client().send(new UpdateAliasCommand({ AliasName: 'alias/team-a/orders', TargetKeyId: second }));
    assert.equal(await targetOf('alias/team-a/orders'), second);
    await expectKmsError(team.client().send(new UpdateAliasCommand({ AliasName: 'alias/team-a/orders', TargetKeyId: foreign })), 'AccessDeniedException');
    await team.client().send(new DeleteAliasCommand({ AliasName: 'alias/team-a/orders' }));
    await expectKmsError(admin.send(new DescribeKeyCommand({ KeyId: 'alias/team-a/orders' })), 'NotFoundException');
  });

  it('UpdateAlias and DeleteAlias need the alias permission even with every right on the keys', async () => {
    const holder = await createTestPrincipal(server, 'key-holder');
    const a = await createKey(holder);
    const b = await createKey(holder);
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/shared-name', TargetKeyId: a }));
    await expectKmsError(holder.client().send(new UpdateAliasCommand({ AliasName: 'alias/shared-name', TargetKeyId: b })), 'AccessDeniedException');
    await expectKmsError(holder.client().send(new DeleteAliasCommand({ AliasName: 'alias/shared-name' })), 'AccessDeniedException');
    assert.equal(await targetOf('alias/shared-name'), a);
  });

  it('UpdateAlias needs the permission on the current key as well as on the new one', async () => {
    const mover = await createTestPrincipal(server, 'mover', { policy: identity({ Effect: 'Allow', Action: 'kms:UpdateAlias', Resource: `arn:aws:kms:*:${ACCOUNT}:alias/*` }) });
    const current = await createKey();
    const own = await createKey(mover);
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/not-yours', TargetKeyId: current }));
    // kms:UpdateAlias on the alias ARN only: the current key's default policy delegates to identity policies, which do not cover it.
    await expectKmsError(mover.client().send(new UpdateAliasCommand({ AliasName: 'alias/not-yours', TargetKeyId: own })), 'AccessDeniedException');
    assert.equal(await targetOf('alias/not-yours'), current);
  });

  it('an explicit Deny on alias ARNs holds against an Allow on everything', async () => {
    const operator = await createTestPrincipal(server, 'alias-operator', {
      policy: identity(
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: ['kms:CreateAlias', 'kms:UpdateAlias', 'kms:DeleteAlias'], Resource: 'arn:aws:kms:*:*:alias/prod-*' },
      ),
    });
    const k = await createKey();
    await expectKmsError(operator.client().send(new CreateAliasCommand({ AliasName: 'alias/prod-db', TargetKeyId: k })), 'AccessDeniedException');
    await operator.client().send(new CreateAliasCommand({ AliasName: 'alias/dev-db', TargetKeyId: k }));
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/prod-api', TargetKeyId: k }));
    await expectKmsError(operator.client().send(new DeleteAliasCommand({ AliasName: 'alias/prod-api' })), 'AccessDeniedException');
    await expectKmsError(operator.client().send(new UpdateAliasCommand({ AliasName: 'alias/prod-api', TargetKeyId: k })), 'AccessDeniedException');
    await operator.client().send(new DeleteAliasCommand({ AliasName: 'alias/dev-db' }));
  });

  it('a Deny on kms:RequestAlias applies to alias management (the alias named in the request)', async () => {
    const operator = await createTestPrincipal(server, 'request-alias-operator', {
      policy: identity(
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { StringLike: { 'kms:RequestAlias': 'alias/finance-*' } } },
      ),
    });
    const k = await createKey();
    await expectKmsError(operator.client().send(new CreateAliasCommand({ AliasName: 'alias/finance-ledger', TargetKeyId: k })), 'AccessDeniedException');
    await operator.client().send(new CreateAliasCommand({ AliasName: 'alias/marketing-ledger', TargetKeyId: k }));
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/finance-books', TargetKeyId: k }));
    // And to every operation that names a key by that alias.
    await expectKmsError(operator.client().send(new EncryptCommand({ KeyId: 'alias/finance-books', Plaintext: bytes('x') })), 'AccessDeniedException');
    await operator.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') }));
  });

  it('kms:ResourceAliases (the aliases of the key) drives conditions on operations acting on the key', async () => {
    const user = await createTestPrincipal(server, 'resource-aliases-user', {
      policy: identity({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/app-*' } } }),
    });
    const k = await createKey();
    await expectKmsError(user.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') })), 'AccessDeniedException');
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/app-orders', TargetKeyId: k }));
    await user.client().send(new EncryptCommand({ KeyId: k, Plaintext: bytes('x') }));
  });

  it('the dev admin (AdministratorAccess on "*") still creates, repoints and deletes aliases', async () => {
    const [a, b] = [await createKey(), await createKey()];
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/admin-made', TargetKeyId: a }));
    await admin.send(new UpdateAliasCommand({ AliasName: 'alias/admin-made', TargetKeyId: b }));
    assert.equal(await targetOf('alias/admin-made'), b);
    await admin.send(new DeleteAliasCommand({ AliasName: 'alias/admin-made' }));
  });

  it('a key has at most 50 aliases (AWS quota), so kms:ResourceAliases always sees them all', async () => {
    const k = await createKey();
    for (let i = 0; i < 50; i++) await admin.send(new CreateAliasCommand({ AliasName: `alias/many-${String(i).padStart(2, '0')}`, TargetKeyId: k }));
    await expectKmsError(admin.send(new CreateAliasCommand({ AliasName: 'alias/many-50', TargetKeyId: k })), 'LimitExceededException');
    const other = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: other }));
    await expectKmsError(admin.send(new UpdateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: k })), 'LimitExceededException');
  });
});

describe('alias existence is not revealed to a caller without rights', () => {
  it('Encrypt and DescribeKey by alias: the same AccessDenied, message included, before and after the alias exists and whatever key it names', async () => {
    const [a, b] = [await createKey(), await createKey()];
    const name = 'alias/secret-project';
    const answers = async () =>
      Promise.all([
        expectKmsError(nobody.client().send(new EncryptCommand({ KeyId: name, Plaintext: bytes('x') })), 'AccessDeniedException'),
        expectKmsError(nobody.client().send(new DescribeKeyCommand({ KeyId: aliasArn(name) })), 'AccessDeniedException'),
      ]).then((es) => es.map((e) => [e.message, e.$metadata.httpStatusCode]));
    const missing = await answers();
    assert.equal(missing[0]?.[0], `User: ${nobody.arn} is not authorized to perform: kms:Encrypt on resource: ${aliasArn(name)} because no policy allows the kms:Encrypt action`);
    await admin.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: a }));
    assert.deepEqual(await answers(), missing);
    await admin.send(new UpdateAliasCommand({ AliasName: name, TargetKeyId: b }));
    assert.deepEqual(await answers(), missing);
  });

  it('a caller allowed the action on "*" but not kms:DescribeKey: an alias of a key that excludes it answers like a missing alias', async () => {
    const encryptor = await createTestPrincipal(server, 'alias-encryptor', { policy: identity({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }) });
    const excluded = (await admin.send(new CreateKeyCommand({ Policy: policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: 'kms:*', Resource: '*' }) }))).KeyMetadata?.Arn;
    const name = 'alias/excluded-key';
    const before = await expectKmsError(encryptor.client().send(new EncryptCommand({ KeyId: name, Plaintext: bytes('x') })), 'AccessDeniedException');
    await admin.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: excluded }));
    const after = await expectKmsError(encryptor.client().send(new EncryptCommand({ KeyId: name, Plaintext: bytes('x') })), 'AccessDeniedException');
    assert.equal(after.message, before.message);
  });

  it('UpdateAlias and DeleteAlias: the same AccessDenied for an existing and a missing alias', async () => {
    const k = await createKey();
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/exists', TargetKeyId: k }));
    for (const [op, existing, missing] of [
      ['delete', new DeleteAliasCommand({ AliasName: 'alias/exists' }), new DeleteAliasCommand({ AliasName: 'alias/missing' })],
      ['update', new UpdateAliasCommand({ AliasName: 'alias/exists', TargetKeyId: k }), new UpdateAliasCommand({ AliasName: 'alias/missing', TargetKeyId: k })],
    ] as const) {
      // The SDK's send is overloaded per command type; each pair is sent through the same client.
      const client = nobody.client();
      const a = await expectKmsError(client.send(existing as DeleteAliasCommand), 'AccessDeniedException');
      const b = await expectKmsError(client.send(missing as DeleteAliasCommand), 'AccessDeniedException');
      assert.equal(a.message.replace('alias/exists', 'ALIAS'), b.message.replace('alias/missing', 'ALIAS'), op);
    }
  });
});

describe('encryption-context keys that differ only in case (kms:EncryptionContext:<key> is case-insensitive)', () => {
  let key: string;
  let tenantUser: TestPrincipal;
  before(async () => {
    tenantUser = await createTestPrincipal(server, 'tenant-user', {
      policy: identity(
        { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'restricted' } } },
      ),
    });
    key = await createKey();
  });

  it('a Deny on tenant=restricted holds whichever spelling carries the value, in either order', async () => {
    await tenantUser.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: { tenant: 'open' } }));
    const contexts: Record<string, string>[] = [{ tenant: 'restricted', TENANT: 'x' }, { TENANT: 'x', tenant: 'restricted' }, { Tenant: 'restricted' }];
    for (const context of contexts) {
      await expectKmsError(tenantUser.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: context })), 'AccessDeniedException');
    }
  });

  it('an Allow on tenant=a is not satisfied while another spelling says tenant=b', async () => {
    const scoped = await createTestPrincipal(server, 'tenant-a-user', {
      policy: identity({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'a' } } }),
    });
    await scoped.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: { tenant: 'a' } }));
    await scoped.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: { tenant: 'a', TENANT: 'a' } }));
    for (const context of [{ tenant: 'a', TENANT: 'b' }, { TENANT: 'b', tenant: 'a' }]) {
      await expectKmsError(scoped.client().send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x'), EncryptionContext: context })), 'AccessDeniedException');
    }
  });
});
