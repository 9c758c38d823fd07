import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { inspectBackup } from '../../src/server/backup.js';
import { assertAuditVerifies } from '../helpers/backup-drill.js';
import { initialize, startSealedServer, unsealWith } from '../helpers/sealed-server.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

/** `node bin/arca …` with the given environment; resolves with the exit code and output (never rejects). */
function arca(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, [ARCA_BIN, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } }, (error, stdout, stderr) => {
      ok({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const MESSAGE = 'encrypted at the old site';

describe('root-of-trust recovery drill (Shamir): a new site, no old share holder, M of N recovery custodians', () => {
  const work = tempDataDir('arca-recovery-');
  const source = join(work, 'old-site');
  const backup = join(work, 'old-site.arcabak');
  const pkg = join(work, 'recovery.json');
  const custodian = (i: number, kind: 'pub' | 'key') => join(work, `custodian-${i}.${kind}.pem`);
  const stranger = join(work, 'stranger.key.pem');
  let admin: ClientConfig;
  const blobs: { keyId: string; blob: string; algorithm?: string }[] = [];

  before(async () => {
    mkdirSync(source);
    for (const i of [1, 2, 3, 4]) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
      writeFileSync(i === 4 ? join(work, 'stranger.pub.pem') : custodian(i, 'pub'), publicKey.export({ type: 'spki', format: 'pem' }));
      writeFileSync(i === 4 ? stranger : custodian(i, 'key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    const server = await startSealedServer(source);
    let shares: string[];
    try {
      const init = await initialize(server, 3, 2);
      shares = init.shares;
      admin = init.admin;
      await unsealWith(server, shares.slice(0, 2));
      const create = async (input: Record<string, unknown>) => String(((await callOperation(admin, 'TrentService.CreateKey', input))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
      const plaintext = Buffer.from(MESSAGE).toString('base64');
      const sym = await create({});
      blobs.push({ keyId: sym, blob: String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: sym, Plaintext: plaintext }))['CiphertextBlob']) });
      const rsa = await create({ KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' });
      blobs.push({ keyId: rsa, algorithm: 'RSAES_OAEP_SHA_256', blob: String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: rsa, Plaintext: plaintext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))['CiphertextBlob']) });
      await server.app.audit.checkpoint();
    } finally {
      await server.close();
    }
    const shareFiles = shares.map((s, i) => {
      const f = join(work, `old-share-${i + 1}.txt`);
      writeFileSync(f, `${s}\n`);
      return f;
    });
    await createBackupFile(source, backup, { shares: shares.slice(0, 2) });
    const exported = await arca([
      'operator', 'export-recovery', '--from', source, '--share-file', shareFiles[1]!, '--share-file', shareFiles[2]!,
      '--custodian-key', custodian(1, 'pub'), '--custodian-key', custodian(2, 'pub'), '--custodian-key', custodian(3, 'pub'), '--quorum', '2', '--out', pkg, '--output', 'json',
    ]);
    assert.equal(exported.code, 0, exported.stderr + exported.stdout);
    const summary = JSON.parse(exported.stdout) as { root: string; quorum: number; custodians: unknown[] };
    assert.deepEqual([summary.quorum, summary.custodians.length], [2, 3]);
    // The same export, reading the seal record from the backup's signed header instead of the store.
    const fromBackup = await arca([
      'operator', 'export-recovery', '--backup', backup, '--share-file', shareFiles[0]!, '--share-file', shareFiles[1]!,
      '--custodian-key', custodian(1, 'pub'), '--custodian-key', custodian(2, 'pub'), '--quorum', '2', '--out', join(work, 'from-backup.json'), '--output', 'json',
    ]);
    assert.equal(fromBackup.code, 0, fromBackup.stderr + fromBackup.stdout);
    assert.equal((JSON.parse(fromBackup.stdout) as { root: string }).root, summary.root);
    const again = await arca(['operator', 'export-recovery', '--from', source, '--share-file', shareFiles[0]!, '--custodian-key', custodian(1, 'pub'), '--quorum', '1', '--out', join(work, 'refused.json')]);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /give 2 of the 3 current shares/);
    assert.equal(existsSync(join(work, 'refused.json')), false);
    // The disaster: the data directory is gone, and so is every old share (and its holder).
    removeDir(source);
    for (const f of shareFiles) removeDir(f);
    shares.length = 0;
  });
  after(() => removeDir(work));

  it('the package names the backup\'s root fingerprint, M, N and each custodian key; it is mode 0600', () => {
    const p = JSON.parse(readFileSync(pkg, 'utf8')) as { format: string; root: { fingerprint: string }; quorum: number; custodians: { keyFingerprint: string }[]; mac: string; createdAt: string };
    const { header } = inspectBackup(readFileSync(backup));
    assert.equal(p.format, 'arca-recovery-package/v1');
    assert.equal(p.root.fingerprint, header.root.fingerprint);
    assert.equal(p.custodians.length, 3);
    assert.ok(p.mac.length > 0 && !Number.isNaN(Date.parse(p.createdAt)));
    assert.equal(statMode(pkg) & 0o077, 0);
  });

  it('refuses fewer than M custodian keys, a stranger\'s key and a tampered package, writing nothing', async () => {
    const target = join(work, 'refused');
    const restore = (...extra: string[]) => arca(['backup', 'restore', backup, '--to', target, '--recovery-package', pkg, ...extra]);
    const one = await restore('--custodian-private-key', custodian(1, 'key'));
    assert.equal(one.code, 2, one.stderr);
    assert.match(one.stderr, /needs 2 of its 3 custodians' private keys/);
    const wrong = await restore('--custodian-private-key', custodian(1, 'key'), '--custodian-private-key', stranger);
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /not one of this package's 3 custodians/);
    const tampered = join(work, 'tampered.json');
    const p = JSON.parse(readFileSync(pkg, 'utf8')) as Record<string, unknown>;
    writeFileSync(tampered, JSON.stringify({ ...p, createdAt: '2020-01-01T00:00:00.000Z' }));
    const altered = await arca(['backup', 'restore', backup, '--to', target, '--recovery-package', tampered, '--custodian-private-key', custodian(1, 'key'), '--custodian-private-key', custodian(2, 'key')]);
    assert.equal(altered.code, 2, altered.stderr);
    assert.match(altered.stderr, /integrity check/);
    const otherSet = join(work, 'other-set.json');
    const sealRecord = (p['root'] as { sealRecord: Record<string, unknown> }).sealRecord;
    writeFileSync(otherSet, JSON.stringify({ ...p, root: { kind: 'shamir', fingerprint: 'share-set:0011223344556677', sealRecord: { ...sealRecord, shareSetId: '0011223344556677' } } }));
    const rekeyed = await arca(['backup', 'restore', backup, '--to', target, '--recovery-package', otherSet, '--custodian-private-key', custodian(1, 'key'), '--custodian-private-key', custodian(2, 'key')]);
    assert.equal(rekeyed.code, 2, rekeyed.stderr);
    assert.match(rekeyed.stderr, /recovers share-set:0011223344556677, but the backup was made under share-set:[0-9a-f]+ \(a rekey in between\?/);
    assert.equal(existsSync(join(target, 'arca.db')), false, 'no store was written');

    const outDir = join(work, 'refused-shares');
    const few = await arca(['operator', 'recover-shares', '--recovery-package', pkg, '--custodian-private-key', custodian(3, 'key'), '--out-dir', outDir]);
    assert.equal(few.code, 2, few.stderr);
    const bad = await arca(['operator', 'recover-shares', '--recovery-package', tampered, '--custodian-private-key', custodian(2, 'key'), '--custodian-private-key', custodian(3, 'key'), '--out-dir', outDir]);
    assert.equal(bad.code, 2, bad.stderr);
    const reshaped = await arca(['operator', 'recover-shares', '--recovery-package', pkg, '--custodian-private-key', custodian(2, 'key'), '--custodian-private-key', custodian(3, 'key'), '--out-dir', outDir, '--threshold', '3']);
    assert.equal(reshaped.code, 2, reshaped.stderr);
    assert.match(reshaped.stderr, /pins 2 of 3 shares.*arca operator rekey/);
    assert.equal(existsSync(outDir) ? readdirSync(outDir).length : 0, 0, 'no share file was written');
  });

  it('drill: restore with 2 custodians, recover shares with 2 (others), start, unseal, decrypt the old ciphertexts, audit verify, rekey', async () => {
    const target = join(work, 'new-site');
    const restored = await arca(['backup', 'restore', backup, '--to', target, '--recovery-package', pkg, '--custodian-private-key', custodian(1, 'key'), '--custodian-private-key', custodian(3, 'key')]);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
    const shareDir = join(work, 'recovered-shares');
    const recovered = await arca(['operator', 'recover-shares', '--recovery-package', pkg, '--custodian-private-key', custodian(2, 'key'), '--custodian-private-key', custodian(3, 'key'), '--out-dir', shareDir, '--output', 'json']);
    assert.equal(recovered.code, 0, recovered.stderr + recovered.stdout);
    const files = (JSON.parse(recovered.stdout) as { files: string[] }).files;
    assert.equal(files.length, 3);
    for (const f of files) assert.equal(statMode(f) & 0o077, 0, `${f} is private`);

    const server = await startSealedServer(target);
    try {
      for (const f of [files[2]!, files[0]!]) {
        const unsealed = await arca(['operator', 'unseal', '--share-file', f, '--endpoint', server.endpoint]);
        assert.equal(unsealed.code, 0, unsealed.stderr);
      }
      assert.equal((await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {}))['Sealed'], false, 'unsealed with recovered shares');
      const here = { ...admin, endpoint: server.endpoint };
      for (const b of blobs) {
        const out = await callOperation(here, 'TrentService.Decrypt', { KeyId: b.keyId, CiphertextBlob: b.blob, ...(b.algorithm !== undefined && { EncryptionAlgorithm: b.algorithm }) });
        assert.equal(Buffer.from(String(out['Plaintext']), 'base64').toString(), MESSAGE);
      }
      const creds = here.credentials!;
      await assertAuditVerifies({ endpoint: server.endpoint, credentials: { ...creds, region: 'us-east-1' } });
      // The recommended last step: a new share set, so the package's re-issued shares (and any old one) stop unsealing.
      const current = files.slice(0, 2).map((f) => readFileSync(f, 'utf8').trim());
      const rekeyed = await callOperation(here, 'ArcaService.Rekey', { CurrentShares: current, Shares: 5, Threshold: 3 });
      assert.equal((rekeyed['UnsealShares'] as unknown[]).length, 5);
      assert.notEqual(rekeyed['ShareSetId'], JSON.parse(readFileSync(pkg, 'utf8')).root.sealRecord.shareSetId);
    } finally {
      await server.close();
    }
  });
});

function statMode(path: string): number {
  return statSync(path).mode;
}
