import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

/** Runs `bin/arca` with `input` on stdin; resolves with its exit status and output. */
function arca(args: string[], env: Record<string, string>, input = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ARCA_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('arca server and arca operator (child processes)', () => {
  const dir = tempDataDir();
  after(() => removeDir(dir));

  test('arca server reports every configuration error at once and exits 2', () => {
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'listen: 0.0.0.0:8420\ntls: { enabled: false }\naccount: 12\nroot: { type: pkcs11, module: /nonexistent.so, pinEnv: NOPE_PIN }\n');
    const r = spawnSync(process.execPath, [ARCA_BIN, 'server', '--config', config], { encoding: 'utf8', env: { ...process.env, NOPE_PIN: '' } });
    assert.equal(r.status, 2, r.stderr);
    for (const expected of ['dataDir:', 'account:', 'tls.enabled: false is allowed only on a loopback', 'root: give exactly one of tokenLabel and slot', 'root.module: cannot read']) assert.ok(r.stderr.includes(expected), `${expected} in:\n${r.stderr}`);
  });

  test('init with --share-dir, unseal from stdin with progress, status, seal; the debug log has no share or secret', async () => {
    const config = join(dir, 'arca.yaml');
    writeFileSync(config, `listen: 127.0.0.1:0\ntls:\n  enabled: false\ndataDir: ${join(dir, 'data')}\n`);
    // --log-level debug wins over --quiet: every request is logged, and the log is scanned for secrets below.
    const server = spawn(process.execPath, [ARCA_BIN, 'server', '--config', config, '--quiet', '--log-level', 'debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    server.stdout.on('data', (d: Buffer) => (out += d.toString()));
    server.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const endpoint = await new Promise<string>((ok, fail) => {
        const t = setTimeout(() => fail(new Error(`no endpoint:\n${out}`)), 20_000);
        server.stdout.on('data', () => {
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(t);
            ok(m[1]);
          }
        });
      });
      assert.match(out, /NOT INITIALIZED/);
      const env = { ARCA_ENDPOINT: endpoint, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
      const shareDir = join(dir, 'custodians');
      const init = await arca(['operator', 'init', '--shares', '3', '--threshold', '2', '--share-dir', shareDir], env);
      assert.equal(init.status, 0, init.stderr);
      assert.deepEqual(readdirSync(shareDir).sort(), ['unseal-share-1.txt', 'unseal-share-2.txt', 'unseal-share-3.txt']);
      const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(init.stdout)?.[1] ?? '';
      const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(init.stdout)?.[1] ?? '';
      assert.ok(accessKeyId.startsWith('AKIA') && secret.length === 40, init.stdout);

      const first = await arca(['operator', 'unseal'], env, readFileSync(join(shareDir, 'unseal-share-3.txt'), 'utf8'));
      assert.match(first.stdout, /1\/2; still sealed/);
      const dup = await arca(['operator', 'unseal'], env, readFileSync(join(shareDir, 'unseal-share-3.txt'), 'utf8'));
      assert.equal(dup.status, 1);
      assert.match(dup.stderr, /UnsealFailedException: .*given twice.*reset/);
      await arca(['operator', 'unseal', '--share-file', join(shareDir, 'unseal-share-1.txt')], env);
      const done = await arca(['operator', 'unseal'], env, readFileSync(join(shareDir, 'unseal-share-2.txt'), 'utf8'));
      assert.match(done.stdout, /Unsealed/);
      const status = await arca(['operator', 'status', '--output', 'json'], env);
      assert.deepEqual(JSON.parse(status.stdout), { Initialized: true, Sealed: false, RootType: 'shamir', Threshold: 2, Shares: 3, Progress: 0, ShareSetId: JSON.parse(status.stdout).ShareSetId });

      const admin = { ...env, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secret };
      assert.equal((await arca(['call', 'TrentService.ListKeys'], admin)).status, 0);
      const seal = await arca(['operator', 'seal'], admin);
      assert.equal(seal.status, 0, seal.stderr);
      const refused = await arca(['call', 'TrentService.ListKeys'], admin);
      assert.match(refused.stderr, /KMSInternalException: The key service is sealed/);
      const exited = new Promise<number | null>((ok) => server.once('exit', (code) => ok(code)));
      server.kill('SIGTERM');
      assert.equal(await exited, 0, 'arca server shuts down cleanly on SIGTERM');
      const logLines = out.split('\n').filter((l) => l.startsWith('{'));
      assert.ok(logLines.some((l) => l.includes('"operation":"Unseal"') && l.includes('"level":"debug"')), 'a debug line per request');
      const shares = readdirSync(shareDir).map((f) => readFileSync(join(shareDir, f), 'utf8').trim());
      for (const secretText of [...shares, secret]) assert.ok(!out.includes(secretText), 'a share or the admin secret in the server output');
    } finally {
      if (server.exitCode === null) {
        server.kill('SIGTERM');
        await new Promise((ok) => server.once('exit', ok));
      }
    }
  });
});
