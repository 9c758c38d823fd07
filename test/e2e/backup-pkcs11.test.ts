import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { hsmOpenerFromConfig } from '../../src/server/backup-hsm.js';
import { killAllArcaProcesses, startArcaProcess } from '../helpers/arca-process.js';
import { assertAuditVerifies } from '../helpers/backup-drill.js';
import { startSealedServer } from '../helpers/sealed-server.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';
import { createSoftHsmToken, softHsmMissing, type SoftHsmToken } from '../helpers/softhsm.js';

const missing = softHsmMissing();
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(`SoftHSM2 is required in CI: ${missing}`);
if (missing !== undefined) process.stdout.write(`# skipping the PKCS#11 backup test: ${missing}\n`);

/** `node bin/arca …` with exactly `env` (plus PATH); resolves with the exit code and output. */
function arca(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(process.execPath, [ARCA_BIN, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } }, (error, stdout, stderr) => {
      ok({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

const MESSAGE = 'sealed by the old HSM';

describe('PKCS#11 root: a backup restores at a new site on a COPY of the SoftHSM token directory', { skip: missing }, () => {
  const work = tempDataDir('arca-backup-pkcs11-');
  const file = join(work, 'old-site.arcabak');
  const offline = join(work, 'old-site-offline.arcabak');
  let token: SoftHsmToken;
  let admin: ClientConfig;
  let keyId = '';
  let blob = '';
  /** The new site's environment: its own SoftHSM configuration over the copied token directory. */
  let newSiteEnv: Record<string, string> = {};
  const root = (keyLabel = 'arca-root') => ({ type: 'pkcs11', module: token.module, tokenLabel: token.label, pinEnv: 'ARCA_TEST_HSM_PIN', keyLabel });

  before(async () => {
    token = createSoftHsmToken('arca-backup');
    const oldSite = join(work, 'old-site');
    mkdirSync(oldSite);
    const server = await startSealedServer(oldSite, root(), { ARCA_TEST_HSM_PIN: token.pin });
    try {
      const out = await callOperation(server.anonymous, 'ArcaService.InitializeRoot', {});
      admin = { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: String(out['AdminAccessKeyId']), secretAccessKey: String(out['AdminSecretAccessKey']) } };
      keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
      blob = String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from(MESSAGE).toString('base64') }))['CiphertextBlob']);
      await server.app.audit.checkpoint();
      // The server form makes the backup: it holds the open HSM root and wraps the file key inside the token.
      const made = await callOperation(admin, 'ArcaService.CreateBackup', {});
      copyFileSync(String(made['Path']), file);
      assert.equal(made['RootKind'], 'pkcs11');
    } finally {
      await server.close();
    }
    // The offline form opens the HSM root itself, with the server's configuration.
    const oldConfig = join(work, 'old-site.json');
    writeFileSync(oldConfig, JSON.stringify({ tls: { enabled: false }, dataDir: oldSite, root: root() }));
    const header = await createBackupFile(oldSite, offline, { openHsm: hsmOpenerFromConfig(oldConfig, { ARCA_TEST_HSM_PIN: token.pin }) });
    assert.equal(header.root.kind, 'pkcs11');
    // The HSM's own backup: SoftHSM2 keeps each token in a directory; copy it to the new site's token dir.
    const copied = join(work, 'new-site-tokens');
    cpSync(join(token.dir, 'tokens'), copied, { recursive: true });
    const conf = join(work, 'new-site-softhsm2.conf');
    writeFileSync(conf, `directories.tokendir = ${copied}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    newSiteEnv = { SOFTHSM2_CONF: conf, ARCA_TEST_HSM_PIN: token.pin };
    // The old site is gone: its data directory and its token directory.
    removeDir(oldSite);
    removeDir(join(token.dir, 'tokens'));
  });
  after(async () => {
    await killAllArcaProcesses();
    removeDir(work);
    if (token !== undefined) removeDir(token.dir);
  });

  it('restore refuses without the HSM configuration, or with another key label, writing nothing', async () => {
    const target = join(work, 'refused');
    const bare = await arca(['backup', 'restore', file, '--to', target], newSiteEnv);
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /PKCS#11 key: give the server's configuration with --config FILE/);
    const other = join(work, 'other-label.json');
    writeFileSync(other, JSON.stringify({ tls: { enabled: false }, dataDir: target, root: root('not-the-root') }));
    const wrong = await arca(['backup', 'restore', file, '--to', target, '--config', other], newSiteEnv);
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /the HSM root does not open: .*no root key labelled 'not-the-root'/);
    assert.equal(existsSync(join(target, 'arca.db')), false);
  });

  it('the offline backup (made by the command with --from and --config) restores on the copied token too', async () => {
    const target = join(work, 'offline-restored');
    const config = join(work, 'offline-restored.json');
    writeFileSync(config, JSON.stringify({ tls: { enabled: false }, dataDir: target, root: root() }));
    const restored = await arca(['backup', 'restore', offline, '--to', target, '--config', config], newSiteEnv);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);
  });

  it('restore with the server\'s configuration, start the server (it unseals from the copied token), decrypt, audit verify', async () => {
    const target = join(work, 'new-site');
    const config = join(work, 'new-site.json');
    writeFileSync(config, JSON.stringify({ listen: '127.0.0.1:0', tls: { enabled: false }, dataDir: target, root: root() }));
    const restored = await arca(['backup', 'restore', file, '--to', target, '--config', config], newSiteEnv);
    assert.equal(restored.code, 0, restored.stderr + restored.stdout);

    const server = await startArcaProcess('new-site', target, { root: root() }, 30_000, newSiteEnv);
    const deadline = Date.now() + 15_000;
    while ((await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {}))['Sealed'] !== false) {
      assert.ok(Date.now() < deadline, `the new site did not unseal from the copied token:\n${server.stdout()}${server.stderr()}`);
      await new Promise((ok) => setTimeout(ok, 200));
    }
    const here = { ...admin, endpoint: server.endpoint };
    const out = await callOperation(here, 'TrentService.Decrypt', { CiphertextBlob: blob });
    assert.equal(Buffer.from(String(out['Plaintext']), 'base64').toString(), MESSAGE);
    assert.equal(out['KeyId'], `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    await assertAuditVerifies({ endpoint: server.endpoint, credentials: { ...here.credentials!, region: 'us-east-1' } });
    await server.stop();
  });
});
