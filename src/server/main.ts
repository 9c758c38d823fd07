/**
 * Server-side commands of `arca`; the process entry `bin/arca` dispatches here. Each loads its module
 * only when run, so client commands never open a database or load native modules.
 */
export const SERVER_COMMANDS: Record<string, () => Promise<(argv: readonly string[]) => Promise<number>>> = {
  dev: async () => (await import('./dev-command.js')).runDev,
  server: async () => (await import('./server-command.js')).runServer,
  storage: async () => (await import('./storage-command.js')).runStorage,
  backup: async () => (await import('./backup-command.js')).runBackup,
  /** Only `operator export-recovery | recover-shares`: the other operator commands are the client's. */
  operator: async () => (await import('./recovery-command.js')).runRecovery,
};

/**
 * Whether `argv` runs on the server side. `arca backup create` without `--from` is a client command: it
 * asks the running server to make the backup (ArcaService.CreateBackup); with `--from` the command opens
 * the store itself. `arca operator export-recovery | recover-shares` read stores and files themselves
 * (ADR 0017); every other `operator` command is a client of the running server. `arca backup ledger` is a
 * client command too (ArcaService.ExportDestructionLedger).
 */
export function isServerCommand(argv: readonly string[]): boolean {
  const [command, sub, ...rest] = argv;
  if (command === undefined || !Object.hasOwn(SERVER_COMMANDS, command)) return false;
  if (command === 'backup' && sub === 'ledger') return false;
  if (command === 'operator') return sub === 'export-recovery' || sub === 'recover-shares';
  return !(command === 'backup' && sub === 'create' && !rest.some((a) => a === '--from' || a.startsWith('--from=')));
}
