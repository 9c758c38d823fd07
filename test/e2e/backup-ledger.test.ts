import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { BackupRefused } from '../../src/core/backup-file.js';
import { encodeLedger, verifyLedger, type LedgerBody } from '../../src/core/destruction-ledger.js';
import { ed25519Sign, generateEd25519 } from '../../src/crypto/ed25519.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { restoreBackup } from '../../src/server/backup.js';
import { loseDataDir } from '../helpers/backup-drill.js';
import { decrypt, decryptError, rowsOfKey, runLedgerScenario, withRestored, type LedgerScenario } from '../helpers/backup-ledger.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

describe('destroyed stays destroyed on SQLite: the destruction ledger and restores of older backups', () => {
  const work = tempDataDir('arca-ledger-');
  const source = join(work, 'source');
  const rootFile = join(work, 'kept-dev-root.key');
  let s: LedgerScenario;

  before(async () => {
    mkdirSync(source);
    s = await runLedgerScenario(source, work);
    loseDataDir(source, rootFile);
  });
  after(() => removeDir(work));

  const cli = (...args: string[]) => spawnSync(process.execPath, [ARCA_BIN, 'backup', ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] } });

  it('the ledger holds the destruction record, the root fingerprint and the trail key, and verifies', () => {
    const { body } = verifyLedger(readFileSync(s.ledger));
    assert.equal(body.root.kind, 'insecure-dev-file');
    assert.equal(body.signer.publicKey, s.publicKey);
    // What the live site answers for a destroyed key's ciphertext, which a restore with the ledger must answer too.
    assert.equal(s.liveError.name, 'NotFoundException');
    assert.deepEqual(body.destructions.map((d) => [d.keyId, d.state, d.versions.length > 0, d.keyArn.endsWith(`:key/${d.keyId}`)]), [[s.destroyed.keyId, 'PendingDeletion', true, true]]);
  });

  it('arca backup verify checks a ledger offline, pinned to the trail key, and refuses another key', () => {
    const ok = cli('verify', s.ledger, '--public-key', s.publicKey, '--output', 'json');
    assert.equal(ok.status, 0, ok.stderr);
    const out = JSON.parse(ok.stdout) as { kind: string; signerPinned: boolean; destructions: { keyId: string }[] };
    assert.deepEqual([out.kind, out.signerPinned, out.destructions.map((d) => d.keyId)], ['destruction-ledger', true, [s.destroyed.keyId]]);
    const other = cli('verify', s.ledger, '--public-key', Buffer.alloc(32, 7).toString('base64'));
    assert.equal(other.status, 2, other.stdout + other.stderr);
    assert.match(other.stderr, /not by the trusted key/);
  });

  it('a backup made after the destruction holds none of its material (decrypted payload rows), only its tombstone and record', async () => {
    const rows = await rowsOfKey(s.b2, rootFile, s.destroyed.keyId);
    assert.deepEqual([rows['key_versions'], rows['aliases'], rows['key_rotation']], [[], [], []]);
    assert.equal(rows['key_destructions']?.length, 1);
    assert.equal(typeof rows['keys']?.[0]?.[11], 'number', 'keys.destroyed_at is set');
    assert.ok((await rowsOfKey(s.b1, rootFile, s.destroyed.keyId))['key_versions']!.length > 0, 'B1 does hold it (else the ledger tests prove nothing)');
  });

  it('restore of B1 with --ledger: the key comes back destroyed, exactly as destroyKey left it; others decrypt; the trail verifies; the report names it', async () => {
    const target = join(work, 'with-ledger');
    const run = cli('restore', s.b1, '--to', target, '--dev-root', rootFile, '--ledger', s.ledger, '--output', 'json');
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { ledger: { restoredAsDestroyed: { keyId: string; versionsSkipped: number; aliasesSkipped: number }[] } };
    assert.deepEqual(report.ledger.restoredAsDestroyed.map((k) => [k.keyId, k.versionsSkipped > 0, k.aliasesSkipped]), [[s.destroyed.keyId, true, 1]]);
    await withRestored({ dataDir: target }, async (kms) => {
      assert.deepEqual(await decryptError(kms, s.destroyed.blob), s.liveError);
      assert.equal(await decrypt(kms, s.kept.blob), 'encrypted before backup B1');
      await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), { name: 'NotFoundException' });
    });
    // Row for row what the live site holds of the key after destroyKey (backup B2, made there).
    const again = join(work, 'with-ledger.arcabak');
    await createBackupFile(target, again, { devRootFile: rootFile });
    assert.deepEqual(await rowsOfKey(again, rootFile, s.destroyed.keyId), await rowsOfKey(s.b2, rootFile, s.destroyed.keyId));
  });

  it('the text report says which keys it skipped', () => {
    const run = cli('restore', s.b1, '--to', join(work, 'text-report'), '--dev-root', rootFile, '--ledger', s.ledger);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`skipped material of 1 keys: arn:aws:kms:[^ ]+:key/${s.destroyed.keyId} \\(destroyed `));
  });

  it('without --ledger, B1 brings the key back (what docs/backup.md warns about)', async () => {
    const target = join(work, 'without-ledger');
    const report = await restoreBackup(readFileSync(s.b1), { to: target, root: { devRootFile: rootFile } });
    assert.equal(report.ledger, undefined);
    await withRestored({ dataDir: target }, async (kms) => assert.equal(await decrypt(kms, s.destroyed.blob), 'encrypted before backup B1'));
  });

  it('a backup made after the destruction restores the key destroyed by its own record (with or without the ledger)', async () => {
    const target = join(work, 'b2');
    const report = await restoreBackup(readFileSync(s.b2), { to: target, root: { devRootFile: rootFile }, ledgers: [{ name: s.ledger, bytes: readFileSync(s.ledger) }] });
    assert.deepEqual(report.ledger, { restoredAsDestroyed: [], alreadyDestroyed: [s.destroyed.keyId], notInBackup: [] });
    await withRestored({ dataDir: target }, async (kms) => {
      assert.deepEqual(await decryptError(kms, s.destroyed.blob), s.liveError);
      assert.equal(await decrypt(kms, s.kept.blob), 'encrypted before backup B1');
    });
  });

  /** Ledgers a restore must refuse before writing a row, each with the reason it gives. */
  const refused: [string, () => Buffer, RegExp][] = [
    ['a tampered ledger (a destruction removed from its body)', () => tamper(readFileSync(s.ledger)), /signature of the destruction ledger .* does not verify/],
    ['a ledger of another site (another root, another domain key, its own key)', () => forged({ fingerprint: 'domain-key-1:00112233445566778899aabbccddeeff' }, 'domain-key-1:00112233445566778899aabbccddeeff'), /exported from another site: its root of trust/],
    ['a ledger naming this root but signed by a key of no trail of the backup', () => forged({}), /no audit trail key of the backup's site/],
    ['a file that is no ledger', () => Buffer.from('{"hello": 1}'), /not a destruction ledger/],
  ];
  for (const [what, make, reason] of refused) {
    it(`refuses ${what}, writing nothing`, async () => {
      const file = join(work, `bad-${what.replace(/\W+/g, '-').slice(0, 40)}.ledger`);
      writeFileSync(file, make());
      const target = join(work, `target-${what.replace(/\W+/g, '-').slice(0, 40)}`);
      await assert.rejects(restoreBackup(readFileSync(s.b1), { to: target, root: { devRootFile: rootFile }, ledgers: [{ name: file, bytes: readFileSync(file) }] }), (e) => e instanceof BackupRefused && reason.test(e.message));
      assert.equal(existsSync(join(target, 'arca.db')), false);
      const run = cli('restore', s.b1, '--to', target, '--dev-root', rootFile, '--ledger', s.ledger, '--ledger', file);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.match(run.stderr, reason);
      assert.equal(existsSync(join(target, 'arca.db')), false);
    });
  }

  /** The real ledger with its one destruction removed from the signed body (the signature kept). */
  function tamper(file: Buffer): Buffer {
    const outer = JSON.parse(file.toString('utf8')) as { body: string };
    const body = JSON.parse(outer.body) as LedgerBody;
    return Buffer.from(JSON.stringify({ ...outer, body: JSON.stringify({ ...body, destructions: [] }) }));
  }

  /** A well-formed ledger signed by a fresh key (another site's), with the backup's root and site unless given. */
  function forged(root: { fingerprint?: string }, site?: string): Buffer {
    const { body } = verifyLedger(readFileSync(s.ledger));
    const key = generateEd25519();
    const signed: LedgerBody = { ...body, root: { ...body.root, ...root }, site: site ?? body.site, signer: { ...body.signer, publicKey: key.publicKey.toString('base64') } };
    return encodeLedger(signed, (m) => ed25519Sign(key.privateKeyDer, m));
  }
});
