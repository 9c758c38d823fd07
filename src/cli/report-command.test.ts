import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startInProcess, type InProcessServer } from '../../test/helpers/in-process.js';
import { callOperation, type ClientConfig } from './client.js';
import { runCommand } from './cli-test-run.js';
import { allowsAllKms, hasCondition } from './compliance-report.js';
import { materialUses, parseSince, reportCommand, toCsv } from './report-command.js';

const ACCOUNT = '111122223333';

/** A key policy that lets the account use the key, with a condition (so the report does not flag it). */
function conditionalPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } }],
  });
}

const PLAIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }] });

describe('arca report (pure parts)', () => {
  test('reads windows in minutes, hours and days, and refuses anything else', () => {
    assert.equal(parseSince('30d'), 30 * 86_400_000);
    assert.equal(parseSince('12h'), 12 * 3_600_000);
    assert.equal(parseSince('90m'), 90 * 60_000);
    for (const bad of ['', '30', 'd', '1.5d', '-2d', '3w']) assert.equal(parseSince(bad), undefined, bad);
  });

  test('CSV quotes cells with commas, quotes and newlines', () => {
    assert.equal(toCsv([{ a: 'x,y', b: 'say "hi"' }, { a: 1 }], ['a', 'b']), 'a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });

  test('a policy has a condition only when a statement carries a non-empty Condition', () => {
    assert.equal(hasCondition(conditionalPolicy()), true);
    assert.equal(hasCondition(PLAIN_POLICY), false);
    assert.equal(hasCondition('{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{}}}'), false);
  });

  test('an identity policy allows all of KMS with an Allow of * or kms:* (any case), not with narrower actions or a Deny', () => {
    assert.equal(allowsAllKms('{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'), true);
    assert.equal(allowsAllKms('{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt","KMS:*"],"Resource":"*"}]}'), true);
    assert.equal(allowsAllKms('{"Statement":[{"Effect":"Allow","Action":["kms:Decrypt","kms:Encrypt"],"Resource":"*"}]}'), false);
    assert.equal(allowsAllKms('{"Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}'), false);
  });

  test('failed events and events of other keys do not count; events without a material id count as unrecorded', () => {
    const ok = (keyId: string, material: string | undefined, time: string) => ({ eventName: 'Decrypt', eventTime: time, responseElements: { keyId, ...(material !== undefined && { keyMaterialId: material }) } });
    const rows = materialUses(
      [ok('arn:k1', 'm1', '2026-01-01T00:00:00.000Z'), ok('arn:k1', 'm1', '2026-01-02T00:00:00.000Z'), ok('arn:k1', undefined, '2026-01-01T00:00:00.000Z'), { eventName: 'Decrypt', errorCode: 'AccessDenied', responseElements: null }],
      new Map([['arn:k1', 'm1']]),
    );
    assert.deepEqual(rows, [
      { KeyArn: 'arn:k1', KeyMaterialId: 'm1', Current: true, Decrypts: 2, LastUsed: '2026-01-02T00:00:00.000Z' },
      { KeyArn: 'arn:k1', KeyMaterialId: 'unrecorded', Current: false, Decrypts: 1, LastUsed: '2026-01-01T00:00:00.000Z' },
    ]);
  });
});

describe('arca report against a server with a prepared history', () => {
  let server: InProcessServer;
  let config: ClientConfig;
  let global: string[];
  const call = (target: string, input: Record<string, unknown>) => callOperation(config, target, input);
  const saved = { ...process.env };

  before(async () => {
    server = await startInProcess();
    const { accessKeyId, secretAccessKey, region } = server.credentials;
    config = { endpoint: server.endpoint, region, credentials: { accessKeyId, secretAccessKey }, tls: undefined };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region });
    global = ['--endpoint', server.endpoint];
  });
  after(async () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await server.close();
  });

  const newKey = async (policy: string, rotation: boolean): Promise<string> => {
    const meta = (await call('TrentService.CreateKey', { Policy: policy }))['KeyMetadata'];
    const arn = String(Object.entries(meta ?? {}).find(([k]) => k === 'Arn')?.[1]);
    if (rotation) await call('TrentService.EnableKeyRotation', { KeyId: arn });
    return arn;
  };

  test('compliance lists exactly the prepared findings (JSON), and the same rows as CSV and table', async () => {
    await newKey(conditionalPolicy(), true); // compliant: nothing to report
    const rotationOff = await newKey(conditionalPolicy(), false);
    const noCondition = await newKey(PLAIN_POLICY, true);
    const granted = await newKey(conditionalPolicy(), true);
    const pending = await newKey(conditionalPolicy(), true);
    await call('ArcaService.CreatePrincipal', { PrincipalName: 'broad' });
    await call('ArcaService.PutPrincipalPolicy', { PrincipalName: 'broad', PolicyName: 'everything', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }) });
    await call('ArcaService.CreatePrincipal', { PrincipalName: 'narrow' });
    await call('ArcaService.PutPrincipalPolicy', { PrincipalName: 'narrow', PolicyName: 'decrypt', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] }) });
    const grant = await call('TrentService.CreateGrant', { KeyId: granted, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:user/narrow`, Operations: ['Decrypt'] });
    await call('TrentService.ScheduleKeyDeletion', { KeyId: pending, PendingWindowInDays: 7 });

    const json = await runCommand(reportCommand, [...global, '--output', 'json', 'report', 'compliance']);
    assert.equal(json.code, 0, json.stderr);
    const report = JSON.parse(json.stdout);
    const found = (report.Findings as { Finding: string; Resource: string }[]).map((f) => `${f.Finding} ${f.Resource}`).sort();
    assert.deepEqual(found, [
      `GRANT_WITHOUT_EXPIRY ${granted}`,
      `PENDING_DELETION ${pending}`,
      `POLICY_WITHOUT_CONDITION ${noCondition}`,
      `PRINCIPAL_ALLOWS_ALL_KMS arn:aws:iam::${ACCOUNT}:user/admin`,
      `PRINCIPAL_ALLOWS_ALL_KMS arn:aws:iam::${ACCOUNT}:user/broad`,
      `ROTATION_DISABLED ${rotationOff}`,
    ]);
    assert.match(JSON.stringify(report.Findings), new RegExp(String(grant['GrantId'])), 'the grant finding names the grant');
    assert.equal(report.UnusedDays, 90);

    const csv = await runCommand(reportCommand, [...global, 'report', 'compliance', '--csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\r\n');
    assert.equal(lines[0], 'Finding,Resource,Detail');
    assert.equal(lines.length, 1 + found.length);

    const table = await runCommand(reportCommand, [...global, 'report', 'compliance']);
    assert.match(table.stdout, /^Finding\s+Resource\s+Detail/);
    assert.equal(table.stdout.trimEnd().split('\n').length, 1 + found.length);

    // A key unused since it was made is flagged once the window is shorter than its age: none here.
    const unused = await runCommand(reportCommand, [...global, '--output', 'json', 'report', 'compliance', '--unused-days', '1']);
    assert.equal(JSON.parse(unused.stdout).Findings.filter((f: { Finding: string }) => f.Finding === 'KEY_UNUSED').length, 0);
  });

  test('reencryption shows both key material ids of a rotated key with their decrypt counts', async () => {
    const key = await newKey(conditionalPolicy(), false);
    const encrypt = async () => (await call('TrentService.Encrypt', { KeyId: key, Plaintext: Buffer.from('secret').toString('base64') }))['CiphertextBlob'];
    const first = await encrypt();
    const before = String(Object.entries((await call('TrentService.DescribeKey', { KeyId: key }))['KeyMetadata'] ?? {}).find(([k]) => k === 'CurrentKeyMaterialId')?.[1]);
    await call('TrentService.RotateKeyOnDemand', { KeyId: key });
    const second = await encrypt();
    for (const blob of [first, first, second]) await call('TrentService.Decrypt', { CiphertextBlob: blob });
    await call('TrentService.ReEncrypt', { CiphertextBlob: first, DestinationKeyId: key });

    const out = await runCommand(reportCommand, [...global, '--output', 'json', 'report', 'reencryption', '--since', '1h', '--key', key]);
    assert.equal(out.code, 0, out.stderr);
    const rows = JSON.parse(out.stdout).Materials as { KeyArn: string; KeyMaterialId: string; Current: boolean; Decrypts: number }[];
    assert.equal(rows.length, 2, out.stdout);
    const old = rows.find((r) => r.KeyMaterialId === before);
    const current = rows.find((r) => r.KeyMaterialId !== before);
    assert.deepEqual({ key: old?.KeyArn, decrypts: old?.Decrypts, current: old?.Current }, { key, decrypts: 3, current: false }, 'two Decrypts and one ReEncrypt of the old material');
    assert.match(String(current?.KeyMaterialId), /^[0-9a-f]{64}$/);
    assert.deepEqual({ decrypts: current?.Decrypts, current: current?.Current }, { decrypts: 1, current: true });
  });

  test('a bad window is a usage error (exit 2); a key that does not exist fails with one line (exit 1)', async () => {
    const bad = await runCommand(reportCommand, [...global, 'report', 'reencryption', '--since', 'forever']);
    assert.equal(bad.code, 2);
    const missing = await runCommand(reportCommand, [...global, 'report', 'reencryption', '--key', 'alias/none']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^arca: NotFoundException: /);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
  });
});
