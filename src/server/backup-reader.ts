import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BackupRefused, readBackupLayout, verifyBackupSignatureOf, type BackupHeader, type BackupLayout, type ReadAt } from '../core/backup-file.js';
import { sha256Stream } from '../crypto/hash.js';
import type { BackupPayloadStream } from '../custody/backup-crypto.js';
import { BACKUP_TABLES, type NeutralRow, type NeutralValue } from '../store/backup/neutral.js';
import type { RestoreSource } from '../store/backup/restore.js';
import type { TableSpec } from '../store/migrate/tables.js';
import type { BackupProgress } from './backup-progress.js';

const CHUNK = 1 << 20;
/** No row of a backup comes near this; a longer line means a corrupted payload. */
const MAX_LINE = 64 << 20;
const PROGRESS_EVERY = 1024;

/** A backup's bytes, read by position (a file is never read whole: ADR 0016). */
export interface BackupBytes extends Disposable {
  readonly size: number;
  readonly readAt: ReadAt;
}

/** A backup file by path (refused clearly when missing), or one already in memory. */
export function openBackupBytes(input: string | Buffer): BackupBytes {
  if (Buffer.isBuffer(input)) return { size: input.length, readAt: (at, length) => input.subarray(at, at + length), [Symbol.dispose]: () => undefined };
  if (!existsSync(input)) throw new BackupRefused(`${input} does not exist`);
  const fd = openSync(input, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    readAt(at, length) {
      const out = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - at)));
      for (let done = 0; done < out.length; ) {
        const n = readSync(fd, out, done, out.length - done, at + done);
        if (n === 0) throw new BackupRefused(`the backup file shrank while it was read`);
        done += n;
      }
      return out;
    },
    [Symbol.dispose]: () => closeSync(fd),
  };
}

function* chunks(bytes: BackupBytes, from: number, to: number): Generator<Buffer> {
  for (let at = from; at < to; at += CHUNK) yield bytes.readAt(at, Math.min(CHUNK, to - at));
}

/**
 * Locates a backup's parts and checks its signature (against `trustedKey` when given) by hashing the
 * file in chunks; also answers the whole file's sha256 (hex). Refuses (BackupRefused) as readBackupLayout
 * and verifyBackupSignature do.
 */
export function verifyBackupBytes(bytes: BackupBytes, trustedKey: Buffer | undefined, onProgress?: BackupProgress): { layout: BackupLayout; sha256: string } {
  const layout = readBackupLayout(bytes.size, bytes.readAt);
  const signed = sha256Stream();
  const whole = sha256Stream();
  let done = 0;
  for (const chunk of chunks(bytes, 0, bytes.size)) {
    const inSigned = Math.max(0, Math.min(chunk.length, layout.signedLength - done));
    if (inSigned > 0) signed.update(chunk.subarray(0, inSigned));
    whole.update(chunk);
    done += chunk.length;
    onProgress?.('signature', done, bytes.size);
  }
  verifyBackupSignatureOf(layout, signed.digest(), trustedKey);
  return { layout, sha256: whole.digest().toString('hex') };
}

/**
 * Whether a backup's payload authenticates (GCM tag, length, digest), through `payload`, a decryptor
 * not used yet: one more pass, after a restore failed. Disposes nothing (the caller owns `payload`).
 */
export function payloadIsAuthentic(bytes: BackupBytes, layout: BackupLayout, payload: BackupPayloadStream): boolean {
  try {
    for (const chunk of chunks(bytes, layout.ciphertextAt, layout.ciphertextAt + layout.ciphertextLength)) payload.update(chunk);
    payload.final();
    return true;
  } catch {
    return false;
  }
}

/**
 * The rows of a backup's payload, decrypted, gunzipped and parsed as they are read: a RestoreSource whose
 * memory stays a few chunks whatever the payload's size. The rows come BEFORE the payload is
 * authenticated; `finish` (which restore awaits before it commits) throws BackupRefused unless the GCM tag,
 * the payload's length and digest, every table's row count and the table order all check out.
 */
export class PayloadRows implements RestoreSource {
  readonly chains: BackupHeader['chains'];
  readonly #header: BackupHeader;
  readonly #inflated: AsyncIterator<Buffer>;
  #start: (() => unknown) | undefined;
  readonly #gunzip: ReturnType<typeof createGunzip>;
  readonly #payload: BackupPayloadStream;
  readonly #onProgress: BackupProgress | undefined;
  readonly #total: number;
  #authenticated = false;
  #started = false;
  #forged = false;
  #tail: Buffer = Buffer.alloc(0);
  #lines: string[] = [];
  #next = 0;
  #ended = false;
  #peeked: NeutralRow | undefined;
  /** Index in BACKUP_TABLES of the table being read; the counts of those before it were checked. */
  #position = 0;
  #seen = new Map<string, number>();
  #rows = 0;

  constructor(bytes: BackupBytes, layout: BackupLayout, payload: BackupPayloadStream, onProgress?: BackupProgress) {
    this.chains = layout.header.chains;
    this.#header = layout.header;
    this.#payload = payload;
    this.#onProgress = onProgress;
    this.#total = BACKUP_TABLES.reduce((n, spec) => n + (layout.header.counts[spec.table] ?? 0), 0);
    const self = this;
    function* plaintext(): Generator<Buffer> {
      self.#started = true;
      for (const chunk of chunks(bytes, layout.ciphertextAt, layout.ciphertextAt + layout.ciphertextLength)) yield payload.update(chunk);
      try {
        payload.final();
      } catch (e) {
        self.#forged = true;
        throw e;
      }
      self.#authenticated = true;
    }
    this.#gunzip = createGunzip();
    // Started on the first row asked for (a target refused before that reads nothing). Errors (a bad
    // tag, a corrupted gzip stream) destroy the gunzip stream, so they surface in #inflated.
    this.#start = () => pipeline(Readable.from(plaintext()), this.#gunzip, () => undefined);
    this.#inflated = this.#gunzip[Symbol.asyncIterator]();
  }

