import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { verifyLedger } from '../../src/core/destruction-ledger.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { inspectBackup, restoreBackup } from '../../src/server/backup.js';
import { DAY, TestClock } from '../helpers/lifecycle.js';
import { errorOf, initialize, startSealedServer, unsealWith } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describe('destruction ledger with a Shamir root: a ledger exported after a rekey applies to a backup made before it', () => {
  const work = tempDataDir('arca-ledger-rekey-');
  const b1 = join(work, 'b1.arcabak');
  let oldShares: string[] = [];
  let admin: ClientConfig;
  let ledger = Buffer.alloc(0);
  const keys = { kept: '', doomed: '' };
  const blobs = { kept: '', doomed: '' };

  before(async () => {
    const dir = join(work, 'source');
    mkdirSync(dir);
    const clock = new TestClock();
    const server = await startSealedServer(dir, { type: 'shamir' }, {}, { clock });
    try {
      const init = await initialize(server, 3, 2);
      oldShares = init.shares;
      admin = init.admin;
      await unsealWith(server, oldShares.slice(0, 2));
      for (const k of ['kept', 'doomed'] as const) {
        keys[k] = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
        blobs[k] = String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: keys[k], Plaintext: Buffer.from(k).toString('base64') }))['CiphertextBlob']);
      }
      await server.app.audit.checkpoint();
      await createBackupFile(dir, b1, { shares: oldShares.slice(0, 2) });
      // A rekey: a new share set, so a new root fingerprint; the root key and the domain keys stay.
      await callOperation(admin, 'ArcaService.Rekey', { CurrentShares: oldShares.slice(0, 2), Shares: 3, Threshold: 2 });
      await callOperation(admin, 'TrentService.ScheduleKeyDeletion', { KeyId: keys.doomed, PendingWindowInDays: 7 });
      clock.advance(8 * DAY);
      await server.app.scheduler.runNow();
      clock.advance(-8 * DAY);
      ledger = Buffer.from(String((await callOperation(admin, 'ArcaService.ExportDestructionLedger', {}))['Ledger']), 'base64');
    } finally {
      await server.close();
    }
  });
  after(() => removeDir(work));

  it('the ledger names another share set than the backup, and the same site', () => {
    const { body } = verifyLedger(ledger);
    assert.notEqual(body.root.fingerprint, inspectBackup(readFileSync(b1)).header.root.fingerprint);
    assert.deepEqual(body.destructions.map((d) => d.keyId), [keys.doomed]);
  });

  it('restoring the older backup with it (old shares) restores the key as destroyed; the other key decrypts', async () => {
    const target = join(work, 'restored');
    const report = await restoreBackup(readFileSync(b1), { to: target, root: { shares: oldShares.slice(1, 3) }, ledgers: [{ name: 'after-rekey.ledger', bytes: ledger }] });
    assert.deepEqual(report.ledger?.restoredAsDestroyed.map((k) => k.keyId), [keys.doomed]);
    const server = await startSealedServer(target);
    try {
      await unsealWith(server, oldShares.slice(0, 2));
      const restored = { ...admin, endpoint: server.endpoint };
      const out = await callOperation(restored, 'TrentService.Decrypt', { CiphertextBlob: blobs.kept });
      assert.equal(Buffer.from(String(out['Plaintext']), 'base64').toString(), 'kept');
      assert.equal((await errorOf(callOperation(restored, 'TrentService.Decrypt', { CiphertextBlob: blobs.doomed })))?.type, 'NotFoundException');
    } finally {
      await server.close();
    }
  });
});
