import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BackupRefused } from '../../src/core/backup-file.js';
import { InsecureDevFileRootOfTrust } from '../../src/root/insecure-dev-file-root.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { inspectBackup, restoreBackup } from '../../src/server/backup.js';
import { backupRows, loseDataDir, populateForDrill, serveRestored, type DrillData } from '../helpers/backup-drill.js';
import { startInProcess } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { TestClock } from '../helpers/lifecycle.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

describe('arca backup on SQLite: the drill, and what a backup refuses', () => {
  const work = tempDataDir('arca-backup-');
  const source = join(work, 'source');
  const rootFile = join(work, 'kept-dev-root.key');
  const file = join(work, 'store.arcabak');
  const offline = join(work, 'offline.arcabak');
  let data: DrillData;
  let publicKey = '';

  before(async () => {
    mkdirSync(source);
    const clock = new TestClock();
    const server = await startInProcess({ dataDir: source, clock, schedulerIntervalMs: 0 });
    const kms = kmsClient(server);
    try {
      data = await populateForDrill(kms, clock, () => server.app.scheduler.runNow());
      assert.ok(await server.app.audit.checkpoint(), 'a signed tree head');
      // Made by the serving server (ArcaService.CreateBackup through the CLI), copied here with --out.
      const made = await arcaAsync(server, 'backup', 'create', '--out', file, '--output', 'json');
      const summary = JSON.parse(made) as { Path: string; Bytes: number; SignerPublicKey: string; Counts: Record<string, number> };
      assert.ok(summary.Path.startsWith(join(source, 'backups')), summary.Path);
      assert.equal(summary.Bytes, readFileSync(file).length);
      publicKey = summary.SignerPublicKey;
      // The offline form: the command opens the store (one read transaction beside the serving writer) and the dev root.
      const header = await createBackupFile(source, offline, {});
      assert.equal(header.signer.publicKey, publicKey);
      // The same keys (the trail has grown by the CreateBackup request meanwhile).
      for (const table of ['keys', 'key_versions', 'key_destructions']) assert.equal(header.counts[table], summary.Counts[table], table);
    } finally {
      kms.destroy();
      await server.close();
    }
    loseDataDir(source, rootFile);
  });
  after(() => removeDir(work));

  it('drill: restore into a new data directory, serve, decrypt every ciphertext, audit verify passes, new operations continue', async () => {
    const target = join(work, 'restored');
    const report = await restoreBackup(readFileSync(file), { to: target, root: { devRootFile: rootFile } });
    assert.equal(report.engine, 'sqlite');
    assert.ok(report.restored.find((t) => t.table === 'key_versions')!.rows >= 4);
    await serveRestored(target, data);
  });

  it('the offline form (--from) makes a file that restores too', async () => {
    const target = join(work, 'restored-offline');
    const report = await restoreBackup(readFileSync(offline), { to: target, root: { devRootFile: rootFile } });
    assert.equal(report.restored.find((t) => t.table === 'keys')!.rows, inspectBackup(readFileSync(file)).header.counts['keys']);
  });

  it('no resurrection: a key destroyed before the backup has no material in it, and its destruction record is there', async () => {
    const rows = await backupRows(readFileSync(file), rootFile);
    const versions = rows.get('key_versions') ?? [];
    assert.ok(versions.length >= 4);
    assert.equal(versions.filter((r) => r[0] === data.destroyedKeyId).length, 0);
    assert.equal((rows.get('key_destructions') ?? []).filter((r) => r[0] === data.destroyedKeyId).length, 1);
    const key = (rows.get('keys') ?? []).find((r) => r[0] === data.destroyedKeyId);
    assert.ok(key !== undefined && typeof key[11] === 'number', 'the key row says when it was destroyed');
  });

  it('verify: offline, no secret; reports the header; pinned to the trail key', () => {
    const r = inspectBackup(readFileSync(file), Buffer.from(publicKey, 'base64'));
    assert.equal(r.header.source.engine, 'sqlite');
    assert.equal(r.header.root.kind, 'insecure-dev-file');
    assert.ok((r.header.counts['keys'] ?? 0) >= 5 && (r.header.counts['audit_events'] ?? 0) > 0);
    const cli = spawnSync(process.execPath, [ARCA_BIN, 'backup', 'verify', file, '--public-key', publicKey, '--output', 'json'], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
    assert.equal(cli.status, 0, cli.stderr);
    const out = JSON.parse(cli.stdout) as { ok: boolean; signerPinned: boolean; counts: Record<string, number> };
    assert.equal(out.ok, true);
    assert.equal(out.signerPinned, true);
    assert.deepEqual(out.counts, r.header.counts);
  });

  /** Each damaged file is refused by verify (exit 2) and by restore, which writes nothing. */
  const damaged: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['a flipped payload byte', (b) => flip(b, b.length - 200), /signature does not verify/],
    ['a flipped header byte', (b) => flip(b, 30), /signature does not verify|not valid JSON|lacks/],
    ['a flipped signature byte', (b) => flip(b, b.length - 1), /signature does not verify/],
    ['a truncated file', (b) => b.subarray(0, b.length - 100), /truncated/],
    ['a file cut inside the header', (b) => b.subarray(0, 40), /truncated/],
    ['bytes appended', (b) => Buffer.concat([b, Buffer.from('x')]), /after its signature/],
    ['not a backup', () => Buffer.from('hello, world'), /not an Arca backup file/],
  ];
  for (const [what, damage, message] of damaged) {
    it(`refuses ${what}: verify exits 2, restore writes nothing`, async () => {
      const bad = join(work, `bad-${what.replace(/\W+/g, '-')}.arcabak`);
      writeFileSync(bad, damage(readFileSync(file)));
      const cli = spawnSync(process.execPath, [ARCA_BIN, 'backup', 'verify', bad], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
      assert.equal(cli.status, 2, cli.stdout + cli.stderr);
      assert.match(cli.stderr, message);
      const target = join(work, `target-${what.replace(/\W+/g, '-')}`);
      await assert.rejects(restoreBackup(readFileSync(bad), { to: target, root: { devRootFile: rootFile } }), (e) => e instanceof BackupRefused && message.test(e.message));
      assert.equal(existsSync(join(target, 'arca.db')), false);
    });
  }

  it('refuses a file signed by another key than the pinned one', () => {
    assert.throws(() => inspectBackup(readFileSync(file), Buffer.alloc(32, 7)), /not by the trusted key/);
  });

  it('refuses another root of trust (another dev root file) with a clear error, writing nothing', async () => {
    const other = join(work, 'other-root.key');
    InsecureDevFileRootOfTrust.openOrCreate(other).seal();
    const target = join(work, 'wrong-root');
    await assert.rejects(restoreBackup(readFileSync(file), { to: target, root: { devRootFile: other } }), (e) => e instanceof BackupRefused && /made under another root/.test(e.message));
    assert.equal(existsSync(join(target, 'arca.db')), false);
  });

  it('refuses a target that already holds a store, leaving it as it was', async () => {
    const target = join(work, 'occupied');
    mkdirSync(target);
    writeFileSync(join(target, 'arca.db'), 'not touched');
    const cli = spawnSync(process.execPath, [ARCA_BIN, 'backup', 'restore', file, '--to', target, '--dev-root', rootFile], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });
    assert.equal(cli.status, 2, cli.stdout + cli.stderr);
    assert.match(cli.stderr, /restore only into a new data directory/);
    assert.equal(readFileSync(join(target, 'arca.db'), 'utf8'), 'not touched');
  });
});

/** Runs the built CLI against an in-process server without blocking its event loop. */
async function arcaAsync(server: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string; region: string } }, ...args: string[]): Promise<string> {
  const env = { PATH: process.env['PATH'], ARCA_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: server.credentials.region };
  return (await promisify(execFile)(process.execPath, [ARCA_BIN, ...args], { encoding: 'utf8', env })).stdout;
}

function flip(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b);
  out[at] = (out[at] ?? 0) ^ 0x01;
  return out;
}
