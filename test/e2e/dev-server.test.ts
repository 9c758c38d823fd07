import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rawRequest } from '../helpers/raw-request.js';
import { callOperation } from '../../src/cli/client.js';
import { ARCA_BIN, REPO_ROOT, removeDir, startDevServer, tempDataDir } from '../helpers/server.js';

describe('arca dev', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  it('prints the endpoint, the credentials and an example, and writes credentials.env', async () => {
    const server = await startDevServer();
    dirs.push(server.dataDir);
    try {
      const out = server.output();
      assert.match(out, /WARNING: dev mode/);
      assert.match(out, new RegExp(`access key id:\\s+${server.credentials.accessKeyId}`));
      assert.match(out, /aws --endpoint-url \$ARCA_ENDPOINT kms create-key/);
      const env = readFileSync(join(server.dataDir, 'credentials.env'), 'utf8');
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_ENDPOINT_URL_KMS', 'ARCA_ENDPOINT']) {
        assert.match(env, new RegExp(`^export ${name}=\\S+$`, 'm'), name);
      }
      assert.match(env, new RegExp(`AWS_ENDPOINT_URL_KMS=${server.endpoint}`));
      assert.equal(statSync(join(server.dataDir, 'credentials.env')).mode & 0o077, 0, 'credentials.env is private');
      assert.equal(statSync(join(server.dataDir, 'insecure-dev-root.key')).mode & 0o077, 0, 'the dev root key file is private');
      const res = await rawRequest(server, { target: 'TrentService.ListKeys', body: '{}' });
      assert.equal(res.status, 200);
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('honours --region, --regions and --account in ARNs and in the SigV4 scope', async () => {
    const server = await startDevServer({ args: ['--region', 'eu-west-3', '--regions', 'eu-west-3', '--account', '123456789012'] });
    dirs.push(server.dataDir);
    try {
      assert.equal(server.credentials.region, 'eu-west-3');
      const res = await rawRequest(server, { target: 'TrentService.CreateKey', body: '{}' });
      assert.match(String((res.json()['KeyMetadata'] as { Arn: string }).Arn), /^arn:aws:kms:eu-west-3:123456789012:key\//);
      const wrongRegion = await rawRequest({ ...server, credentials: { ...server.credentials, region: 'us-east-1' } }, { target: 'TrentService.ListKeys', body: '{}' });
      assert.equal(wrongRegion.json().__type, 'InvalidSignatureException');
    } finally {
      await server.stop();
    }
  });

  it('shuts down cleanly on SIGINT', async () => {
    const server = await startDevServer();
    dirs.push(server.dataDir);
    server.process.kill('SIGINT');
    assert.equal(await server.stop(), 0);
  });

  it('serves with several worker processes sharing the port and data directory (--workers 2)', async () => {
    const server = await startDevServer({ args: ['--workers', '2'] });
    dirs.push(server.dataDir);
    try {
      assert.match(server.output(), /\(2 worker processes\)/);
      const created = await Promise.all(Array.from({ length: 8 }, () => rawRequest(server, { target: 'TrentService.CreateKey', body: '{}' })));
      assert.ok(created.every((r) => r.status === 200));
      const listed = await rawRequest(server, { target: 'TrentService.ListKeys', body: '{"Limit": 100}' });
      assert.equal((listed.json()['Keys'] as unknown[]).length, 8, 'every worker sees every key');
      // Every worker caches the key it read; a change committed through one worker applies to the next
      // request on any worker (the read cache's generation counter, store/sqlite/read-cache.ts).
      const keyId = (created[0]?.json()['KeyMetadata'] as { KeyId: string }).KeyId;
      const encrypt = () => rawRequest(server, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: 'aGk=' }) });
      const statuses = async () => (await Promise.all(Array.from({ length: 8 }, encrypt))).map((r) => r.json()['__type'] ?? r.status);
      assert.deepEqual(await statuses(), Array(8).fill(200));
      assert.equal((await rawRequest(server, { target: 'TrentService.DisableKey', body: JSON.stringify({ KeyId: keyId }) })).status, 200);
      assert.deepEqual(await statuses(), Array(8).fill('DisabledException'));
      assert.equal((await rawRequest(server, { target: 'TrentService.EnableKey', body: JSON.stringify({ KeyId: keyId }) })).status, 200);
      assert.deepEqual(await statuses(), Array(8).fill(200));
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('reports every bad flag at once and exits 2', () => {
    const dir = tempDataDir();
    dirs.push(dir);
    const r = spawnSync(process.execPath, [ARCA_BIN, 'dev', '--data-dir', dir, '--listen', 'nonsense', '--account', '12', '--region', 'x'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--listen must be host:port/);
    assert.match(r.stderr, /--account must be 12 digits/);
    assert.match(r.stderr, /--region must look like an AWS region/);
  });

  it('--log-level debug writes one JSON line per request on stdout, with the request id of the answer', async () => {
    const server = await startDevServer({ args: ['--log-level', 'debug'] });
    try {
      const res = await fetch(server.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
      const id = res.headers.get('x-amzn-requestid');
      assert.ok(id);
      const deadline = Date.now() + 5000;
      let lines: Record<string, unknown>[] = [];
      while (Date.now() < deadline) {
        lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
        if (lines.some((l) => l['requestId'] === id)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const mine = lines.filter((l) => l['requestId'] === id);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]?.['level'], 'warn', 'an unsigned request fails, logged at warn');
      assert.equal(mine[0]?.['errorCode'], 'MissingAuthentication');
      const signed = { endpoint: server.endpoint, region: server.credentials.region, credentials: server.credentials };
      await callOperation(signed, 'TrentService.ListKeys', {});
      await new Promise((r) => setTimeout(r, 200));
      const successes = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['operation'] === 'ListKeys' && l['outcome'] === 'success');
      assert.equal(successes.length, 1);
      assert.equal(successes[0]?.['level'], 'debug');
      assert.match(String(successes[0]?.['requestId']), /^[0-9a-f-]{36}$/);
    } finally {
      await server.stop();
    }
    const dir = tempDataDir();
    dirs.push(dir);
    const r = spawnSync(process.execPath, [ARCA_BIN, 'dev', '--data-dir', dir, '--log-level', 'chatty'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--log-level must be one of debug, info, warn, error/);
  });

  it('refuses unknown flags with a clear message', () => {
    const r = spawnSync(process.execPath, [ARCA_BIN, 'dev', '--no-such-flag'], { encoding: 'utf8', cwd: REPO_ROOT });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no-such-flag/);
  });

  it('bin/arca --help lists the commands; an unknown command exits 2', () => {
    const help = spawnSync(process.execPath, [ARCA_BIN, '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /dev\s+run a development server/);
    const bad = spawnSync(process.execPath, [ARCA_BIN, 'frobnicate'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown command 'frobnicate'/);
  });
});

describe('arca call', () => {
  it('calls an operation with the credentials from the environment and prints JSON', async () => {
    const server = await startDevServer();
    try {
      const env = {
        PATH: process.env.PATH,
        ARCA_ENDPOINT: server.endpoint,
        AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
        AWS_REGION: server.credentials.region,
      };
      const ok = spawnSync(process.execPath, [ARCA_BIN, 'call', 'TrentService.GenerateRandom', '{"NumberOfBytes": 12}'], { encoding: 'utf8', env });
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(Buffer.from(String(JSON.parse(ok.stdout).Plaintext), 'base64').length, 12);
      const bad = spawnSync(process.execPath, [ARCA_BIN, 'call', 'TrentService.DescribeKey', '{"KeyId": "alias/missing"}'], { encoding: 'utf8', env });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /NotFoundException/);
      const unsigned = spawnSync(process.execPath, [ARCA_BIN, 'call', 'TrentService.ListKeys', '--endpoint', server.endpoint], { encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(unsigned.status, 1);
      assert.match(unsigned.stderr, /MissingAuthenticationTokenException/);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });
});
