/**
 * The steps of a backup command that can take long (10k keys, 1M audit events), reported as they go
 * so that a terminal can show a progress bar (server/progress-bar.ts): `done` of `total` units.
 */
export type BackupPhase = 'snapshot' | 'seal' | 'signature' | 'restore';

/** What each phase counts. */
export const BACKUP_PHASES: Record<BackupPhase, { readonly label: string; readonly unit: 'rows' | 'bytes' }> = {
  snapshot: { label: 'reading the store', unit: 'rows' },
  seal: { label: 'encrypting and signing', unit: 'bytes' },
  signature: { label: 'checking the signature', unit: 'bytes' },
  restore: { label: 'restoring rows', unit: 'rows' },
};

export type BackupProgress = (phase: BackupPhase, done: number, total: number) => void;
