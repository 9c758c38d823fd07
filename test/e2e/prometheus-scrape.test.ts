import { CreateKeyCommand, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

/** Why a real Prometheus cannot run here, or undefined. */
function prometheusMissing(): string | undefined {
  return spawnSync('prometheus', ['--version']).status === 0 ? undefined : 'prometheus is not on PATH; apt-get install prometheus';
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((ok) => probe.close(() => ok()));
  return port;
}

/** The value of a PromQL instant query with one result, or undefined while it has none. */
async function query(prometheus: string, promql: string): Promise<number | undefined> {
  const r = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`).catch(() => undefined);
  if (r?.ok !== true) return undefined;
  const body = (await r.json()) as { data?: { result?: { value: [number, string] }[] } };
  const value = body.data?.result?.[0]?.value[1];
  return value === undefined ? undefined : Number(value);
}

/** Polls `promql` until it equals `expected` (scrapes are every second) or the time is up; returns the last value. */
async function settle(prometheus: string, promql: string, expected: number, ms = 30_000): Promise<number | undefined> {
  const until = Date.now() + ms;
  let last: number | undefined;
  while (Date.now() < until) {
    last = await query(prometheus, promql);
    if (last === expected) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  return last;
}

const missing = prometheusMissing();
const name = 'a real Prometheus scrapes /metrics and PromQL counts the requests';
if (missing !== undefined && process.env['CI'] === 'true') {
  describe(name, () => it('needs Prometheus', () => assert.fail(`CI=true: ${missing}`)));
} else if (missing !== undefined) {
  console.error(`skipping "${name}": ${missing}`);
  describe(name, { skip: missing }, () => undefined);
} else {
  describe(name, () => {
    const token = 'prometheus-scrape-token-42';
    let arca: InProcessServer;
    let prometheus: ChildProcess | undefined;
    let url = '';
    let dir = '';
    let output = '';
    before(async () => {
      arca = await startInProcess({ metrics: { bearerToken: token } });
      dir = tempDataDir('arca-prometheus-');
      const target = new URL(arca.endpoint).host;
      // Scraped every second with the bearer token, as docs/monitoring.md's sample configuration does.
      writeFileSync(
        join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: arca\n    authorization: { credentials: ${token} }\n    static_configs: [{ targets: ['${target}'] }]\n`,
      );
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      prometheus.stderr?.on('data', (c: Buffer) => void (output += c.toString()));
      const kms = kmsClient(arca);
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
      for (const text of ['one', 'two', 'three']) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) }));
      await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.alloc(80, 7) })), 'InvalidCiphertextException');
    });
    after(async () => {
      prometheus?.kill('SIGTERM');
      if (prometheus !== undefined && prometheus.exitCode === null) await new Promise((ok) => prometheus?.once('exit', ok));
      await arca.close();
      removeDir(dir);
    });

    it('the target is up: Prometheus authenticated with the bearer token', async () => {
      assert.equal(await settle(url, 'up{job="arca"}', 1), 1, `prometheus output:\n${output.slice(-2000)}`);
    });

    it('counts the successes and the failure by operation, outcome and error code', async () => {
      assert.equal(await settle(url, 'sum(arca_requests_total{operation="Encrypt",outcome="success"})', 3), 3);
      assert.equal(await settle(url, 'sum(arca_requests_total{operation="Decrypt",outcome="failure",error_code="InvalidCiphertext"})', 1), 1);
      assert.equal(await settle(url, 'sum(arca_requests_total{operation="CreateKey"})', 1), 1);
      assert.equal(await query(url, 'sum(arca_requests_total{operation="Decrypt",outcome="success"})'), undefined, 'no Decrypt succeeded');
    });

    it('sees the latency histogram, the seal state and the keys by state and spec', async () => {
      assert.equal(await settle(url, 'sum(arca_request_duration_seconds_count{operation="Encrypt"})', 3), 3);
      assert.equal(await settle(url, 'arca_sealed', 0), 0);
      assert.equal(await settle(url, 'arca_keys{state="Enabled",key_spec="SYMMETRIC_DEFAULT"}', 1), 1);
    });

    it('sees the health gauges: leadership, storage, overdue rotations, expiring material, read-cache hits', async () => {
      assert.equal(await settle(url, 'arca_scheduler_leader', 1), 1);
      assert.equal(await settle(url, 'arca_storage_failing', 0), 0);
      assert.equal(await settle(url, 'arca_keys_rotation_overdue', 0), 0);
      assert.equal(await settle(url, 'arca_key_material_expiring_soon', 0), 0);
      assert.equal(await settle(url, 'arca_key_material_expiration_min_seconds > bool 1e300', 1), 1, 'no imported material: +Inf');
      // Four signed requests by one access key: the later ones read it from the cache.
      assert.equal(await settle(url, 'arca_read_cache_hits_total > bool 0', 1), 1);
    });
  });
}
