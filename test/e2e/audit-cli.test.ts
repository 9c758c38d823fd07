import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rawRequest } from '../helpers/raw-request.js';
import { ARCA_BIN, removeDir, startDevServer, type DevServer } from '../helpers/server.js';

function cliEnv(server: DevServer): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ARCA_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: server.credentials.region,
  };
}

function arca(server: DevServer, ...args: string[]) {
  const env = cliEnv(server);
  return spawnSync(process.execPath, [ARCA_BIN, 'audit', ...args], { encoding: 'utf8', env });
}

describe('arca audit', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach(removeDir));

  it('verifies online and offline, queries, exports, and names tampering with the store after a restart', async () => {
    let server = await startDevServer();
    const dataDir = server.dataDir;
    dirs.push(dataDir);
    try {
      const created = await rawRequest(server, { target: 'TrentService.CreateKey', body: '{}' });
      const keyId = String((created.json()['KeyMetadata'] as { KeyId: string }).KeyId);
      for (let i = 0; i < 5; i++) await rawRequest(server, { target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: keyId, Plaintext: 'aGVsbG8=' }) });

      const online = arca(server, 'verify');
      assert.equal(online.status, 0, online.stdout + online.stderr);
      assert.match(online.stdout, /^OK: \d+ events/);
      assert.match(online.stdout, /OK: [1-9]\d* proofs from the server verified/);

      const tailer = spawn(process.execPath, [ARCA_BIN, 'audit', 'tail', '-f', '--interval', '100'], { env: cliEnv(server), stdio: ['ignore', 'pipe', 'inherit'] });
      let tailed = '';
      tailer.stdout.on('data', (d: Buffer) => (tailed += d.toString('utf8')));
      try {
        await new Promise((ok) => setTimeout(ok, 300));
        await rawRequest(server, { target: 'TrentService.GenerateRandom', body: '{"NumberOfBytes": 3}' });
        for (let i = 0; i < 100 && !tailed.includes('"GenerateRandom"'); i++) await new Promise((ok) => setTimeout(ok, 100));
        assert.ok(tailed.includes('"GenerateRandom"'), 'tail -f printed the new event');
      } finally {
        tailer.kill();
      }

      const query = arca(server, 'query', '--operation', 'Encrypt', '--key', keyId, '--limit', '3');
      assert.equal(query.status, 0, query.stderr);
      const lines = query.stdout.trim().split('\n').map((l) => JSON.parse(l) as { eventName: string });
      assert.equal(lines.length, 3);
      assert.ok(lines.every((e) => e.eventName === 'Encrypt'));

      const file = join(dataDir, 'export.jsonl');
      const keyFile = join(dataDir, 'audit.pub');
      assert.equal(arca(server, 'export', '--out', file).status, 0);
      const pub = arca(server, 'public-key');
      writeFileSync(keyFile, pub.stdout);
      const offline = arca(server, 'verify', '--file', file, '--public-key', keyFile);
      assert.equal(offline.status, 0, offline.stdout + offline.stderr);

      const text = readFileSync(file, 'utf8').split('\n');
      text.splice(3, 1); // line 0 is the header: this drops event 3
      writeFileSync(file, text.join('\n'));
      const broken = arca(server, 'verify', '--file', file, '--public-key', keyFile);
      assert.equal(broken.status, 1);
      assert.match(broken.stdout, /FAILED: missing at event 3/);

      assert.equal(await server.stop(), 0);
      const db = new Database(join(dataDir, 'arca.db'));
      const tail = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? 0;
      const signed = db.prepare<[], { n: number }>('SELECT MAX(tree_size) AS n FROM audit_tree_heads').get()?.n ?? 0;
      assert.equal(signed, tail, 'a tree head was signed at shutdown');
      db.prepare("UPDATE audit_events SET body = replace(body, '\"Encrypt\"', '\"Decrypt\"') WHERE seq = 3").run();
      db.close();

      server = await startDevServer({ dataDir });
      assert.equal(arca(server, 'public-key').stdout, pub.stdout, 'the signing key survives a restart');
      const tampered = arca(server, 'verify');
      assert.equal(tampered.status, 1);
      assert.match(tampered.stdout, /FAILED: modified at event 3/);
    } finally {
      await server.stop();
    }
  });
});