  async *rowsOf(spec: TableSpec): AsyncIterable<readonly NeutralValue[]> {
    const index = BACKUP_TABLES.findIndex((t) => t.table === spec.table);
    if (index < this.#position) throw new Error(`restore asked for ${spec.table} after a later table`);
    await this.#advanceTo(index);
    for (let row = await this.#peek(); row !== undefined && row.t === spec.table; row = await this.#peek()) {
      this.#take(row);
      yield row.r;
    }
  }

  async finish(): Promise<void> {
    await this.#advanceTo(BACKUP_TABLES.length);
    if (!this.#authenticated) throw new BackupRefused('the backup payload does not decrypt (altered or corrupted)');
    this.#onProgress?.('restore', this.#rows, this.#total);
  }

  /**
   * What is known of the payload's authenticity after a failure: `unread` (the failure came before it
   * was read), `authentic`, `forged` (the tag, length or digest failed), or `unknown` (reading stopped
   * before the tag: a corrupted row can fail to insert first).
   */
  get verdict(): 'unread' | 'authentic' | 'forged' | 'unknown' {
    return !this.#started ? 'unread' : this.#authenticated ? 'authentic' : this.#forged ? 'forged' : 'unknown';
  }

  /** Stops reading (after a failure) and zeroes the file key. */
  close(): void {
    this.#gunzip.destroy();
    this.#payload[Symbol.dispose]();
  }

  #take(row: NeutralRow): void {
    this.#peeked = undefined;
    this.#seen.set(row.t, (this.#seen.get(row.t) ?? 0) + 1);
    if (++this.#rows % PROGRESS_EVERY === 0) this.#onProgress?.('restore', this.#rows, this.#total);
  }

  /** Consumes the rows of the tables before `index` (no restore skips one; a filter may), checking their counts. */
  async #advanceTo(index: number): Promise<void> {
    for (; this.#position < index; this.#position++) {
      const table = BACKUP_TABLES[this.#position]!.table;
      for (let row = await this.#peek(); row !== undefined && row.t === table; row = await this.#peek()) this.#take(row);
      const n = this.#seen.get(table) ?? 0;
      if (n !== (this.#header.counts[table] ?? 0)) throw new BackupRefused(`the backup payload holds ${n} ${table} rows, its signed header ${this.#header.counts[table] ?? 0}`);
    }
    const row = await this.#peek();
    if (row === undefined) return;
    const at = BACKUP_TABLES.findIndex((t) => t.table === row.t);
    if (at === -1) throw new BackupRefused(`the backup payload holds rows of an unknown table '${String(row.t)}'`);
    if (at < this.#position) throw new BackupRefused(`the backup payload holds ${row.t} rows out of table order`);
  }

  async #peek(): Promise<NeutralRow | undefined> {
    if (this.#peeked !== undefined) return this.#peeked;
    const line = await this.#line();
    if (line === undefined) return undefined;
    let row: NeutralRow;
    try {
      row = JSON.parse(line) as NeutralRow;
    } catch {
      throw new BackupRefused('the backup payload is corrupted (a row is not JSON)');
    }
    if (typeof row !== 'object' || row === null || typeof row.t !== 'string' || !Array.isArray(row.r)) throw new BackupRefused('the backup payload is corrupted (a row is not a table row)');
    return (this.#peeked = row);
  }

  async #line(): Promise<string | undefined> {
    for (;;) {
      while (this.#next < this.#lines.length) {
        const line = this.#lines[this.#next++]!;
        if (line !== '') return line;
      }
      if (this.#ended) return undefined;
      await this.#fill();
    }
  }

  /** Reads the next inflated chunk, cut at its last newline ('\n' is never inside a UTF-8 sequence). */
  async #fill(): Promise<void> {
    this.#start?.();
    this.#start = undefined;
    let next: IteratorResult<Buffer>;
    try {
      next = await this.#inflated.next();
    } catch (e) {
      if (e instanceof BackupRefused) throw e;
      throw new BackupRefused(`the backup payload is corrupted (${e instanceof Error ? e.message : String(e)})`);
    }
    this.#next = 0;
    if (next.done === true) {
      this.#ended = true;
      this.#lines = this.#tail.length > 0 ? [this.#tail.toString('utf8')] : [];
      this.#tail = Buffer.alloc(0);
      return;
    }
    const chunk = next.value;
    const cut = chunk.lastIndexOf(0x0a);
    if (cut === -1) {
      this.#tail = Buffer.concat([this.#tail, chunk]);
      if (this.#tail.length > MAX_LINE) throw new BackupRefused('the backup payload is corrupted (a row longer than any Arca writes)');
      this.#lines = [];
      return;
    }
    this.#lines = Buffer.concat([this.#tail, chunk.subarray(0, cut)]).toString('utf8').split('\n');
    this.#tail = Buffer.from(chunk.subarray(cut + 1));
  }
}
