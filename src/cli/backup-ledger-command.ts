import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BackupRefused } from '../core/backup-file.js';
import { verifyLedger } from '../core/destruction-ledger.js';
import { writeFileDurably } from '../platform/durable-file.js';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';

export const BACKUP_LEDGER_USAGE = `arca backup ledger --out FILE [--endpoint URL] [--output text|json]

Asks the running, unsealed server for its destruction ledger (ArcaService.ExportDestructionLedger): every
destroyed key (id, ARN, destroyed versions, time), the root of trust's fingerprint, signed with the audit
trail key as a backup is. No secret is in it. Export it regularly and keep it with the backups: a restore
of an older backup with --ledger FILE restores the keys it names as destroyed (docs/backup.md).
The file is written durably, mode 0600, never over an existing file.
`;

/** `arca backup ledger --out FILE`: writes the server's signed destruction ledger here, after checking its signature. */
export async function runBackupLedger(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' }, endpoint: { type: 'string' }, output: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`arca backup ledger: ${e instanceof Error ? e.message : String(e)}\n\n${BACKUP_LEDGER_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(BACKUP_LEDGER_USAGE);
    return 0;
  }
  const out = values.out;
  if (out === undefined || existsSync(out)) {
    process.stderr.write(`arca backup ledger: ${out === undefined ? '--out FILE is required' : `${out} exists: a ledger never overwrites a file`}\n`);
    return 2;
  }
  let answer: Record<string, unknown>;
  try {
    answer = await callOperation(clientConfigFrom(process.env, values.endpoint), 'ArcaService.ExportDestructionLedger', {});
  } catch (e) {
    return reportCallError(e);
  }
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
  if (values.output === 'json') process.stdout.write(JSON.stringify({ ...summary, WrittenTo: out }) + '\n');
  else {
    process.stdout.write(
      `Destruction ledger written to ${out} (${destroyed} destroyed keys, sha256 ${String(answer['Sha256'])}).\n` +
        `Root of trust: ${String(answer['RootKind'])} (${String(answer['RootFingerprint'])}); signed by ${String(answer['SignerPublicKey'])}.\n` +
        'Keep it with the backups: arca backup restore FILE --to ... --ledger ' + out + '\n',
    );
  }
  return 0;
}
