import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { callOperation } from '../../src/cli/client.js';
import { isLoopback, type DevModeOptions } from '../../src/server/dev-mode.js';
import { readSeedFile } from '../../src/server/dev-seed.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { harness } from '../helpers/operation-harness.js';
import { ARCA_BIN, REPO_ROOT, tempDataDir } from '../helpers/server.js';

const SEED = join(REPO_ROOT, 'test', 'fixtures', 'dev-seed.yaml');
const SEEDED_ID = '11111111-2222-3333-4444-555555555555';

/** An SDK client with dummy credentials, as test suites written for LocalStack or moto use. */
function dummyClient(endpoint: string): KMSClient {
  return new KMSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
}

const servers: InProcessServer[] = [];
async function devServer(devMode: DevModeOptions): Promise<InProcessServer> {
  const s = await startInProcess({ devMode, regions: 'any' });
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) await s.close();
});

async function aliases(client: KMSClient): Promise<string[]> {
  return ((await client.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName ?? '').sort();
}

describe('arca dev for test suites (issue 20)', () => {
  it('--seed creates the listed keys (fixed ids, aliases, tags, rotation, state) and principals with their policies', async () => {
    const s = await devServer({ seed: readSeedFile(SEED) });
    const kms = kmsClient(s);
    assert.deepEqual(await aliases(kms), ['alias/known-material', 'alias/orders', 'alias/signer']);
    const euKms = new KMSClient({ endpoint: s.endpoint, region: 'eu-west-1', credentials: s.credentials, maxAttempts: 1 });
    const euOrders = (await euKms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }))).KeyMetadata;
    assert.equal(euOrders?.Description, 'Orders (EU)', 'a seeded key with a region is created there');
    const orders = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/orders' }))).KeyMetadata;
    assert.equal(orders?.KeyId, SEEDED_ID);
    assert.equal(orders?.Description, 'Orders');
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: SEEDED_ID }))).Tags, [{ TagKey: 'team', TagValue: 'payments' }]);
    const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: SEEDED_ID }));
    assert.equal(rotation.KeyRotationEnabled, true);
    assert.equal(rotation.RotationPeriodInDays, 365);
    const signer = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/signer' }))).KeyMetadata;
    assert.equal(signer?.KeySpec, 'ECC_NIST_P256');
    assert.equal(signer?.KeyState, 'Disabled');
    const known = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/known-material' }))).KeyMetadata;
    assert.equal(known?.Origin, 'EXTERNAL');
    assert.equal(known?.KeyState, 'Enabled');
    const admin = { endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials };
    const policy = await callOperation(admin, 'ArcaService.GetPrincipalPolicy', { PrincipalName: 'ci-app', PolicyName: 'encrypt-only' });
    assert.match(String(policy['PolicyDocument']), /kms:Encrypt/);
    assert.ok(s.logs.some((l) => l.includes('INSECURE: seeded keys with key material')), 'a seed with known material is logged loudly');
  });

  it('keys seeded with the same insecureMaterial decrypt each other\'s ciphertexts on two servers', async () => {
    const seed = readSeedFile(SEED);
    const [a, b] = [await devServer({ seed }), await devServer({ seed })];
    const blob = (await kmsClient(a).send(new EncryptCommand({ KeyId: 'alias/known-material', Plaintext: Buffer.from('same bytes') }))).CiphertextBlob;
    // The ciphertext names the key id, which differs between the servers: decrypt names the key explicitly.
    const keyB = (await kmsClient(b).send(new DescribeKeyCommand({ KeyId: 'alias/known-material' }))).KeyMetadata?.KeyId;
    const ordersB = await kmsClient(b).send(new EncryptCommand({ KeyId: 'alias/orders', Plaintext: Buffer.from('x') }));
    assert.equal(ordersB.KeyId?.endsWith(SEEDED_ID), true, 'the fixed id is the same on both servers');
    await expectKmsError(kmsClient(b).send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyB })), 'IncorrectKeyException');
    // Same fixed id and same material: the blob decrypts on the other server.
    const fixed = { keys: [{ id: '22222222-2222-3333-4444-555555555555', insecureMaterial: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=' }] };
    const [c, d] = [await devServer({ seed: fixed }), await devServer({ seed: fixed })];
    const sealed = (await kmsClient(c).send(new EncryptCommand({ KeyId: fixed.keys[0]?.id, Plaintext: Buffer.from('same bytes') }))).CiphertextBlob;
    const opened = await kmsClient(d).send(new DecryptCommand({ CiphertextBlob: sealed }));
    assert.equal(Buffer.from(opened.Plaintext ?? []).toString(), 'same bytes');
  });

  it('POST /moto-api/reset empties the state, applies the seed again, and keeps the admin credentials and the audit trail', async () => {
    const s = await devServer({ seed: readSeedFile(SEED) });
    const kms = kmsClient(s);
    const extra = (await kms.send(new CreateKeyCommand({ Description: 'made by a test' }))).KeyMetadata?.KeyId;
    const admin = { endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials };
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'temp-user' });
    const res = await fetch(`${s.endpoint}/moto-api/reset`, { method: 'POST' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    await expectKmsError(kms.send(new DescribeKeyCommand({ KeyId: extra })), 'NotFoundException');
    assert.deepEqual(await aliases(kms), ['alias/known-material', 'alias/orders', 'alias/signer']);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: SEEDED_ID }))).KeyMetadata?.Description, 'Orders');
    const names = ((await callOperation(admin, 'ArcaService.ListPrincipals', {}))['Principals'] as { PrincipalName: string }[]).map((p) => p.PrincipalName).sort();
    assert.deepEqual(names, ['admin', 'ci-app']);
    const events = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'Reset' }))['Events'] as { eventName?: string; errorCode?: string }[];
    assert.equal(events.length, 1, 'the reset is one audited event');
    const created = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'CreateKey' }))['Events'] as unknown[];
    assert.ok(created.length >= 7, 'events from before the reset stay in the trail');
  });

  it('ArcaService.Reset through the API, as the admin; refused where there is no dev mode (arca server)', async () => {
    const s = await devServer({});
    const kms = kmsClient(s);
    await kms.send(new CreateKeyCommand({}));
    const admin = { endpoint: s.endpoint, region: 'us-east-1', credentials: s.credentials };
    const out = await callOperation(admin, 'ArcaService.Reset', {});
    assert.equal(out['KeysDeleted'], 1);
    assert.deepEqual(await aliases(kms), []);
    const h = await harness(); // the server composition's ports: no dev mode
    const refused = await h.call('Reset', {}, { service: 'ArcaService' });
    assert.equal(refused.error?.code, 'UnsupportedOperation');
    assert.match(refused.error?.message ?? '', /dev mode only/);
    const fixedId = await h.call('CreateKey', { ArcaDevKeyId: SEEDED_ID });
    assert.equal(fixedId.error?.code, 'UnsupportedOperation', 'a fixed key id is for dev mode only');
    await h.close();
  });

  it('--accept-any-credentials serves dummy credentials as the admin user; without it they are refused', async () => {
    const open = await devServer({ acceptAnyCredentials: true });
    const id = (await dummyClient(open.endpoint).send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
    assert.ok(id);
    const admin = { endpoint: open.endpoint, region: 'us-east-1', credentials: open.credentials };
    const events = (await callOperation(admin, 'ArcaService.ListAuditEvents', { EventName: 'CreateKey' }))['Events'] as { userIdentity?: { accessKeyId?: string; arn?: string } }[];
    assert.equal(events[0]?.userIdentity?.accessKeyId, 'test', 'the audit event keeps the access key the client sent');
    assert.match(events[0]?.userIdentity?.arn ?? '', /:user\/admin$/);
    // A known access key is still verified: the admin's key with a wrong secret is refused.
    const wrong = new KMSClient({ endpoint: open.endpoint, region: 'us-east-1', credentials: { accessKeyId: open.credentials.accessKeyId, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    await expectKmsError(wrong.send(new CreateKeyCommand({})), 'InvalidSignatureException');
    const strict = await devServer({});
    await expectKmsError(dummyClient(strict.endpoint).send(new CreateKeyCommand({})), 'UnrecognizedClientException');
  });

  it('/moto-api/reset answers loopback callers only', () => {
    assert.equal(isLoopback('127.0.0.1'), true);
    assert.equal(isLoopback('::1'), true);
    assert.equal(isLoopback('::ffff:127.0.0.1'), true);
    assert.equal(isLoopback('10.0.0.5'), false);
    assert.equal(isLoopback('::ffff:10.0.0.5'), false);
  });

  it('arca server has no --accept-any-credentials (nor --ephemeral, --seed)', async () => {
    for (const flag of ['--accept-any-credentials', '--ephemeral', '--seed=x.yaml']) {
      const { code, out } = await run(['server', flag]);
      assert.equal(code, 2, `arca server ${flag}: ${out}`);
      assert.match(out, /Unknown option|unknown option/);
    }
  });

  it('--ephemeral starts in a temporary data directory and removes it at exit; bad combinations are refused', async () => {
    const dev = await startDevServerEphemeral();
    const dir = /data directory: (\S+) \(ephemeral/.exec(dev.output())?.[1];
    assert.ok(dir !== undefined && existsSync(join(dir, 'arca.db')), dev.output());
    await dev.stop();
    assert.equal(existsSync(dir), false, 'the temporary directory is removed at exit');
    const both = await run(['dev', '--ephemeral', '--data-dir', tempDataDir()]);
    assert.equal(both.code, 2);
    assert.match(both.out, /--ephemeral makes its own temporary data directory/);
    const badSeed = await run(['dev', '--ephemeral', '--seed', join(REPO_ROOT, 'package.json')]);
    assert.equal(badSeed.code, 2);
    assert.match(badSeed.out, /--seed: .*package\.json/);
  });
});

/** `arca dev --ephemeral` as a child process (no --data-dir). */
async function startDevServerEphemeral(): Promise<{ output(): string; stop(): Promise<unknown> }> {
  const child = spawn(process.execPath, [ARCA_BIN, 'dev', '--ephemeral', '--listen', '127.0.0.1:0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((ok) => child.once('exit', ok));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`no banner in 20 s:\n${out}`)), 20_000);
    child.stdout.on('data', () => {
      if (out.includes('listening on')) {
        clearTimeout(timer);
        ok();
      }
    });
  });
  return { output: () => out, stop: () => (child.kill('SIGTERM'), exited) };
}

function run(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((ok) => {
    const child = spawn(process.execPath, [ARCA_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => ok({ code, out }));
  });
}


describe('docs/testing-with-arca.md', () => {
  it('shows the seed file the tests use, as it is', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'testing-with-arca.md'), 'utf8');
    const shown = /<!-- seed: dev-seed\.yaml -->\n```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.equal(shown, readFileSync(SEED, 'utf8'));
  });
});
