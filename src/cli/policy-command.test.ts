import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startInProcess, type InProcessServer } from '../../test/helpers/in-process.js';
import { ArcaCallError, callOperation, type ClientConfig } from './client.js';
import { runCommand } from './cli-test-run.js';
import { record } from './compliance-report.js';
import { policyCommand, simulateRequest } from './policy-command.js';

const ACCOUNT = '111122223333';
const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const ROOT = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:*', 'arca:SimulateKeyPolicy'], Resource: '*' };
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: [ROOT, ...statements] });

describe('arca policy simulate (request)', () => {
  const read = (file: string) => `<${file}>`;
  test('a key policy, a window and a limit make the request; the identity variant needs a principal', () => {
    const now = new Date('2026-01-08T00:00:00.000Z');
    assert.deepEqual(simulateRequest({ key: 'alias/k', policy: 'p.json', since: '7d', limit: '50' }, now, read), { KeyId: 'alias/k', PolicyDocument: '<p.json>', StartTime: '2026-01-01T00:00:00.000Z', Limit: 50 });
    assert.deepEqual(simulateRequest({ key: 'k', identityPolicy: 'i.json', principal: 'alice', policyName: 'app' }, now, read), { KeyId: 'k', IdentityPolicy: { PrincipalName: 'alice', PolicyDocument: '<i.json>', PolicyName: 'app' } });
    assert.equal(typeof simulateRequest({ key: 'k' }, now, read), 'string');
    assert.equal(typeof simulateRequest({ key: 'k', identityPolicy: 'i.json' }, now, read), 'string');
    assert.equal(typeof simulateRequest({ key: 'k', policy: 'p.json', since: 'a week' }, now, read), 'string');
    assert.equal(typeof simulateRequest({ key: 'k', policy: 'p.json', limit: '0' }, now, read), 'string');
  });
});

