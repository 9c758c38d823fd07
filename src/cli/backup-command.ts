import { copyFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';

export const BACKUP_CREATE_USAGE = `arca backup create [--out FILE] [--endpoint URL] [--output text|json]

Asks the running, unsealed server to write a backup of its whole store (ArcaService.CreateBackup) into
its backup directory (backup.dir in arca.yaml; default <data dir>/backups), while it keeps serving.
Prints where the file is on the server, its size, sha256 and row counts. The file stays on the server:
with --out, when the server runs on this machine, the file is also copied to FILE.
Offline form (the command opens the store and the root itself): arca backup create --from <data dir |
postgres URL> --out FILE (arca backup --help).
`;

/** `arca backup create` against a server (the form without --from, which is the server-side command). */
export async function runBackupCreate(argv: readonly string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' }, endpoint: { type: 'string' }, output: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
    }));
  } catch (e) {
    process.stderr.write(`arca backup create: ${e instanceof Error ? e.message : String(e)}\n\n${BACKUP_CREATE_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(BACKUP_CREATE_USAGE);
    return 0;
  }
  if (values.out !== undefined && existsSync(values.out)) {
    process.stderr.write(`arca backup create: ${values.out} exists: a backup never overwrites a file\n`);
    return 2;
  }
  let out: Record<string, unknown>;
  try {
    out = await callOperation(clientConfigFrom(process.env, values.endpoint), 'ArcaService.CreateBackup', {});
  } catch (e) {
    return reportCallError(e);
  }
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
  if (values.output === 'json') process.stdout.write(JSON.stringify({ ...out, ...(copied !== undefined && { CopiedTo: copied }) }) + '\n');
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
