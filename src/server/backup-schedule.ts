import { accessSync, constants, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Realm } from '../core/arn.js';
import { auditEvent } from '../core/audit.js';
import type { BackupMaker, BackupSummary } from '../core/backup-file.js';
import { KmsError } from '../core/errors.js';
import type { LeaderLease } from '../core/leadership.js';
import type { AuditLog, Clock, Logger } from '../core/ports.js';
import { randomId, timeOrderedId } from '../crypto/random.js';
import type { AlertSink } from '../service/detection/alert.js';

/**
 * The file name prefix of scheduled backups. Retention counts and deletes ONLY files named
 * `arca-scheduled-<time>-<id>.arcabak`: a file made by `arca backup create` (`arca-backup-…`) or put
 * in the directory by hand is never touched.
 */
export const SCHEDULED_BACKUP_PREFIX = 'arca-scheduled';
const SCHEDULED_FILE = /^arca-scheduled-.+\.arcabak$/;

/** The rule name of the alert raised when a scheduled backup fails (`arca alerts list --rule scheduled-backup`). */
export const BACKUP_ALERT_RULE = 'scheduled-backup';

/** Told of each scheduled backup's outcome: the `arca_backup_*` metrics. */
export interface BackupObserver {
  backupSucceeded(at: Date, seconds: number, bytes: number): void;
  backupFailed(): void;
}

/** What one tick did. `follower`: another node holds the scheduler lease and backs up for the cluster. */
export type BackupTick =
  | { readonly outcome: 'made'; readonly path: string; readonly bytes: number; readonly removed: readonly string[] }
  | { readonly outcome: 'failed'; readonly error: string }
  | { readonly outcome: 'skipped'; readonly reason: 'follower' | 'sealed' | 'running' };

export interface BackupScheduleDeps {
  /** Makes one backup file in `dir` named with {@link SCHEDULED_BACKUP_PREFIX}: the maker behind ArcaService.CreateBackup. */
  readonly maker: BackupMaker;
  readonly dir: string;
  /** The period: a backup at every multiple of it since the Unix epoch. */
  readonly everyMs: number;
  /** Scheduled files kept, the new one included (at least 1). */
  readonly retain: number;
  /** The lifecycle scheduler's lease: only its holder backs up (one file per tick for a cluster). */
  readonly lease: Pick<LeaderLease, 'acquire'>;
  readonly unsealed: () => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly realm: Realm;
  /** Where the `CreateBackup` event of each scheduled backup (made or failed) goes. */
  readonly audit?: Pick<AuditLog, 'append'> | undefined;
  readonly observer?: BackupObserver | undefined;
  /** Where the `backupFailed` alert goes: the audit trail's `Alert` event, `arca_alerts_total`, webhooks. */
  readonly alerts?: AlertSink | undefined;
}

/** The longest delay setTimeout keeps (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Scheduled backups (docs/backup.md, "Scheduled backups"): at every multiple of `everyMs` since the epoch,
 * the node holding the scheduler lease, if unsealed, makes a backup through the same maker as
 * ArcaService.CreateBackup, records a `CreateBackup` event by Arca's scheduler (ServiceAccount,
 * `arca-scheduler`, `requestParameters.scheduled: true`), and then deletes the oldest scheduled files
 * beyond `retain`. A failure (directory unusable, disk full, database down) is logged at error, counted,
 * audited with its error, and raised as a `backupFailed` alert; nothing is deleted, and the next tick tries
 * again. A sealed node skips (logged at warn; not counted as a failure: arca_sealed and the stale-backup
 * alert report it). Ticks run in the background, never on a request's path, and never overlap.
 */
export class BackupScheduler {
  readonly #deps: BackupScheduleDeps;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<BackupTick> | undefined;
  #stopped = false;
  #consecutiveFailures = 0;
  /** The tick the timer was last armed for: a timer firing a millisecond early must not run it twice. */
  #target = Number.NEGATIVE_INFINITY;

  constructor(deps: BackupScheduleDeps) {
    this.#deps = deps;
  }

  /** The next tick's time after `now`: the next multiple of the period since the epoch. */
  nextTick(now: Date): Date {
    const every = this.#deps.everyMs;
    return new Date((Math.floor(now.getTime() / every) + 1) * every);
  }