describe('arca policy simulate against recorded requests', () => {
  let server: InProcessServer;
  let admin: ClientConfig;
  let dir: string;
  let key: string;
  const users: Record<string, ClientConfig> = {};
  const call = (as: ClientConfig, target: string, input: Record<string, unknown>) => callOperation(as, target, input);
  const saved = { ...process.env };
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const simulate = async (...args: string[]) => {
    const out = await runCommand(policyCommand, ['--endpoint', server.endpoint, '--output', 'json', 'policy', 'simulate', '--key', key, ...args]);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as { Replayed: number; Evaluated: number; Changes: Record<string, unknown>[]; Unknown: { Reason: string; Count: number }[] };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'arca-simulate-'));
    server = await startInProcess();
    const { accessKeyId, secretAccessKey, region } = server.credentials;
    admin = { endpoint: server.endpoint, region, credentials: { accessKeyId, secretAccessKey }, tls: undefined };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_REGION: region });
    key = String(record((await call(admin, 'TrentService.CreateKey', { Policy: policy() }))['KeyMetadata'])['Arn']);
    // alice and bob may encrypt and decrypt (identity policies, delegated by the key policy); carol may not.
    for (const name of ['alice', 'bob', 'carol']) {
      await call(admin, 'ArcaService.CreatePrincipal', { PrincipalName: name });
      if (name !== 'carol') {
        const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] };
        await call(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'app', PolicyDocument: JSON.stringify(doc) });
      }
      const made = record((await call(admin, 'ArcaService.CreateAccessKey', { PrincipalName: name }))['AccessKey']);
      users[name] = { ...admin, credentials: { accessKeyId: String(made['AccessKeyId']), secretAccessKey: String(made['SecretAccessKey']) } };
    }
    const as = (name: string) => users[name] ?? admin;
    const blob = (await call(as('alice'), 'TrentService.Encrypt', { KeyId: key, Plaintext: Buffer.from('recorded').toString('base64') }))['CiphertextBlob'];
    await call(as('alice'), 'TrentService.Decrypt', { CiphertextBlob: blob });
    await call(as('alice'), 'TrentService.Decrypt', { CiphertextBlob: blob });
    await call(as('bob'), 'TrentService.Decrypt', { CiphertextBlob: blob });
    // A refusal names no key among its resources; this one named the key in its KeyId.
    await assert.rejects(call(as('carol'), 'TrentService.Decrypt', { CiphertextBlob: blob, KeyId: key }), (e: unknown) => e instanceof ArcaCallError && e.type === 'AccessDeniedException');
  });
  after(async () => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a new Deny of kms:Decrypt for alice flags exactly her two decrypts, and nothing else', async () => {
    const candidate = file('deny-alice.json', policy({ Effect: 'Deny', Principal: { AWS: arnOf('alice') }, Action: 'kms:Decrypt', Resource: '*' }));
    const out = await simulate('--policy', candidate);
    assert.deepEqual(
      out.Changes.map((c) => [c['Principal'], c['Action'], c['CurrentDecision'], c['CandidateDecision'], c['Change']]),
      [
        [arnOf('alice'), 'kms:Decrypt', 'Allow', 'Deny', 'ALLOWED_TO_DENIED'],
        [arnOf('alice'), 'kms:Decrypt', 'Allow', 'Deny', 'ALLOWED_TO_DENIED'],
      ],
    );
    assert.deepEqual(out.Unknown, []);
    assert.equal(out.Evaluated, 5, "alice's encrypt, the three decrypts and carol's refused one were replayed");
  });

  test('allowing carol flips her refused decrypt the other way; the current policy as candidate changes nothing', async () => {
    const allowCarol = file('allow-carol.json', policy({ Effect: 'Allow', Principal: { AWS: arnOf('carol') }, Action: 'kms:Decrypt', Resource: '*' }));
    const out = await simulate('--policy', allowCarol);
    assert.deepEqual(out.Changes.map((c) => [c['Principal'], c['Change'], c['RecordedErrorCode']]), [[arnOf('carol'), 'DENIED_TO_ALLOWED', 'AccessDenied']]);
    const same = await simulate('--policy', file('same.json', policy()));
    assert.deepEqual(same.Changes, []);
  });

  test('a condition on a fact the events do not record makes them unknown, with the reason', async () => {
    const tls = file('tls.json', policy({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    const out = await simulate('--policy', tls);
    assert.deepEqual(out.Changes, []);
    assert.equal(out.Evaluated, 0);
    assert.equal(out.Unknown.length, 1);
    assert.match(out.Unknown[0]?.Reason ?? '', /aws:SecureTransport/);
    assert.equal(out.Unknown[0]?.Count, out.Replayed);
  });

  test('a candidate identity policy for bob that drops Decrypt flags his decrypt only', async () => {
    const encryptOnly = file('bob.json', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }));
    const out = await simulate('--identity-policy', encryptOnly, '--principal', 'bob', '--policy-name', 'app');
    assert.deepEqual(out.Changes.map((c) => [c['Principal'], c['Action'], c['CandidateDecision']]), [[arnOf('bob'), 'kms:Decrypt', 'ImplicitDeny']]);
  });

  test('a table by default; a caller the key policy does not delegate arca:SimulateKeyPolicy to fails with one line', async () => {
    const table = await runCommand(policyCommand, ['--endpoint', server.endpoint, 'policy', 'simulate', '--key', key, '--policy', file('t.json', policy({ Effect: 'Deny', Principal: { AWS: arnOf('alice') }, Action: 'kms:Decrypt', Resource: '*' }))]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^Change\s+EventTime\s+Principal/);
    assert.equal((table.stdout.match(/ALLOWED_TO_DENIED/g) ?? []).length, 2);
    const plain = String(record((await call(admin, 'TrentService.CreateKey', {}))['KeyMetadata'])['Arn']);
    const refused = await runCommand(policyCommand, ['--endpoint', server.endpoint, 'policy', 'simulate', '--key', plain, '--policy', file('p.json', policy())]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^arca: AccessDeniedException: .*arca:SimulateKeyPolicy/);
    const usage = await runCommand(policyCommand, ['--endpoint', server.endpoint, 'policy', 'simulate', '--key', key]);
    assert.equal(usage.code, 2);
  });
});
