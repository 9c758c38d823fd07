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
import { rec, str } from './live.js';
import type { Plan } from './plan.js';

const ACCOUNT = '111122223333';
const policy = (sid: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
});

function fileText(opts: { withSigning: boolean }): string {
  return [
    'deletionWindowInDays: 7',
    'keys:',
    '  - alias: alias/app-data',
    '    description: application data',
    '    tags: { team: payments, env: prod }',
    '    policyFile: policies/app-data.json',
    '    rotationPeriodInDays: 365',
    '    grants:',
    '      - name: reader',
    `        granteePrincipal: arn:aws:iam::${ACCOUNT}:user/app-reader`,
    '        operations: [Decrypt]',
    ...(opts.withSigning ? ['  - alias: alias/release-signing', '    keySpec: ECC_NIST_P256', '    keyUsage: SIGN_VERIFY', '    tags: { team: release }'] : []),
    'principals:',
    '  - name: app-reader',
    '    tags: { team: payments }',
    '    policies:',
    '      read-app-data:',
    '        Version: "2012-10-17"',
    '        Statement:',
    '          - { Effect: Allow, Action: ["kms:Decrypt"], Resource: "*" }',
  ].join('\n') + '\n';
}

describe('arca apply (policy as code, issue 23)', () => {
  let server: InProcessServer;
  let dir: string;
  let config: ClientConfig;
  let env: NodeJS.ProcessEnv;
  const file = () => join(dir, 'arca.yaml');
  const call = (target: string, input: Record<string, unknown>) => callOperation(config, target, input);

  before(async () => {
    server = await startInProcess();
    dir = mkdtempSync(join(tmpdir(), 'arca-apply-'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'app-data.json'), JSON.stringify(policy('FileOwnsThisKey'), null, 2));
    writeFileSync(file(), fileText({ withSigning: true }));
    const c = server.credentials;
    config = { endpoint: c.endpoint, region: c.region, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } };
    env = { ARCA_ENDPOINT: c.endpoint, AWS_ACCESS_KEY_ID: c.accessKeyId, AWS_SECRET_ACCESS_KEY: c.secretAccessKey, AWS_REGION: c.region };
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `arca <args>` with the apply command; returns the exit status and what it printed. */
  async function arca(...args: string[]): Promise<{ status: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const io: ApplyIo = { out: (t) => void (out += t), err: (t) => void (err += t), interactive: false, colour: false, confirm: () => Promise.resolve(false), env };
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      await withGlobalOptions(new Command('arca')).addCommand(applyCommand(io)).exitOverride().parseAsync(args, { from: 'user' });
      return { status: Number(process.exitCode ?? 0), out, err };
    } finally {
      process.exitCode = before;
    }
  }
  const planJson = async (...extra: string[]): Promise<{ status: number; plan: Plan }> => {
    const r = await arca('apply', '-f', file(), '--plan', '--output', 'json', ...extra);
    return { status: r.status, plan: JSON.parse(r.out) as Plan };
  };

  it('plans creates on a fresh server (exit 2), applies them, and then plans nothing (exit 0)', async () => {
    const plan = await arca('apply', '-f', file(), '--plan');
    assert.equal(plan.status, 2, plan.err);
    assert.match(plan.out, /^\+ create key alias\/app-data \(us-east-1\)$/m);
    assert.match(plan.out, /^\+ create key alias\/release-signing/m);
    assert.match(plan.out, /^\+ create principal app-reader$/m);
    assert.match(plan.out, /^ {6}\+ {7}"Sid": "FileOwnsThisKey",$/m, 'the policy from policyFile, as added lines');
    assert.match(plan.out, /Plan: 3 to create, 0 to update, 0 to replace, 0 to delete\./);

    const refused = await arca('apply', '-f', file());
    assert.equal(refused.status, 2, 'not on a terminal and no --auto-approve: refused');
    assert.match(refused.err, /--auto-approve/);
    assert.equal((await planJson()).plan.summary.create, 3, 'the refusal changed nothing');

    const applied = await arca('apply', '-f', file(), '--auto-approve');
    assert.equal(applied.status, 0, applied.err);
    assert.match(applied.out, /Applied: 3 change\(s\)/);

    const again = await arca('apply', '-f', file(), '--plan');
    assert.equal(again.status, 0, again.out + again.err);
    assert.match(again.out, /No changes/);

    const meta = rec((await call('TrentService.DescribeKey', { KeyId: 'alias/app-data' }))['KeyMetadata']);
    const tags = (await call('TrentService.ListResourceTags', { KeyId: str(meta['KeyId']) }))['Tags'];
    assert.deepEqual(tags, [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'managed-by', TagValue: 'arca-apply' }, { TagKey: 'team', TagValue: 'payments' }].filter((t) => JSON.stringify(tags).includes(t.TagKey)));
    assert.equal((await call('TrentService.GetKeyRotationStatus', { KeyId: str(meta['KeyId']) }))['RotationPeriodInDays'], 365);
    const grants = (await call('TrentService.ListGrants', { KeyId: str(meta['KeyId']) }))['Grants'];
    assert.equal(Array.isArray(grants) ? grants.length : -1, 1);
  });

  it('shows exactly the drift made by hand (a tag and the policy) and converges it', async () => {
    const keyId = str(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/app-data' }))['KeyMetadata'])['KeyId']);
    await call('TrentService.TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'someone-else' }] });
    await call('TrentService.PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(policy('ChangedByHand')) });

    const { status, plan } = await planJson();
    assert.equal(status, 2);
    assert.deepEqual(plan.summary, { create: 0, update: 1, replace: 0, delete: 0 });
    const change = plan.changes[0];
    assert.equal(change?.name, 'alias/app-data');
    assert.equal(change?.keyId, keyId);
    assert.deepEqual(change?.changes.map((c) => c.field).sort(), ['policy', 'tags.team']);
    assert.deepEqual(change?.changes.find((c) => c.field === 'tags.team'), { field: 'tags.team', from: 'someone-else', to: 'payments' });

    const text = await arca('apply', '-f', file(), '--plan');
    assert.match(text.out, /^~ update key alias\/app-data \(us-east-1, [0-9a-f-]{36}\)$/m);
    assert.match(text.out, /^ {6}- {7}"Sid": "ChangedByHand",$/m);
    assert.match(text.out, /^ {6}\+ {7}"Sid": "FileOwnsThisKey",$/m);
    assert.match(text.out, /^ {14}"Effect": "Allow",$/m, 'unchanged lines are kept as context');
    assert.match(text.out, /~ tags\.team: "someone-else" → "payments"/);

    assert.equal((await arca('apply', '-f', file(), '--auto-approve')).status, 0);
    assert.equal((await planJson()).status, 0, 'converged');
    const live = str((await call('TrentService.GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' }))['Policy']);
    assert.match(live, /FileOwnsThisKey/);
  });

  it('never deletes without --prune; with it, schedules deletion of managed keys only, with the file window', async () => {
    const unmanaged = str(rec((await call('TrentService.CreateKey', { Description: 'made by hand' }))['KeyMetadata'])['KeyId']);
    const signing = str(rec((await call('TrentService.DescribeKey', { KeyId: 'alias/release-signing' }))['KeyMetadata'])['KeyId']);
    writeFileSync(file(), fileText({ withSigning: false }));

    const without = await planJson();
    assert.equal(without.status, 0, `a key dropped from the file is left alone without --prune: ${JSON.stringify(without.plan)}`);
    assert.equal(without.plan.changes.length, 0);

    const pruning = await planJson('--prune');
    assert.equal(pruning.status, 2);
    assert.deepEqual(pruning.plan.changes.map((c) => [c.action, c.name, c.keyId]), [['delete', 'alias/release-signing', signing]], 'only the managed key, never the one made by hand');
    assert.match((await arca('apply', '-f', file(), '--plan', '--prune')).out, /^- delete key alias\/release-signing .*\(schedule deletion\)$/m);

    const t0 = Date.now();
    const r = await arca('apply', '-f', file(), '--prune', '--auto-approve');
    assert.equal(r.status, 0, r.err);
    const meta = rec((await call('TrentService.DescribeKey', { KeyId: signing }))['KeyMetadata']);
    assert.equal(meta['KeyState'], 'PendingDeletion');
    const days = (Number(meta['DeletionDate']) * 1000 - t0) / 86_400_000;
    assert.ok(days > 6.9 && days < 7.1, `deletion in the file's 7 days, not ${days}`);
    assert.equal(rec((await call('TrentService.DescribeKey', { KeyId: unmanaged }))['KeyMetadata'])['KeyState'], 'Enabled');
    assert.equal((await planJson('--prune')).status, 0, 'nothing left to prune');
  });

  it('refuses an invalid file, or one alias naming two keys, with one line naming the problem (exit 1)', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'keys:\n  - alias: app-data\n    colour: blue\n');
    const r = await arca('apply', '-f', bad, '--plan');
    assert.equal(r.status, 1);
    assert.match(r.err, /^arca: apply: .*bad\.yaml: keys\.0/);
    writeFileSync(bad, 'keys:\n  - alias: alias/twice\n  - alias: alias/other\n    aliases: [alias/twice]\n');
    const twice = await arca('apply', '-f', bad, '--plan');
    assert.equal(twice.status, 1);
    assert.equal(twice.err, 'arca: apply: keys.1: alias/twice names two keys of us-east-1\n');
  });
});
