import { appendFile, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AuditTrail, Logger } from '../core/ports.js';

export interface FileSinkConfig {
  readonly type: 'file';
  /** The JSON-lines file events are appended to. */
  readonly path: string;
  /** Rotate once the file reaches this size (default 64 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 10). */
  readonly maxFiles?: number;
}

/** What a sink reports for metrics and `/readyz`. */
export interface SinkStatus {
  readonly name: string;
  /** The last sequence delivered. */
  readonly delivered: number;
  readonly failures: number;
  readonly lastError?: string | undefined;
  readonly healthy: boolean;
}

/**
 * A secondary copy of the trail as rotating JSON-lines files. It never blocks the durable store: it reads
 * committed events from the trail by sequence, after the fact, and remembers the last sequence it wrote in
 * `<path>.cursor`, so a failure (full disk, unwritable directory) is retried on the next poll, a restart
 * resumes where it stopped, and nothing is lost while the primary store has it.
 */
export class AuditFileSink {
  readonly #config: FileSinkConfig;
  readonly #trail: AuditTrail;
  readonly #logger: Logger;
  #delivered = 0;
  #failures = 0;
  #lastError: string | undefined;
  #running: Promise<void> | undefined;
  #loaded = false;
  #rotations = 0;

  constructor(config: FileSinkConfig, trail: AuditTrail, logger: Logger) {
    this.#config = config;
    this.#trail = trail;
    this.#logger = logger;
  }

  get #maxBytes(): number {
    return this.#config.maxBytes ?? 64 * 1024 * 1024;
  }

  status(): SinkStatus {
    return { name: `file:${this.#config.path}`, delivered: this.#delivered, failures: this.#failures, lastError: this.#lastError, healthy: this.#lastError === undefined };
  }

  /** Delivers every committed event not yet written; concurrent calls share one run. */
  flush(): Promise<void> {
    this.#running ??= this.#deliver().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #deliver(): Promise<void> {
    const cursorFile = `${this.#config.path}.cursor`;
    try {
      if (!this.#loaded) {
        this.#delivered = Number((await readFile(cursorFile, 'utf8').catch(() => '0')).trim()) || 0;
        this.#loaded = true;
      }
      for (;;) {
        const entries = await this.#trail.entriesInRange(this.#delivered + 1, this.#delivered + 500);
        if (entries.length === 0) break;
        // Chunks no larger than a file, so that rotation happens between whole lines.
        let chunk = '';
        let last = this.#delivered;
        const write = async (): Promise<void> => {
          await this.#rotateIfNeeded(Buffer.byteLength(chunk));
          await appendFile(this.#config.path, chunk, { mode: 0o600 });
          this.#delivered = last;
          await writeFile(cursorFile, String(last), { mode: 0o600 });
          chunk = '';
        };
        for (const e of entries) {
          const line = JSON.stringify(e.event ?? { pruned: { sequence: e.sequence, leafHash: e.leafHash } }) + '\n';
          if (chunk !== '' && Buffer.byteLength(chunk) + Buffer.byteLength(line) > this.#maxBytes) await write();
          chunk += line;
          last = e.sequence;
        }
        if (chunk !== '') await write();
      }
      if (this.#lastError !== undefined) this.#logger.info('audit sink recovered', { sink: this.status().name });
      this.#lastError = undefined;
    } catch (e) {
      this.#failures += 1;
      if (this.#lastError === undefined) this.#logger.warn('audit sink failing; will retry', { sink: this.status().name, error: String(e) });
      this.#lastError = String(e);
    }
  }

  async #rotateIfNeeded(adding: number): Promise<void> {
    const { path } = this.#config;
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size === 0 || size + adding <= this.#maxBytes) return;
    this.#rotations += 1;
    await rename(path, `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}-${String(this.#rotations).padStart(6, '0')}`);
    const prefix = `${basename(path)}.`;
    const rotated = (await readdir(dirname(path))).filter((f) => f.startsWith(prefix) && f !== `${prefix}cursor`).sort();
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (this.#config.maxFiles ?? 10)))) await unlink(join(dirname(path), old));
  }
}
