import { SingleBar } from 'cli-progress';
import { BACKUP_PHASES, type BackupPhase, type BackupProgress } from './backup-progress.js';

/** A progress bar for a command's local work; `stop` clears its line state (call it in a finally). */
export interface ProgressBar {
  readonly report: BackupProgress | undefined;
  stop(): void;
}

/**
 * A bar on stderr, one per phase, when `enabled` (a terminal, and not `--output json`): stdout keeps only
 * the command's result, so a script that pipes it sees no bar. Disabled, `report` is undefined and the
 * work reports nothing.
 */
export function backupProgressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!enabled) return { report: undefined, stop: () => undefined };
  let bar: SingleBar | undefined;
  let current: BackupPhase | undefined;
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    report(phase, done, total) {
      if (phase !== current) {
        stop();
        current = phase;
        const { label, unit } = BACKUP_PHASES[phase];
        const amount = unit === 'bytes' ? '{doneMb}/{totalMb} MB' : '{value}/{total} rows';
        bar = new SingleBar({ stream, format: `${label.padEnd(24)} [{bar}] {percentage}% | ${amount} | {duration_formatted}`, hideCursor: true, clearOnComplete: false, fps: 5 });
        bar.start(Math.max(total, 1), 0, { doneMb: '0.0', totalMb: (total / 1e6).toFixed(1) });
      }
      bar?.setTotal(Math.max(total, 1));
      bar?.update(done, { doneMb: (done / 1e6).toFixed(1), totalMb: (total / 1e6).toFixed(1) });
    },
    stop,
  };
}

/** Whether a command shows a bar: stderr is a terminal and the output is not JSON. */
export function wantsProgressBar(json: boolean, stream: NodeJS.WriteStream = process.stderr): boolean {
  return !json && stream.isTTY === true;
}
