import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { startInProcess, type InProcessServer } from '../../../test/helpers/in-process.js';
import { callOperation, type ClientConfig } from '../client.js';
import { withGlobalOptions } from '../globals.js';
import { applyCommand, type ApplyIo } from './command.js';
import { arr, rec, str } from './live.js';
import type { Plan } from './plan.js';
import { lineDiff, withContext } from './render.js';

const ACCOUNT = '111122223333';

describe('arca apply: replace, regions, grants, principals, approval rules, confirmation', () => {
  let server: InProcessServer;
  let dir: string;
  let config: ClientConfig;
  let env: NodeJS.ProcessEnv;
  const file = () => join(dir, 'arca.yaml');
  const call = (target: string, input: Record<string, unknown>, region?: string) => callOperation(region === undefined ? config : { ...config, region }, target, input);

  before(async () => {
    server = await startInProcess({ regions: ['eu-west-1'] });
    dir = mkdtempSync(join(tmpdir(), 'arca-apply-more-'));
    const c = server.credentials;
    config = { endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } };
    env = { ARCA_ENDPOINT: c.endpoint, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_REGION: c.region };
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function arca(io: Partial<ApplyIo>, ...args: string[]): Promise<{ status: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const full: ApplyIo = { out: (t) => void (out += t), err: (t) => void (err += t), interactive: false, colour: false, confirm: () => Promise.resolve(false), env, ...io };
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      await withGlobalOptions(new Command('arca')).addCommand(applyCommand(full)).exitOverride().parseAsync(args, { from: 'user' });
      return { status: Number(process.exitCode ?? 0), out, err };
    } finally {
      process.exitCode = before;
    }
  }
  const plan = async (): Promise<{ status: number; plan: Plan }> => {
    const r = await arca({}, '--output', 'json', 'apply', '-f', file(), '--plan');
    return { status: r.status, plan: JSON.parse(r.out) as Plan };
  };
  const write = (keySpec: string, grantOps: string, policyAction: string) =>
    writeFileSync(file(), [
      'keys:',
      '  - alias: alias/eu-data',
      '    region: eu-west-1',
      '    tags: { site: eu }',
      '  - alias: alias/mac',
      `    keySpec: ${keySpec}`,
      '    keyUsage: GENERATE_VERIFY_MAC',
      '    grants:',
      '      - name: ci-mac',
      `        granteePrincipal: arn:aws:iam::${ACCOUNT}:user/ci`,
      `        operations: [${grantOps}]`,
      'principals:',
      '  - name: ci',
      '    policies:',
      `      mac: { Version: "2012-10-17", Statement: [{ Effect: Allow, Action: "${policyAction}", Resource: "*" }] }`,
      'approvalRules:',
      '  - name: guard-mac-deletion',
      '    operations: [ScheduleKeyDeletion]',
      '    keys: { aliases: [alias/mac] }',
      `    approvers: { principalArns: ["arn:aws:iam::${ACCOUNT}:user/ci"] }`,
      '    quorum: 1',
    ].join('\n') + '\n');

  it('asks on a terminal: anything but yes changes nothing (exit 2); yes applies; colour only on a terminal', async () => {
    write('HMAC_256', 'GenerateMac', 'kms:GenerateMac');
    const questions: string[] = [];
    const no = await arca({ interactive: true, colour: true, confirm: (q) => (questions.push(q), Promise.resolve(false)) }, 'apply', '-f', file());
    assert.equal(no.status, 2);
    assert.match(no.err, /not confirmed/);
    assert.match(no.out, /\u001b\[32m\+ create key alias\/mac/, 'green on a terminal');
    assert.equal(questions.length, 1);
    assert.equal((await plan()).plan.summary.create, 4, 'nothing was made: 2 keys, a principal and a rule still to create');

    const yes = await arca({ interactive: true, confirm: () => Promise.resolve(true) }, 'apply', '-f', file());
    assert.equal(yes.status, 0, yes.err);
    assert.doesNotMatch(yes.out, /\u001b\[/, 'no colour when not asked');
    const again = await plan();
    assert.equal(again.status, 0, JSON.stringify(again.plan));

    const eu = rec((await call('TrentService.DescribeKey', { KeyId: 'alias/eu-data' }, 'eu-west-1'))['KeyMetadata']);
    assert.match(str(eu['Arn']), /^arn:aws:kms:eu-west-1:/, 'the key was made in its region');
    await assert.rejects(call('TrentService.DescribeKey', { KeyId: 'alias/eu-data' }), /NotFound/, 'and not in the home region');
    const rules = arr((await call('ArcaService.ListApprovalRules', {}))['Rules']).map(rec);
    assert.deepEqual(rules.map((r) => r['RuleName']), ['guard-mac-deletion']);
  });

  it('plans a grant, identity policy and rule drift, and a replace when the key spec changes', async () => {
    write('HMAC_384', 'GenerateMac, VerifyMac', 'kms:VerifyMac');
    const rule = { RuleName: 'guard-mac-deletion', Operations: ['ScheduleKeyDeletion'], Keys: { Aliases: ['alias/mac'] }, Approvers: { PrincipalArns: [`arn:aws:iam::${ACCOUNT}:user/ci`] }, Quorum: 1, Description: 'by hand' };
    await call('ArcaService.PutApprovalRule', rule);
    const old = str(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/mac' }))['KeyMetadata'])['KeyId']);
    const { status, plan: p } = await plan();
    assert.equal(status, 2);
    const byName = new Map(p.changes.map((c) => [`${c.resource} ${c.name}`, c]));
    const mac = byName.get('key alias/mac');
    assert.equal(mac?.action, 'replace');
    assert.equal(mac?.keyId, old);
    assert.deepEqual(mac?.changes.find((c) => c.field === 'keySpec'), { field: 'keySpec', from: 'HMAC_256', to: 'HMAC_384' });
    assert.deepEqual(mac?.changes.find((c) => c.field === 'aliases.alias/mac'), { field: 'aliases.alias/mac', from: old, to: 'this key' });
    assert.deepEqual(byName.get('principal ci')?.changes.map((c) => c.field), ['policies.mac']);
    assert.equal(byName.get('approvalRule guard-mac-deletion')?.action, 'update');
    assert.deepEqual(p.summary, { create: 0, update: 2, replace: 1, delete: 0 });

    const r = await arca({}, 'apply', '-f', file(), '--auto-approve');
    assert.equal(r.status, 0, r.err);
    assert.equal((await plan()).status, 0, 'converged');
    const now = rec((await call('TrentService.DescribeKey', { KeyId: 'alias/mac' }))['KeyMetadata']);
    assert.notEqual(now['KeyId'], old);
    assert.equal(now['KeySpec'], 'HMAC_384');
    const grants = arr((await call('TrentService.ListGrants', { KeyId: str(now['KeyId']) }))['Grants']).map(rec);
    assert.deepEqual(grants.map((g) => [g['Name'], arr(g['Operations']).sort()]), [['ci-mac', ['GenerateMac', 'VerifyMac']]]);
    assert.equal(rec((await call('TrentService.DescribeKey', { KeyId: old }))['KeyMetadata'])['KeyState'], 'Enabled', 'the replaced key is left as it is');
  });

  it('revokes a grant made by hand on a key whose grants the file lists', async () => {
    const keyId = str(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/mac' }))['KeyMetadata'])['KeyId']);
    await call('TrentService.CreateGrant', { KeyId: keyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/ci`, Operations: ['VerifyMac'], Name: 'by-hand' });
    const { plan: p } = await plan();
    assert.deepEqual(p.changes.flatMap((c) => c.changes.map((f) => [f.field, f.to === undefined])), [['grants.by-hand', true]]);
    assert.equal((await arca({}, 'apply', '-f', file(), '--auto-approve', '--output', 'json')).status, 0);
    assert.equal(arr((await call('TrentService.ListGrants', { KeyId: keyId }))['Grants']).length, 1);
  });

  it('with --prune, a replaced managed key is scheduled for deletion after its alias moves; --output yaml', async () => {
    write('HMAC_512', 'GenerateMac, VerifyMac', 'kms:VerifyMac');
    const old = str(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/mac' }))['KeyMetadata'])['KeyId']);
    const yaml = await arca({}, '--output', 'yaml', 'apply', '-f', file(), '--plan', '--prune');
    assert.equal(yaml.status, 2);
    // Two deletions: the key replaced now, and the HMAC_256 key replaced by the test before (managed, no alias left).
    assert.match(yaml.out, /^summary:\n {2}create: 0\n {2}update: 0\n {2}replace: 1\n {2}delete: 2\n/m);
    assert.match(yaml.out, new RegExp(`- action: delete\\n {4}resource: key\\n {4}name: alias/mac\\n {4}region: us-east-1\\n {4}keyId: ${old}\\n`));
    assert.equal((await arca({}, 'apply', '-f', file(), '--prune', '--auto-approve')).status, 0);
    assert.equal(rec((await call('TrentService.DescribeKey', { KeyId: old }))['KeyMetadata'])['KeyState'], 'PendingDeletion');
    assert.equal(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/mac' }))['KeyMetadata'])['KeySpec'], 'HMAC_512');
  });

  it('stops at a refused operation with one line: the AWS code and message (exit 1)', async () => {
    writeFileSync(file(), 'keys:\n  - alias: alias/broken\n    policy: "this is not JSON"\n');
    const r = await arca({}, 'apply', '-f', file(), '--auto-approve');
    assert.equal(r.status, 1);
    assert.match(r.err, /^arca: MalformedPolicyDocumentException: .+\n$/);
  });

  it('folds unchanged lines of a document diff, keeping three around each change', () => {
    const a = ['{', '1', '2', '3', '4', '5', 'x', '6', '7', '8', '9', '}'];
    const b = a.map((l) => (l === 'x' ? 'y' : l));
    assert.deepEqual(withContext(lineDiff(a, b), 3), ['  ...', '  3', '  4', '  5', '- x', '+ y', '  6', '  7', '  8', '  ...']);
    assert.deepEqual(lineDiff(['a'], []), ['- a']);
    assert.deepEqual(lineDiff([], ['a']), ['+ a']);
  });
});
