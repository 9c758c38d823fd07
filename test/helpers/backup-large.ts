import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { parseBackupFile, signedMessage } from '../../src/core/backup-file.js';
import { openBackupPayload, sealBackup, unwrapBackupSigner, type BackupSigner } from '../../src/custody/backup-crypto.js';
import { KeyHierarchy } from '../../src/custody/key-hierarchy.js';
import { InsecureDevFileRootOfTrust } from '../../src/root/insecure-dev-file-root.js';
import { createBackupFile } from '../../src/server/backup-command.js';
import { withSqliteSnapshot } from '../../src/store/backup/snapshot.js';
import { loseDataDir } from './backup-drill.js';
import { startInProcess } from './in-process.js';
import { kmsClient } from './kms-client.js';

/** A backup whose payload is several MB, and two damaged copies of it that are signed again (so the signature passes). */
export interface LargeBackup {
  readonly file: string;
  readonly rootFile: string;
  /** The tag rows put in the store: key id, tag key → value. */
  readonly tags: ReadonlyMap<string, string>;
  readonly keyId: string;
  /** One byte flipped in the middle of the encrypted payload, then re-signed with the trail key. */
  readonly corruptedMiddle: string;
  /** One byte of the GCM tag flipped, then re-signed: every row decrypts, only the tag check at the end fails. */
  readonly corruptedTag: string;
  /**
   * The first tag row's value made a number (valid JSON, the wrong type), sealed again under the same
   * root and header (whose digest now differs) and signed: a row fails to insert before the payload's check.
   */
  readonly mistyped: string;
}

/**
 * A real dev store (keys and audit events made through the protocol) given TAGS tag rows of random
 * text written straight into its database, the fast way to a payload that gzip cannot shrink below a
 * few MB; backed up offline. The source data directory is removed after (its dev root kept).
 */
export async function makeLargeBackup(work: string, tagRows = 6000): Promise<LargeBackup> {
  const source = join(work, 'large-source');
  mkdirSync(source);
  const server = await startInProcess({ dataDir: source, schedulerIntervalMs: 0 });
  const kms = kmsClient(server);
  let keyId: string;
  try {
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 20; i++) await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`event ${i}`) }));
    await server.app.audit.checkpoint();
  } finally {
    kms.destroy();
    await server.close();
  }
  const tags = new Map<string, string>();
  const db = new Database(join(source, 'arca.db'));
  try {
    const insert = db.prepare('INSERT INTO tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < tagRows; i++) {
        const tagKey = `t${String(i).padStart(6, '0')}`;
        const value = randomBytes(1200).toString('base64');
        tags.set(tagKey, value);
        insert.run(keyId, tagKey, value);
      }
    })();
  } finally {
    db.close();
  }
  const file = join(work, 'large.arcabak');
  await createBackupFile(source, file, {});
  const bytes = readFileSync(file);
  const layout = parseBackupFile(bytes);
  const payloadAt = bytes.length - 64 - 16 - layout.ciphertext.length;
  const corruptedMiddle = join(work, 'large-corrupted-middle.arcabak');
  const corruptedTag = join(work, 'large-corrupted-tag.arcabak');
  writeFileSync(corruptedMiddle, await withTrailSigner(source, async (signer) => sign(flip(bytes, payloadAt + Math.floor(layout.ciphertext.length / 2)), signer)));
  writeFileSync(corruptedTag, await withTrailSigner(source, async (signer) => sign(flip(bytes, bytes.length - 64 - 8), signer)));
  const mistyped = join(work, 'large-mistyped.arcabak');
  writeFileSync(mistyped, await withTrailSigner(source, async (signer, root) => {
    const lines = gunzipSync(await openBackupPayload(layout, root)).toString('utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('{"t":"tags"'));
    const row = JSON.parse(lines[at]!) as { t: string; r: unknown[] };
    lines[at] = JSON.stringify({ t: row.t, r: [row.r[0], row.r[1], 123] });
    return sealBackup(layout.header, gzipSync(Buffer.from(lines.join('\n'), 'utf8')), root, signer);
  }));
  const rootFile = join(work, 'large-dev-root.key');
  loseDataDir(source, rootFile);
  return { file, rootFile, tags, keyId, corruptedMiddle, corruptedTag, mistyped };
}

function flip(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b);
  out[at] = out[at]! ^ 0x01;
  return out;
}

/** A backup signed again (after damage) with the store's trail key, as only a holder of the root could. */
function sign(file: Buffer, signer: BackupSigner): Buffer {
  const unsigned = file.subarray(0, file.length - 64);
  return Buffer.concat([unsigned, signer.sign(signedMessage(unsigned))]);
}

/** Runs `work` with the trail signing key and the root of a (stopped) dev store. */
async function withTrailSigner<T>(dataDir: string, work: (signer: BackupSigner, root: InsecureDevFileRootOfTrust) => Promise<T>): Promise<T> {
  const root = InsecureDevFileRootOfTrust.openOrCreate(join(dataDir, 'insecure-dev-root.key'));
  try {
    return await withSqliteSnapshot(dataDir, async (s) => {
      const domainKeys = await s.domainKeys();
      const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async () => { throw new Error('read only'); } });
      await hierarchy.open();
      try {
        using signer = await unwrapBackupSigner(hierarchy, (await s.signingKey(s.chains[0]!.chainId))!);
        return await work(signer, root);
      } finally {
        hierarchy.seal();
      }
    });
  } finally {
    root.seal();
  }
}
