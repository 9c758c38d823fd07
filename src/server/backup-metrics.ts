import { Counter, Gauge, type Registry } from 'prom-client';
import type { BackupObserver } from './backup-schedule.js';

/**
 * The scheduled-backup metrics (docs/monitoring.md), registered only when `backup.schedule` is set, so
 * the alerts on them stay quiet on a server that schedules none. Every node of a cluster exports them;
 * only the scheduler leader's move (alert on the max over nodes). `lastSuccessAt`: the newest scheduled
 * file found in the directory at start, so a restart does not look like a stale backup.
 */
export function registerBackupMetrics(registry: Registry, options: { readonly everyMs: number; readonly lastSuccessAt?: Date | undefined }): BackupObserver {
  const registers = [registry];
  const lastSuccess = new Gauge({ name: 'arca_backup_last_success_timestamp_seconds', help: 'Unix time of the last successful scheduled backup (at start: the newest scheduled file in backup.dir; 0: none).', registers });
  const failures = new Counter({ name: 'arca_backup_failures_total', help: 'Scheduled backups that failed on this node (each is logged at error and raised as a backupFailed alert).', registers });
  const duration = new Gauge({ name: 'arca_backup_duration_seconds', help: 'How long the last successful scheduled backup took, snapshot to durable file.', registers });
  const size = new Gauge({ name: 'arca_backup_last_size_bytes', help: 'Size of the last successful scheduled backup file.', registers });
  new Gauge({ name: 'arca_backup_schedule_interval_seconds', help: 'The configured period of scheduled backups (backup.schedule.every).', registers }).set(options.everyMs / 1000);
  lastSuccess.set(options.lastSuccessAt === undefined ? 0 : options.lastSuccessAt.getTime() / 1000);
  return {
    backupSucceeded(at, seconds, bytes) {
      lastSuccess.set(at.getTime() / 1000);
      duration.set(seconds);
      size.set(bytes);
    },
    backupFailed() {
      failures.inc();
    },
  };
}
