import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { BackupRefused } from '../../src/core/backup-file.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { inspectBackup, restoreBackup } from '../../src/server/backup.js';
import { initialize, startSealedServer, unsealWith } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describe('arca backup with a Shamir root: the same shares unseal the restored store; other shares are refused', () => {
  const work = tempDataDir('arca-backup-shamir-');
  const file = join(work, 'sealed.arcabak');
  let shares: string[] = [];
  let otherShares: string[] = [];
  let keyId = '';
  let blob = '';
  let admin: ClientConfig | undefined;

  before(async () => {
    const dir = join(work, 'source');
    mkdirSync(dir);
    const server = await startSealedServer(dir);
    try {
      const init = await initialize(server, 3, 2);
      shares = init.shares;
      admin = init.admin;
      await unsealWith(server, shares.slice(0, 2));
      keyId = String(((await callOperation(init.admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
      blob = String((await callOperation(init.admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('sealed before').toString('base64') }))['CiphertextBlob']);
      await server.app.audit.checkpoint();
      await createBackupFile(dir, file, { shares: shares.slice(1, 3) });
    } finally {
      await server.close();
    }
    removeDir(dir);
    // Another site's root: a second initialization, whose shares open another root.
    const otherDir = join(work, 'other');
    mkdirSync(otherDir);
    const other = await startSealedServer(otherDir);
    try {
      otherShares = (await initialize(other, 3, 2)).shares;
    } finally {
      await other.close();
    }
  });
  after(() => removeDir(work));

  it('the header names the root (share set), without any secret', () => {
    const { header } = inspectBackup(readFileSync(file));
    assert.equal(header.root.kind, 'shamir');
    assert.match(header.root.fingerprint, /^share-set:[0-9a-f]+$/);
    for (const share of shares) assert.ok(!readFileSync(file).includes(Buffer.from(share, 'base64')), 'no share in the file');
  });

  it('refuses too few shares, and shares of another root, writing nothing', async () => {
    const target = join(work, 'refused');
    await assert.rejects(restoreBackup(readFileSync(file), { to: target, root: { shares: shares.slice(0, 1) } }), (e) => e instanceof BackupRefused && /give 2 of its 3 shares/.test(e.message));
    await assert.rejects(restoreBackup(readFileSync(file), { to: target, root: { shares: otherShares.slice(0, 2) } }), (e) => e instanceof BackupRefused && /do not open this backup's root/.test(e.message));
    assert.equal(existsSync(join(target, 'arca.db')), false);
  });

  it('drill: restored with two shares, the server unseals with the same shares and decrypts what was made before', async () => {
    const target = join(work, 'restored');
    await restoreBackup(readFileSync(file), { to: target, root: { shares: [shares[0]!, shares[2]!] } });
    const server = await startSealedServer(target);
    try {
      const status = await unsealWith(server, shares.slice(0, 2));
      assert.equal(status['Sealed'], false);
      // The restored store holds the same administrator access key.
      const out = await callOperation({ ...admin!, endpoint: server.endpoint }, 'TrentService.Decrypt', { CiphertextBlob: blob });
      assert.equal(Buffer.from(String(out['Plaintext']), 'base64').toString(), 'sealed before');
      assert.equal(out['KeyId'], `arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    } finally {
      await server.close();
    }
  });
});
