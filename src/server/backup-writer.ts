import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { BackupHeader } from '../core/backup-file.js';
import { sha256Stream } from '../crypto/hash.js';
import { beginBackupSeal, payloadSpoolCipher, type BackupSigner } from '../custody/backup-crypto.js';
import type { RootOfTrust } from '../core/ports.js';
import { scratchPathFor, writeFileDurablyStreaming } from '../platform/durable-file.js';
import { BACKUP_TABLES, type NeutralRow } from '../store/backup/neutral.js';
import type { StoreSnapshot } from '../store/backup/snapshot.js';
import type { BackupProgress } from './backup-progress.js';

/** JSON lines are handed to gzip in batches of about this many characters. */
const BATCH = 256 * 1024;
const READ_CHUNK = 1 << 20;

/** A backup file written (the whole file's size and sha256, hex). */
export interface WrittenBackup {
  readonly header: BackupHeader;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Writes a backup of `snapshot` to `out` with memory bounded by a few chunks, whatever the store's size
 * (ADR 0016). The header (signed, first in the file, the payload's AAD) holds the payload's row counts,
 * length and digest, known only once every row was read, so the file is made in two passes:
 *  1. every row as a JSON line → gzip → counted and hashed → encrypted under a one-time key into a spool
 *     file beside `out` (mode 0600, removed after; the disk needs about twice the file's size meanwhile);
 *  2. the header is made (`headerOf`), then the spool is read back, decrypted, encrypted under the file
 *     key and signed, into a temporary file that is fsynced and linked to `out` (never over a file).
 * Nothing appears at `out` unless every step succeeded.
 */
export async function writeBackup(
  snapshot: StoreSnapshot,
  out: string,
  seal: { readonly root: Pick<RootOfTrust, 'wrap'>; readonly signer: Pick<BackupSigner, 'sign'>; headerOf(counts: Record<string, number>, payload: BackupHeader['payload']): BackupHeader },
  onProgress?: BackupProgress,
): Promise<WrittenBackup> {
  const spool = scratchPathFor(out, 'spool');
  using cipher = payloadSpoolCipher();
  try {
    const counts: Record<string, number> = {};
    let total = 0;
    // Only a progress bar needs the total (a COUNT per table, in the same snapshot).
    if (onProgress !== undefined) for (const spec of BACKUP_TABLES) total += await snapshot.count(spec);
    async function* lines(): AsyncGenerator<Buffer> {
      let batch = '';
      let done = 0;
      for (const spec of BACKUP_TABLES) {
        let n = 0;
        for await (const r of snapshot.rows(spec)) {
          batch += JSON.stringify({ t: spec.table, r } satisfies NeutralRow) + '\n';
          n++;
          if (batch.length >= BATCH) {
            yield Buffer.from(batch, 'utf8');
            batch = '';
            onProgress?.('snapshot', done + n, total);
          }
        }
        counts[spec.table] = n;
        done += n;
      }
      if (batch !== '') yield Buffer.from(batch, 'utf8');
      onProgress?.('snapshot', done, Math.max(done, total));
    }
    const digest = sha256Stream();
    let bytes = 0;
    await pipeline(
      Readable.from(lines()),
      createGzip({ chunkSize: 64 * 1024 }),
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          digest.update(chunk);
          bytes += chunk.length;
          yield cipher.encrypt(chunk);
        }
      },
      createWriteStream(spool, { flags: 'wx', mode: 0o600 }),
    );
    cipher.sealed();
    const header = seal.headerOf(counts, { bytes, sha256: digest.digest().toString('hex') });
    return await writeFileDurablyStreaming(out, { mode: 0o600, exclusive: true }, async (write) => {
      using sealer = await beginBackupSeal(header, seal.root, seal.signer);
      const whole = sha256Stream();
      let written = 0;
      const put = async (b: Buffer) => {
        whole.update(b);
        written += b.length;
        await write(b);
      };
      await put(sealer.head);
      let sealed = 0;
      for await (const chunk of createReadStream(spool, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
        await put(sealer.update(cipher.decrypt(chunk)));
        sealed += chunk.length;
        onProgress?.('seal', sealed, bytes);
      }
      cipher.checked();
      await put(sealer.end());
      return { header, bytes: written, sha256: whole.digest().toString('hex') };
    });
  } finally {
    await rm(spool, { force: true });
  }
}
