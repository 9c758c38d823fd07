import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { parseBackupFile, signedMessage } from '../../src/core/backup-file.js';
import { unwrapBackupSigner } from '../../src/custody/backup-crypto.js';
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
  writeFileSync(corruptedMiddle, await resign(flip(bytes, payloadAt + Math.floor(layout.ciphertext.length / 2)), source));
  writeFileSync(corruptedTag, await resign(flip(bytes, bytes.length - 64 - 8), source));
  const rootFile = join(work, 'large-dev-root.key');
  loseDataDir(source, rootFile);
  return { file, rootFile, tags, keyId, corruptedMiddle, corruptedTag };
}

function flip(b: Buffer, at: number): Buffer {
  const out = Buffer.from(b);
  out[at] = out[at]! ^ 0x01;
  return out;
}

/** Signs a (damaged) backup again with the store's trail key, as only a holder of the root could. */
async function resign(file: Buffer, dataDir: string): Promise<Buffer> {
  const root = InsecureDevFileRootOfTrust.openOrCreate(join(dataDir, 'insecure-dev-root.key'));
  try {
    return await withSqliteSnapshot(dataDir, async (s) => {
      const domainKeys = await s.domainKeys();
      const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async () => { throw new Error('read only'); } });
      await hierarchy.open();
      try {
        using signer = await unwrapBackupSigner(hierarchy, (await s.signingKey(s.chains[0]!.chainId))!);
        const unsigned = file.subarray(0, file.length - 64);
        return Buffer.concat([unsigned, signer.sign(signedMessage(unsigned))]);
      } finally {
        hierarchy.seal();
      }
    });
  } finally {
    root.seal();
  }
}
