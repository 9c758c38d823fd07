/**
 * Server-side commands of `arca`; the process entry `bin/arca` dispatches here. Each loads its module
 * only when run, so client commands never open a database or load native modules.
 */
export const SERVER_COMMANDS: Record<string, () => Promise<(argv: readonly string[]) => Promise<number>>> = {
  dev: async () => (await import('./dev-command.js')).runDev,
  server: async () => (await import('./server-command.js')).runServer,
  storage: async () => (await import('./storage-command.js')).runStorage,
  backup: async () => (await import('./backup-command.js')).runBackup,
};
