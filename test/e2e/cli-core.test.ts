import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { ARCA_BIN, removeDir, startDevServer, tempDataDir, type DevServer } from '../helpers/server.js';

/** Runs bin/arca (the real process entry); resolves with its exit status and output. */
function arca(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ARCA_BIN, ...args], { env: { ...process.env, NO_COLOR: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('the arca CLI on commander, against a dev server (issue 23)', () => {
  let server: DevServer;
  let env: Record<string, string>;
  const dir = tempDataDir();
  before(async () => {
    server = await startDevServer();
    env = { AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: server.credentials.region, ARCA_ENDPOINT: '' };
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
    removeDir(dir);
  });

  test('global options before the command, after it, and between group and subcommand are the same', async () => {
    const created = await arca(['principal', 'create', '--name', 'cli-core-app', '--endpoint', server.endpoint, '--output', 'json'], env);
    assert.equal(created.status, 0, created.stderr);
    assert.equal(JSON.parse(created.stdout).PrincipalName, 'cli-core-app');
    const answers = await Promise.all([
      arca(['--output', 'json', '--endpoint', server.endpoint, 'principal', 'list'], env),
      arca(['principal', 'list', '--output', 'json', '--endpoint', server.endpoint], env),
      arca(['principal', '--endpoint', server.endpoint, 'list', '--output=json'], env),
    ]);
    for (const a of answers) {
      assert.equal(a.status, 0, a.stderr);
      assert.ok((JSON.parse(a.stdout) as { PrincipalName: string }[]).some((p) => p.PrincipalName === 'cli-core-app'), a.stdout);
    }
    assert.equal(answers[1]?.stdout, answers[0]?.stdout);
  });

  test('--output json and yaml on commands that print text by default; table by default', async () => {
    const e = { ...env, ARCA_ENDPOINT: server.endpoint };
    const status = await arca(['operator', 'status', '--output', 'json'], e);
    assert.equal(status.status, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).Sealed, false);
    const yaml = await arca(['--output', 'yaml', 'operator', 'status'], e);
    assert.equal((parseYaml(yaml.stdout) as { Sealed: boolean }).Sealed, false);
    const table = await arca(['operator', 'status'], e);
    assert.match(table.stdout, /^Initialized\s+Sealed/);
    const key = await arca(['audit', 'public-key', '--output', 'json'], e);
    assert.equal(key.status, 0, key.stderr);
    assert.match(JSON.parse(key.stdout).PublicKey, /^[A-Za-z0-9+/]+=*$/);
    const rules = await arca(['approvals', 'rules', '--output', 'yaml'], e);
    assert.equal(rules.status, 0, rules.stderr);
    assert.ok(Array.isArray((parseYaml(rules.stdout) as { Rules?: unknown[] }).Rules ?? []));
    const breakers = await arca(['breaker', 'list', '--output', 'json'], e);
    assert.equal(breakers.status, 0, breakers.stderr);
    assert.ok(Array.isArray(JSON.parse(breakers.stdout)));
    const call = await arca(['call', 'TrentService.ListKeys', '{"Limit": 1}', '--output', 'yaml'], e);
    assert.ok('Keys' in (parseYaml(call.stdout) as object), call.stdout);
  });

  test('a failed call is one line with the AWS code, the message and the request id; exit 1', async () => {
    const r = await arca(['principal', 'get', '--name', 'nobody-here', '--endpoint', server.endpoint], env);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^arca: \w+Exception: .+ \(request id [0-9a-f-]{36}\)\n$/);
  });

  test('--profile reads the shared-credentials file', async () => {
    const file = join(dir, 'credentials');
    writeFileSync(file, `[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n\n[arca]\naws_access_key_id = ${server.credentials.accessKeyId}\naws_secret_access_key = ${server.credentials.secretAccessKey}\n`);
    const e = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SHARED_CREDENTIALS_FILE: file, AWS_REGION: server.credentials.region };
    const ok = await arca(['--profile', 'arca', 'principal', 'list', '--endpoint', server.endpoint, '--output', 'json'], e);
    assert.equal(ok.status, 0, ok.stderr);
    const wrong = await arca(['principal', 'list', '--profile', 'default', '--endpoint', server.endpoint], e);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^arca: \w+/);
  });

  test('help at every level and unknown commands through bin/arca (server and client sides)', async () => {
    for (const args of [['operator', '--help'], ['audit', '--help'], ['help', 'principal', 'create'], ['dev', '--help'], ['--help']]) {
      const r = await arca(args, env);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0);
    }
    const unknown = await arca(['frobnicate'], env);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /^arca: unknown command 'frobnicate'/);
  });
});
