import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { BackupRefused } from '../core/backup-file.js';
import { verifyLedger } from '../core/destruction-ledger.js';
import { writeFileDurably } from '../platform/durable-file.js';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, show, UsageError } from './command-kit.js';

const LEDGER_HELP = `
Asks the running, unsealed server for its destruction ledger (ArcaService.ExportDestructionLedger): every
destroyed key (id, ARN, destroyed versions, time), the root of trust's fingerprint, signed with the audit
trail key as a backup is. No secret is in it. Export it regularly and keep it with the backups: a restore
of an older backup with --ledger FILE restores the keys it names as destroyed (docs/backup.md).
The file is written durably, mode 0600, never over an existing file.`;

/** `arca backup ledger --out FILE`: writes the server's signed destruction ledger here, after checking its signature. */
export function backupLedgerCommand(): Command {
  return new Command('ledger')
    .description("write the server's signed destruction ledger to FILE, after checking its signature")
    .requiredOption('--out <file>', 'the file to write (never over an existing one)')
    .addHelpText('after', LEDGER_HELP)
    .action(act(async (cmd) => ledger(cmd, cmd.opts<{ out: string }>().out)));
}

async function ledger(cmd: Command, out: string): Promise<number> {
  if (existsSync(out)) throw new UsageError(`${out} exists: a ledger never overwrites a file`);
  const answer = await callOperation(clientFor(cmd), 'ArcaService.ExportDestructionLedger', {});
  const file = Buffer.from(String(answer['Ledger'] ?? ''), 'base64');
  let destroyed: number;
  try {
    destroyed = verifyLedger(file).body.destructions.length;
  } catch (e) {
    process.stderr.write(`arca backup ledger: the server's answer is no valid ledger: ${e instanceof BackupRefused ? e.message : String(e)}\n`);
    return 1;
  }
  writeFileDurably(out, file, { mode: 0o600, exclusive: true });
  const { Ledger: _bytes, ...summary } = answer;
  if (formatOf(cmd) !== 'table') show(cmd, { ...summary, WrittenTo: out });
  else {
    process.stdout.write(
      `Destruction ledger written to ${out} (${destroyed} destroyed keys, sha256 ${String(answer['Sha256'])}).\n` +
        `Root of trust: ${String(answer['RootKind'])} (${String(answer['RootFingerprint'])}); signed by ${String(answer['SignerPublicKey'])}.\n` +
        'Keep it with the backups: arca backup restore FILE --to ... --ledger ' + out + '\n',
    );
  }
  return 0;
}
