import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { BackupRefused } from '../../src/core/backup-file.js';
import { inspectBackup, restoreBackup } from '../../src/server/backup.js';
import type { BackupPhase } from '../../src/server/backup-progress.js';
import { makeLargeBackup, type LargeBackup } from '../helpers/backup-large.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describe('backups larger than memory should hold: the streaming path on SQLite', () => {
  const work = tempDataDir('arca-backup-stream-');
  let large: LargeBackup;

  before(async () => {
    large = await makeLargeBackup(work);
  });
  after(() => removeDir(work));

  it('a payload of several MB round-trips: every row restored as it was, progress reported to the end', async () => {
    const { header, sha256 } = inspectBackup(large.file);
    assert.ok(header.payload.bytes > 4_000_000, `payload ${header.payload.bytes} bytes`);
    assert.equal(sha256, createHash('sha256').update(readFileSync(large.file)).digest('hex'));
    const target = join(work, 'restored');
    const seen = new Map<BackupPhase, { done: number; total: number }>();
    const report = await restoreBackup(large.file, { to: target, root: { devRootFile: large.rootFile }, onProgress: (phase, done, total) => seen.set(phase, { done, total }) });
    assert.equal(report.restored.find((t) => t.table === 'tags')!.rows, large.tags.size);
    const db = new Database(join(target, 'arca.db'), { readonly: true });
    try {
      const rows = db.prepare<[string], { tag_key: string; tag_value: string }>('SELECT tag_key, tag_value FROM tags WHERE key_id = ? ORDER BY tag_key').all(large.keyId);
      assert.equal(rows.length, large.tags.size);
      for (const r of rows) assert.equal(r.tag_value, large.tags.get(r.tag_key), r.tag_key);
      assert.ok((db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_events').get()?.n ?? 0) >= 20);
    } finally {
      db.close();
    }
    const rowsTotal = Object.values(header.counts).reduce((n, c) => n + c, 0);
    assert.deepEqual(seen.get('restore'), { done: rowsTotal, total: rowsTotal });
    assert.equal(seen.get('signature')?.done, readFileSync(large.file).length);
  });

  for (const [what, file, message] of [
    ['a byte flipped in the middle of the encrypted payload', () => large.corruptedMiddle, /payload is corrupted|does not decrypt|does not match/],
    ['a flipped GCM tag (every row decrypts; only the check at the end fails)', () => large.corruptedTag, /does not decrypt/],
    ['a row of the wrong type in a payload that does not match its header (the row fails first)', () => large.mistyped, /does not decrypt/],
  ] as const) {
    it(`refuses ${what} although the signature passes, leaving no database behind`, async () => {
      assert.doesNotThrow(() => inspectBackup(file()), 'the damaged copy is signed again');
      const target = join(work, `target-${what.replace(/\W+/g, '-')}`);
      await assert.rejects(restoreBackup(file(), { to: target, root: { devRootFile: large.rootFile } }), (e) => e instanceof BackupRefused && message.test(e.message));
      assert.equal(existsSync(join(target, 'arca.db')), false);
      assert.deepEqual(readdirSync(target).filter((f) => f.startsWith('arca.db')), []);
    });
  }

  it('leaves no spool or temporary file beside the backup it made', () => {
    assert.deepEqual(readdirSync(work).filter((f) => f.startsWith('.')), []);
  });
});
