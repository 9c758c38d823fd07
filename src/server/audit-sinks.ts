import { createSocket } from 'node:dgram';
import { open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import type { AuditEvent } from '../core/audit.js';
import type { AuditTrail, Logger } from '../core/ports.js';
import { fsyncDirectoryAsync, writeFileDurablyAsync } from '../platform/durable-file.js';

/** Rotating JSON-lines files. */
export interface FileSinkConfig {
  readonly type: 'file';
  readonly path: string;
  /** Rotate once the file would pass this size (default 64 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept (default 10). */
  readonly maxFiles?: number;
}

/** RFC 5424 syslog over UDP (one datagram per event) or TCP (RFC 6587 octet counting). */
export interface SyslogSinkConfig {
  readonly type: 'syslog';
  readonly host: string;
  readonly port: number;
  readonly protocol: 'udp' | 'tcp';
  /** Syslog facility number (default 13, log audit). */
  readonly facility?: number;
}

/** HTTPS POST of `{"events":[…]}` batches; plain http only to a loopback host (tests, local relays). */
export interface WebhookSinkConfig {
  readonly type: 'webhook';
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Events per request (default 100). */
  readonly batchSize?: number;
}

export type SinkConfig = FileSinkConfig | SyslogSinkConfig | WebhookSinkConfig;

/** What a sink reports for `/readyz`. */
export interface SinkStatus {
  readonly name: string;
  /** The last sequence delivered. */
  readonly delivered: number;
  readonly failures: number;
  readonly lastError?: string | undefined;
  readonly healthy: boolean;
}

interface Transport {
  readonly name: string;
  readonly batchSize: number;
  /** Delivers these events (pruned positions are skipped) or throws; may be retried with the same events. */
  send(events: readonly AuditEvent[]): Promise<void>;
}

/**
 * A secondary copy of the trail. It never blocks the durable store: it reads committed events from the
 * trail by sequence, after the fact, and remembers the last sequence delivered in a cursor file, so a
 * failure is retried on the next poll, a restart resumes where it stopped, and nothing is lost while the
 * primary store holds it. Delivery is at least once.
 */
export class AuditSink {
  readonly #transport: Transport;
  readonly #trail: AuditTrail;
  readonly #logger: Logger;
  readonly #cursorFile: string;
  #delivered = 0;
  #failures = 0;
  #lastError: string | undefined;
  #running: Promise<void> | undefined;
  #loaded = false;

  constructor(config: SinkConfig, cursorFile: string, trail: AuditTrail, logger: Logger) {
    this.#transport = transportFor(config);
    this.#cursorFile = cursorFile;
    this.#trail = trail;
    this.#logger = logger;
  }

  status(): SinkStatus {
    return { name: this.#transport.name, delivered: this.#delivered, failures: this.#failures, lastError: this.#lastError, healthy: this.#lastError === undefined };
  }

  /**
   * Events committed and not yet delivered, given the trail's size `committed` (the `arca_audit_sink_lag_events`
   * gauge); undefined until the cursor was read (the first delivery run).
   */
  lag(committed: number): number | undefined {
    return this.#loaded ? Math.max(0, committed - this.#delivered) : undefined;
  }

  /** Delivers every committed event not yet delivered; concurrent calls share one run. */
  flush(): Promise<void> {
    this.#running ??= this.#deliver().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #deliver(): Promise<void> {
    try {
      if (!this.#loaded) {
        this.#delivered = Number((await readFile(this.#cursorFile, 'utf8').catch(() => '0')).trim()) || 0;
        this.#loaded = true;
      }
      for (;;) {
        const entries = await this.#trail.entriesInRange(this.#delivered + 1, this.#delivered + this.#transport.batchSize);
        const last = entries.at(-1);
        if (last === undefined) break;
        await this.#transport.send(entries.flatMap((e) => (e.event === undefined ? [] : [e.event])));
        this.#delivered = last.sequence;
        // The sink has the batch durably (see the file transport); only then does the cursor move past it.
        await writeFileDurablyAsync(this.#cursorFile, String(last.sequence));
      }
      if (this.#lastError !== undefined) this.#logger.info('audit sink recovered', { sink: this.#transport.name });
      this.#lastError = undefined;
    } catch (e) {
      this.#failures += 1;
      if (this.#lastError === undefined) this.#logger.warn('audit sink failing; will retry', { sink: this.#transport.name, error: String(e) });
      this.#lastError = String(e);
    }
  }
}

function transportFor(c: SinkConfig): Transport {
  switch (c.type) {
    case 'file':
      return fileTransport(c);
    case 'syslog':
      return syslogTransport(c);
    case 'webhook':
      return webhookTransport(c);
  }
}

function fileTransport(c: FileSinkConfig): Transport {
  const maxBytes = c.maxBytes ?? 64 * 1024 * 1024;
  let rotations = 0;
  const rotateIfNeeded = async (adding: number): Promise<void> => {
    const size = await stat(c.path).then((s) => s.size, () => 0);
    if (size === 0 || size + adding <= maxBytes) return;
    rotations += 1;
    await rename(c.path, `${c.path}.${new Date().toISOString().replace(/[:.]/g, '-')}-${String(rotations).padStart(6, '0')}`);
    await fsyncDirectoryAsync(dirname(c.path)); // the rotated file keeps its lines under its new name
    const prefix = `${basename(c.path)}.`;
    const rotated = (await readdir(dirname(c.path))).filter((f) => f.startsWith(prefix) && f !== `${prefix}cursor`).sort();
    for (const old of rotated.slice(0, Math.max(0, rotated.length - (c.maxFiles ?? 10)))) await unlink(join(dirname(c.path), old));
  };
  return {
    name: `file:${c.path}`,
    batchSize: 500,
    async send(events) {
      // Chunks no larger than a file, so that rotation happens between whole lines.
      let chunk = '';
      const write = async (): Promise<void> => {
        await rotateIfNeeded(Buffer.byteLength(chunk));
        // fsynced before the cursor moves past these events: a power cut loses no line the cursor counts.
        const created = await stat(c.path).then(() => false, () => true);
        const file = await open(c.path, 'a', 0o600);
        try {
          await file.appendFile(chunk, 'utf8');
          await file.sync();
        } finally {
          await file.close();
        }
        if (created) await fsyncDirectoryAsync(dirname(c.path)); // a new file's name is durable too
        chunk = '';
      };
      for (const e of events) {
        const line = JSON.stringify(e) + '\n';
        if (chunk !== '' && Buffer.byteLength(chunk) + Buffer.byteLength(line) > maxBytes) await write();
        chunk += line;
      }
      if (chunk !== '') await write();
    },
  };
}

/** One RFC 5424 message: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG. */
export function syslogMessage(e: AuditEvent, facility: number, host = hostname()): string {
  const severity = e.errorCode === undefined ? 6 : 4;
  const field = (s: string, max: number): string => s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';
  return `<${facility * 8 + severity}>1 ${e.eventTime} ${field(host, 255)} arca ${process.pid} ${field(e.eventName, 32)} - ${JSON.stringify(e)}`;
}

function syslogTransport(c: SyslogSinkConfig): Transport {
  const facility = c.facility ?? 13;
  return {
    name: `syslog:${c.protocol}://${c.host}:${c.port}`,
    batchSize: 200,
    async send(events) {
      const messages = events.map((e) => Buffer.from(syslogMessage(e, facility), 'utf8'));
      if (messages.length === 0) return;
      if (c.protocol === 'udp') {
        const socket = createSocket(c.host.includes(':') ? 'udp6' : 'udp4');
        try {
          for (const m of messages) await new Promise<void>((ok, fail) => socket.send(m, c.port, c.host, (err) => (err ? fail(err) : ok())));
        } finally {
          socket.close();
        }
        return;
      }
      const framed = Buffer.concat(messages.flatMap((m) => [Buffer.from(`${m.length} `), m]));
      await new Promise<void>((ok, fail) => {
        const socket = connect({ host: c.host, port: c.port });
        socket.setTimeout(10_000, () => socket.destroy(new Error('syslog TCP timeout')));
        socket.once('error', fail);
        socket.once('connect', () => socket.end(framed, () => ok()));
      });
    },
  };
}

function webhookTransport(c: WebhookSinkConfig): Transport {
  const url = new URL(c.url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) throw new Error(`webhook sink ${c.url}: https is required (http only to a loopback host)`);
  return {
    name: `webhook:${url.origin}${url.pathname}`,
    batchSize: c.batchSize ?? 100,
    async send(events) {
      if (events.length === 0) return;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...c.headers },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`webhook answered ${res.status}`);
    },
  };
}
