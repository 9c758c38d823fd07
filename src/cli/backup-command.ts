import { copyFileSync, existsSync } from 'node:fs';
import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, serverSideCommand, show, UsageError } from './command-kit.js';
import { backupLedgerCommand } from './backup-ledger-command.js';

const CREATE_HELP = `
Asks the running, unsealed server to write a backup of its whole store (ArcaService.CreateBackup) into
its backup directory (backup.dir in arca.yaml; default <data dir>/backups), while it keeps serving.
Prints where the file is on the server, its size, sha256 and row counts. The file stays on the server:
with --out, when the server runs on this machine, the file is also copied to FILE.
Offline form (the command opens the store and the root itself, in the server process): arca backup create
--from <data dir | postgres URL> --out FILE (arca backup create --from x --help).`;

/** `arca backup create` against a server (the form without --from, which is the server-side command). */
export function backupCreateCommand(): Command {
  return new Command('create')
    .description('ask the running server for a signed, encrypted backup of its store')
    .option('--out <file>', 'also copy the backup to FILE (when the server runs on this machine)')
    .option('--from <store>', 'the offline form, run by the server process (bin/arca sends it there)')
    .addHelpText('after', CREATE_HELP)
    .action(act(async (cmd) => create(cmd, cmd.opts<{ out?: string; from?: string }>())));
}

async function create(cmd: Command, values: { out?: string; from?: string }): Promise<number> {
  if (values.from !== undefined) throw new UsageError('--from is the offline form, which the server process runs: run it through bin/arca');
  if (values.out !== undefined && existsSync(values.out)) throw new UsageError(`${values.out} exists: a backup never overwrites a file`);
  const out = await callOperation(clientFor(cmd), 'ArcaService.CreateBackup', {});
  const path = String(out['Path']);
  let copied: string | undefined;
  if (values.out !== undefined) {
    if (!existsSync(path)) {
      process.stderr.write(`arca backup create: the backup was made on the server at ${path}, which this machine cannot read: copy it from there\n`);
      return 1;
    }
    copyFileSync(path, values.out);
    copied = values.out;
  }
  if (formatOf(cmd) !== 'table') show(cmd, { ...out, ...(copied !== undefined && { CopiedTo: copied }) });
  else {
    const counts = (out['Counts'] ?? {}) as Record<string, number>;
    process.stdout.write(
      `Backup written on the server: ${path} (${String(out['Bytes'])} bytes, sha256 ${String(out['Sha256'])}).\n` +
        (copied !== undefined ? `Copied to ${copied}.\n` : '') +
        `Root of trust: ${String(out['RootKind'])} (${String(out['RootFingerprint'])}); signed by ${String(out['SignerPublicKey'])}.\n` +
        `Rows: ${Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ')}.\n`,
    );
  }
  return 0;
}

/** `arca backup …`: `create` (the server makes it) and `ledger` here; `verify`, `restore` and `create --from` run in the server process. */
export function backupCommand(): Command {
  return new Command('backup')
    .description('create, verify or restore a signed, encrypted backup; export the destruction ledger (docs/backup.md)')
    .addCommand(backupCreateCommand())
    .addCommand(backupLedgerCommand())
    .addCommand(serverSideCommand('verify', 'verify a backup or a ledger file offline: arca backup verify FILE [--public-key BASE64]'))
    .addCommand(serverSideCommand('restore', 'restore a backup into a new data directory or database: arca backup restore FILE --to … (offline)'));
}