  /**
   * Arms the timer for the next tick (unref'd: it never keeps the process alive). A directory that
   * cannot be made or written is reported at once, at error, rather than at the first tick hours later.
   */
  start(): void {
    this.#stopped = false;
    this.#arm();
    const { dir, everyMs, retain, logger } = this.#deps;
    logger.info('scheduled backups on', { dir, everySeconds: everyMs / 1000, retain, next: new Date(this.#target).toISOString() });
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      logger.error('backup.dir is not usable: scheduled backups will fail until it is', { dir, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** `sameTarget`: re-arm a wait longer than setTimeout can hold, for the same tick. */
  #arm(sameTarget = false): void {
    if (this.#stopped) return;
    const now = this.#deps.clock.now().getTime();
    if (!sameTarget) this.#target = this.nextTick(new Date(Math.max(now, this.#target))).getTime();
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, this.#target - now));
    const due = delay < MAX_TIMER_MS;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!due) return this.#arm(true);
      void this.runOnce().finally(() => this.#arm());
    }, delay);
    this.#timer.unref();
  }

  /**
   * One tick, now: skips on a sealed node, on a node that does not hold the lease, or while the last
   * backup is still running; otherwise makes the backup and applies retention. Never rejects.
   */
  runOnce(): Promise<BackupTick> {
    if (this.#running !== undefined) return Promise.resolve({ outcome: 'skipped', reason: 'running' });
    const run = this.#tick().finally(() => {
      this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #tick(): Promise<BackupTick> {
    const { logger } = this.#deps;
    if (!this.#deps.unsealed()) {
      logger.warn('scheduled backup skipped: this node is sealed', { dir: this.#deps.dir });
      return { outcome: 'skipped', reason: 'sealed' };
    }
    if (!(await this.#deps.lease.acquire())) return { outcome: 'skipped', reason: 'follower' };
    const started = performance.now();
    let made: BackupSummary;
    try {
      made = await this.#deps.maker.create();
    } catch (e) {
      return this.#failed(e);
    }
    const seconds = (performance.now() - started) / 1000;
    this.#consecutiveFailures = 0;
    this.#deps.observer?.backupSucceeded(new Date(made.header.createdAt), seconds, made.bytes);
    logger.info('scheduled backup made', { path: made.path, bytes: made.bytes, seconds: Math.round(seconds * 1000) / 1000 });
    await this.#record({ path: made.path, bytes: made.bytes, sha256: made.sha256 }, undefined);
    const removed = this.#applyRetention(made.path);
    return { outcome: 'made', path: made.path, bytes: made.bytes, removed };
  }

  async #failed(e: unknown): Promise<BackupTick> {
    const error = e instanceof Error ? e.message : String(e);
    const code = e instanceof KmsError ? e.code : 'Internal';
    this.#consecutiveFailures++;
    this.#deps.observer?.backupFailed();
    this.#deps.logger.error('scheduled backup failed; retrying at the next tick', { dir: this.#deps.dir, error, consecutiveFailures: this.#consecutiveFailures });
    await this.#record(null, { code, message: error });
    const now = this.#deps.clock.now();
    this.#deps.alerts?.raise({
      id: timeOrderedId(now.getTime()),
      rule: BACKUP_ALERT_RULE,
      type: 'backupFailed',
      severity: 'high',
      time: now,
      principalArn: 'arca:scheduler',
      sourceIp: 'arca.internal',
      summary: `The scheduled backup into ${this.#deps.dir} failed: ${error}`,
      details: { dir: this.#deps.dir, consecutiveFailures: this.#consecutiveFailures },
    });
    return { outcome: 'failed', error };
  }

  /** The scheduled backup's `CreateBackup` event; a failed write is logged, never thrown (the backup already happened or failed). */
  async #record(response: Record<string, unknown> | null, error: { code: string; message: string } | undefined): Promise<void> {
    const { audit, clock, realm, logger } = this.#deps;
    if (audit === undefined) return;
    const now = clock.now();
    try {
      await audit.append(auditEvent({
        eventTime: now.toISOString(),
        eventName: 'CreateBackup',
        awsRegion: realm.region,
        sourceIPAddress: 'arca.internal',
        userAgent: 'arca-scheduler',
        userIdentity: { type: 'ServiceAccount', accountId: realm.account },
        requestParameters: { scheduled: true },
        responseElements: response,
        ...(error !== undefined && { errorCode: error.code, errorMessage: error.message }),
        requestID: randomId(),
        eventID: timeOrderedId(now.getTime()),
        resources: [],
        readOnly: true,
      }));
    } catch (e) {
      logger.error('could not record a scheduled backup in the audit trail', { error: String(e) });
    }
  }

  #applyRetention(made: string): string[] {
    try {
      return pruneScheduledBackups(this.#deps.dir, this.#deps.retain, made);
    } catch (e) {
      this.#deps.logger.error('could not delete old scheduled backups', { dir: this.#deps.dir, error: String(e) });
      return [];
    }
  }

  /** Stops the timer and waits for a backup in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }
}

/** The scheduled backup files in `dir`, oldest first (their names start with the UTC time they were made). */
export function scheduledBackups(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => SCHEDULED_FILE.test(n)).sort();
}

/** When the newest scheduled backup in `dir` was written (its mtime), if any: the metric's value at start. */
export function newestScheduledBackup(dir: string): Date | undefined {
  const newest = scheduledBackups(dir).at(-1);
  if (newest === undefined) return undefined;
  try {
    return statSync(join(dir, newest)).mtime;
  } catch {
    return undefined;
  }
}

/**
 * Deletes the oldest scheduled backups of `dir` beyond the newest `retain`, never `keep` (the backup
 * just made): called only after a successful backup, so the last good file always stays. Answers the
 * names deleted.
 */
export function pruneScheduledBackups(dir: string, retain: number, keep: string): string[] {
  const files = scheduledBackups(dir);
  const kept = new Set(files.slice(-Math.max(1, retain)));
  const removed: string[] = [];
  for (const name of files) {
    const path = join(dir, name);
    if (kept.has(name) || path === keep) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}
