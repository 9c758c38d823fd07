import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { harness, type Harness, type HarnessPrincipal } from '../../../test/helpers/operation-harness.js';
import { expectFailure } from '../../../test/helpers/operation-spec.js';

const LOGS = 'logs.amazonaws.com';
const BACKUP = 'backup.arca.internal';
const GROUP = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
const OTHER_GROUP = 'arn:aws:logs:eu-west-1:111122223333:log-group:other';

/** An identity policy allowing `actions` on every resource. */
const allow = (...actions: string[]) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });

describe('Grants to service principals and the SourceArn constraint (ADR 0021)', () => {
  let h: Harness;
  let keyId: string;
  let logs: HarnessPrincipal;
  let backup: HarnessPrincipal;
  let bob: HarnessPrincipal;
  const plaintext = Buffer.from('x');

  /** Creates a service-type principal (as the administrator), with an identity policy when given. */
  async function service(name: string, policy?: object): Promise<HarnessPrincipal> {
    const out = await h.ok('CreatePrincipal', { PrincipalName: name, PrincipalType: 'service' }, { service: 'ArcaService' });
    if (policy !== undefined) await h.ok('PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }, { service: 'ArcaService' });
    const p = out['Principal'] as { Arn: string; PrincipalId: string };
    return { name, id: p.PrincipalId, arn: p.Arn };
  }

  const logsGrant = (over: Record<string, unknown> = {}) => ({ KeyId: keyId, GranteeServicePrincipal: LOGS, RetiringServicePrincipal: LOGS, Operations: ['Encrypt', 'RetireGrant'], Constraints: { SourceArn: GROUP }, ...over });

  before(async () => {
    h = await harness();
    keyId = await h.key();
    logs = await service(LOGS, allow('kms:ListRetirableGrants'));
    backup = await service(BACKUP, allow('kms:ListRetirableGrants'));
    bob = await h.principal('bob');
  });
  after(() => h.close());

  describe('CreateGrant validation (AWS rules, answered before authorization)', () => {
    const message = async (input: Record<string, unknown>) => (await expectFailure(h, 'CreateGrant', input, 'ValidationFailed')).message;

    it('needs a grantee: GranteePrincipal or GranteeServicePrincipal', async () => {
      assert.equal(await message({ KeyId: keyId, Operations: ['Encrypt'] }), "1 validation error detected: Value null at 'granteePrincipal' failed to satisfy constraint: Member must not be null");
    });

    it('refuses both GranteePrincipal and GranteeServicePrincipal', async () => {
      assert.equal(
        await message(logsGrant({ GranteePrincipal: bob.arn })),
        "1 validation error detected: Value 'logs.amazonaws.com' at 'granteeServicePrincipal' failed to satisfy constraint: Member must be null when GranteePrincipal is specified",
      );
    });

    it('refuses both RetiringPrincipal and RetiringServicePrincipal', async () => {
      assert.equal(
        await message({ KeyId: keyId, GranteePrincipal: bob.arn, RetiringPrincipal: bob.arn, RetiringServicePrincipal: LOGS, Operations: ['Encrypt'] }),
        "1 validation error detected: Value 'logs.amazonaws.com' at 'retiringServicePrincipal' failed to satisfy constraint: Member must be null when RetiringPrincipal is specified",
      );
    });

    it('a grant to a service principal needs a SourceArn constraint', async () => {
      assert.equal(await message(logsGrant({ Constraints: undefined })), "1 validation error detected: Value null at 'constraints.sourceArn' failed to satisfy constraint: Member must not be null");
      assert.equal(await message(logsGrant({ Constraints: { EncryptionContextSubset: { a: 'b' } } })), "1 validation error detected: Value null at 'constraints.sourceArn' failed to satisfy constraint: Member must not be null");
    });

    it('a grant to a service principal needs a retiring principal of either kind', async () => {
      assert.equal(await message(logsGrant({ RetiringServicePrincipal: undefined })), "1 validation error detected: Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null");
      await h.ok('CreateGrant', logsGrant({ RetiringServicePrincipal: undefined, RetiringPrincipal: bob.arn, Name: 'retired-by-bob' }));
    });

    it('refuses a service principal that is no service principal name (an ARN, upper case, no dot)', async () => {
      for (const name of ['arn:aws:iam::111122223333:user/bob', 'Logs.amazonaws.com', 'logs']) {
        assert.equal(
          await message(logsGrant({ GranteeServicePrincipal: name })),
          `1 validation error detected: Value '${name}' at 'granteeServicePrincipal' failed to satisfy constraint: Member must be a service principal name: a lower-case DNS name such as logs.amazonaws.com`,
        );
      }
      assert.match(await message(logsGrant({ RetiringServicePrincipal: 'arn:aws:iam::111122223333:user/bob' })), /at 'retiringServicePrincipal' failed to satisfy constraint: Member must be a service principal name/);
    });

    it('refuses a SourceArn that is no ARN', async () => {
      assert.match(await message(logsGrant({ Constraints: { SourceArn: 'log-group:app' } })), /Value 'log-group:app' at 'constraints.sourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    });
  });

  it('lets the service principal use the grant only for the SourceArn it names', async () => {
    const key = await h.key();
    await expectFailure(h, 'Encrypt', { KeyId: key, Plaintext: plaintext }, 'AccessDenied', { as: logs });
    await h.ok('CreateGrant', logsGrant({ KeyId: key }));
    await h.ok('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: logs, sourceArn: GROUP });
    assert.equal((await h.call('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: logs, sourceArn: OTHER_GROUP })).error?.code, 'AccessDenied');
    assert.equal((await h.call('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: logs })).error?.code, 'AccessDenied');
    // Only what the grant lists, and only for the service principal it names.
    assert.equal((await h.call('DescribeKey', { KeyId: key }, { as: logs, sourceArn: GROUP })).error?.code, 'AccessDenied');
    assert.equal((await h.call('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: backup, sourceArn: GROUP })).error?.code, 'AccessDenied');
  });

  it('refuses a source ARN from a caller that is not a service principal, whatever its rights', async () => {
    for (const caller of [h.admin, bob, await service('ci-runner')]) {
      const e = await h.fails('DescribeKey', { KeyId: keyId }, { as: caller, sourceArn: GROUP });
      assert.equal(e.code, 'AccessDenied');
      assert.match(e.message, /is not a service principal and cannot make a request on behalf of a source ARN/);
    }
  });

  it('a SourceArn constraint on a grant to an IAM principal allows that principal nothing (it never has a source ARN)', async () => {
    const key = await h.key();
    await h.ok('CreateGrant', { KeyId: key, GranteePrincipal: bob.arn, Operations: ['Encrypt'], Constraints: { SourceArn: GROUP } });
    assert.equal((await h.call('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: bob })).error?.code, 'AccessDenied');
  });

  it('a user or a service account named like the service principal is not it', async () => {
    const key = await h.key();
    await h.ok('CreateGrant', logsGrant({ KeyId: key, GranteeServicePrincipal: 'svc.example.internal', RetiringServicePrincipal: 'svc.example.internal' }));
    const namesake = await h.principal('svc.example.internal');
    assert.equal((await h.call('Encrypt', { KeyId: key, Plaintext: plaintext }, { as: namesake })).error?.code, 'AccessDenied');
  });

  it('ListGrants shows the service principals and the SourceArn; only the service principal filters by its name', async () => {
    const key = await h.key();
    const { GrantId } = await h.ok('CreateGrant', logsGrant({ KeyId: key, Constraints: { SourceArn: GROUP, EncryptionContextSubset: { app: 'x' } } }));
    const grants = (await h.ok('ListGrants', { KeyId: key }))['Grants'] as Record<string, unknown>[];
    assert.equal(grants.length, 1);
    assert.equal(grants[0]?.['GrantId'], GrantId);
    assert.equal(grants[0]?.['GranteeServicePrincipal'], LOGS);
    assert.equal(grants[0]?.['GranteePrincipal'], LOGS, 'AWS shows the service principal as the grantee principal too');
    assert.equal(grants[0]?.['RetiringServicePrincipal'], LOGS);
    assert.equal(grants[0]?.['RetiringPrincipal'], undefined);
    assert.deepEqual(grants[0]?.['Constraints'], { EncryptionContextSubset: { app: 'x' }, SourceArn: GROUP });
    // The filter is for callers that are the service principal (AWS: "only usable by callers in a service principal").
    await expectFailure(h, 'ListGrants', { KeyId: key, GranteeServicePrincipal: LOGS }, 'AccessDenied');
    const mine = await service('lister.arca.internal', allow('kms:ListGrants'));
    const listed = (await h.ok('ListGrants', { KeyId: key, GranteeServicePrincipal: 'lister.arca.internal' }, { as: mine }))['Grants'] as unknown[];
    assert.deepEqual(listed, []);
    const filtered = (await h.ok('ListGrants', { KeyId: key, GranteeServicePrincipal: LOGS }, { as: await withPolicy(logs, allow('kms:ListGrants', 'kms:ListRetirableGrants')) }))['Grants'] as Record<string, unknown>[];
    assert.deepEqual(filtered.map((g) => g['GrantId']), [GrantId]);
    await expectFailure(h, 'ListGrants', { KeyId: key, GranteePrincipal: bob.arn, GranteeServicePrincipal: LOGS }, 'ValidationFailed');
  });

  /** Replaces `p`'s identity policy (service principals keep their name). */
  async function withPolicy(p: HarnessPrincipal, policy: object): Promise<HarnessPrincipal> {
    await h.ok('PutPrincipalPolicy', { PrincipalName: p.name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }, { service: 'ArcaService' });
    return p;
  }

  it('ListRetirableGrants by RetiringServicePrincipal: the service principal lists its own; anyone else is refused', async () => {
    const key = await h.key();
    const { GrantId } = await h.ok('CreateGrant', logsGrant({ KeyId: key, RetiringServicePrincipal: BACKUP }));
    const page = (await h.ok('ListRetirableGrants', { RetiringServicePrincipal: BACKUP }, { as: backup }))['Grants'] as Record<string, unknown>[];
    assert.ok(page.some((g) => g['GrantId'] === GrantId && g['RetiringServicePrincipal'] === BACKUP));
    await expectFailure(h, 'ListRetirableGrants', { RetiringServicePrincipal: BACKUP }, 'AccessDenied', { as: logs });
    await expectFailure(h, 'ListRetirableGrants', { RetiringServicePrincipal: BACKUP }, 'AccessDenied');
    // By RetiringPrincipal (an ARN), a grant retired by a service principal is not listed.
    const byArn = (await h.ok('ListRetirableGrants', { RetiringPrincipal: backup.arn }))['Grants'] as Record<string, unknown>[];
    assert.ok(!byArn.some((g) => g['GrantId'] === GrantId));
    const e = await expectFailure(h, 'ListRetirableGrants', {}, 'ValidationFailed');
    assert.equal(e.message, "1 validation error detected: Value null at 'retiringPrincipal' failed to satisfy constraint: Member must not be null");
    await expectFailure(h, 'ListRetirableGrants', { RetiringPrincipal: bob.arn, RetiringServicePrincipal: BACKUP }, 'ValidationFailed');
  });

  it('RetireGrant: the retiring service principal retires the grant, with no source ARN needed; another service principal cannot', async () => {
    const key = await h.key();
    const { GrantId } = await h.ok('CreateGrant', logsGrant({ KeyId: key, Operations: ['Encrypt'], RetiringServicePrincipal: BACKUP }));
    assert.equal((await h.call('RetireGrant', { KeyId: key, GrantId }, { as: logs, sourceArn: GROUP })).error?.code, 'AccessDenied');
    await h.ok('RetireGrant', { KeyId: key, GrantId }, { as: backup });
    assert.deepEqual((await h.ok('ListGrants', { KeyId: key }))['Grants'], []);
  });

  it('RetireGrant: the grantee service principal retires a grant that lists RetireGrant, SourceArn not applying', async () => {
    const key = await h.key();
    const { GrantId } = await h.ok('CreateGrant', logsGrant({ KeyId: key, RetiringServicePrincipal: BACKUP }));
    await h.ok('RetireGrant', { KeyId: key, GrantId }, { as: logs });
    assert.deepEqual((await h.ok('ListGrants', { KeyId: key }))['Grants'], []);
  });

  it('a named CreateGrant repeated with the same service principals returns the same grant; another SourceArn makes a new one', async () => {
    const key = await h.key();
    const first = await h.ok('CreateGrant', logsGrant({ KeyId: key, Name: 'logs' }));
    assert.equal((await h.ok('CreateGrant', logsGrant({ KeyId: key, Name: 'logs' })))['GrantId'], first['GrantId']);
    assert.notEqual((await h.ok('CreateGrant', logsGrant({ KeyId: key, Name: 'logs', Constraints: { SourceArn: OTHER_GROUP } })))['GrantId'], first['GrantId']);
  });

  it('records the service principals in the CreateGrant audit event', async () => {
    await h.ok('CreateGrant', logsGrant());
    const params = h.lastEvent().requestParameters;
    assert.equal(params?.['granteeServicePrincipal'], LOGS);
    assert.equal(params?.['retiringServicePrincipal'], LOGS);
    assert.deepEqual(params?.['constraints'], { SourceArn: GROUP });
  });

  describe('condition keys on CreateGrant', () => {
    /** A principal allowed CreateGrant on every key only when `condition` holds. */
    const granter = async (name: string, condition: object) =>
      h.principal(name, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateGrant', Resource: '*', Condition: condition }] });

    it('kms:GranteeServicePrincipal', async () => {
      const carol = await granter('carol', { StringEquals: { 'kms:GranteeServicePrincipal': LOGS } });
      await h.ok('CreateGrant', logsGrant(), { as: carol });
      await expectFailure(h, 'CreateGrant', logsGrant({ GranteeServicePrincipal: BACKUP }), 'AccessDenied', { as: carol });
      await expectFailure(h, 'CreateGrant', { KeyId: keyId, GranteePrincipal: bob.arn, Operations: ['Encrypt'] }, 'AccessDenied', { as: carol });
    });

    it('kms:RetiringServicePrincipal', async () => {
      const dave = await granter('dave', { StringEquals: { 'kms:RetiringServicePrincipal': BACKUP } });
      await h.ok('CreateGrant', logsGrant({ RetiringServicePrincipal: BACKUP }), { as: dave });
      await expectFailure(h, 'CreateGrant', logsGrant(), 'AccessDenied', { as: dave });
    });

    it('kms:GrantConstraintSourceArn', async () => {
      const erin = await granter('erin', { ArnLike: { 'kms:GrantConstraintSourceArn': 'arn:aws:logs:*:111122223333:log-group:app' } });
      await h.ok('CreateGrant', logsGrant(), { as: erin });
      await expectFailure(h, 'CreateGrant', logsGrant({ Constraints: { SourceArn: OTHER_GROUP } }), 'AccessDenied', { as: erin });
    });

    it('in a key policy too', async () => {
      const frank = await h.principal('frank');
      const key = await h.key({
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: h.admin.arn }, Action: 'kms:*', Resource: '*' },
            { Effect: 'Allow', Principal: { AWS: frank.arn }, Action: 'kms:CreateGrant', Resource: '*', Condition: { StringEquals: { 'kms:GranteeServicePrincipal': BACKUP } } },
          ],
        }),
      });
      await h.ok('CreateGrant', logsGrant({ KeyId: key, GranteeServicePrincipal: BACKUP }), { as: frank });
      await expectFailure(h, 'CreateGrant', logsGrant({ KeyId: key }), 'AccessDenied', { as: frank });
    });
  });

  it('aws:SourceArn and aws:PrincipalServiceName are usable in policy conditions', async () => {
    const key = await h.key();
    const reporter = await service('reports.arca.internal', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:*:log-group:app' }, StringEquals: { 'aws:PrincipalServiceName': 'reports.arca.internal', 'aws:SourceAccount': '111122223333' } } }],
    });
    await h.ok('DescribeKey', { KeyId: key }, { as: reporter, sourceArn: GROUP });
    assert.equal((await h.call('DescribeKey', { KeyId: key }, { as: reporter, sourceArn: OTHER_GROUP })).error?.code, 'AccessDenied');
    assert.equal((await h.call('DescribeKey', { KeyId: key }, { as: reporter })).error?.code, 'AccessDenied');
  });
});
