import { parseArgs } from 'node:util';
import { migrateStorage, MigrationRefused, redactUrl, withoutPassword, type StorageMigrateReport } from './storage-migrate.js';

export const STORAGE_USAGE = `arca storage migrate --from <data dir> --to <postgres URL> [--node-name NAME] [--output text|json]

Copies a SQLite data directory's store (keys, key versions, aliases, tags, grants, principals, access
keys, policies, import state, the seal record and the audit trail) into an EMPTY PostgreSQL database, in
one transaction, then checks the copy: row counts per table, the copied audit chain (as arca audit verify
does, against the source trail's signing key) and, for an arca dev data directory, one key version
unwrapped with its dev root. Wrapped material is copied as is: the PostgreSQL-backed server unseals with
the same shares, HSM or dev root file.

  --from DIR        the data directory (holds arca.db); no server may have it open (stop it first)
  --to URL          postgres://user[:password]@host[:port]/database (the password is never printed)
  --node-name NAME  the node name the SQLite audit trail is filed under in PostgreSQL (default: the
                    trail's chain id); run the node that continues the trail under this name
  --output FORMAT   text (default) or json

Exit status: 0 copied and verified; 1 copied but a check failed (the target keeps the copy); 2 refused
(bad arguments, a source in use or of another schema version, a non-empty target): nothing was written.
`;

/** `arca storage <subcommand>`. */
export async function runStorage(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(STORAGE_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'migrate') {
    process.stderr.write(`arca storage: unknown subcommand '${sub}'\n\n${STORAGE_USAGE}`);
    return 2;
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        from: { type: 'string' },
        to: { type: 'string' },
        'node-name': { type: 'string' },
        output: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    // parseArgs quotes the argument it rejects, which could be a URL given without --to: then say less.
    const message = e instanceof Error && !e.message.includes('://') ? e.message : 'unexpected argument (a URL goes after --to)';
    process.stderr.write(`arca storage migrate: ${message}\n\n${STORAGE_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(STORAGE_USAGE);
    return 0;
  }
  const { from, to, output } = values;
  if (from === undefined || to === undefined || (output !== 'text' && output !== 'json')) {
    process.stderr.write(`arca storage migrate: --from and --to are required, --output is text or json\n\n${STORAGE_USAGE}`);
    return 2;
  }
  const json = output === 'json';
  const fail = (code: number, message: string): number => {
    const text = withoutPassword(message, to);
    if (json) process.stdout.write(JSON.stringify({ ok: false, refused: code === 2, error: text, from, to: redactUrl(to) }) + '\n');
    else process.stderr.write(`arca storage migrate: ${text}\n`);
    return code;
  };
  let report: StorageMigrateReport;
  try {
    report = await migrateStorage({ from, to, node: values['node-name'] });
  } catch (e) {
    if (e instanceof MigrationRefused) return fail(2, `refused: ${e.message}`);
    return fail(1, `failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  process.stdout.write(json ? JSON.stringify(report) + '\n' : summary(report));
  return report.ok ? 0 : 1;
}

/** The human summary of a migration. */
export function summary(r: StorageMigrateReport): string {
  const lines = [`Copied ${r.from} into ${r.to} (one transaction, committed).`, '', 'Rows (source -> target):'];
  const width = Math.max(...r.tables.map((t) => t.table.length));
  for (const t of r.tables) lines.push(`  ${t.table.padEnd(width)}  ${t.source} -> ${t.target}${t.source === t.target ? '' : '  MISMATCH'}`);
  lines.push('');
  lines.push(r.chain === undefined ? 'Audit trail: none in the source.' : `Audit trail: chain ${r.chain.chainId}, node name '${r.chain.node}' (run the node that continues it under this name).`);
  const a = r.audit;
  if (a.status === 'verified') lines.push(`Audit verify: OK (${a.report.events} events, ${a.report.treeHeads} signed tree heads, verified up to ${a.report.verifiedTreeSize}, ${a.report.unsignedTail} after the last head).`);
  else lines.push(`Audit verify: ${a.status === 'failed' ? 'FAILED' : 'skipped'}: ${a.problem}`);
  const s = r.sampleDecrypt;
  if (s.status === 'ok') lines.push(`Sample decrypt: OK (key ${s.keyId} version ${s.version} unwrapped through the PostgreSQL key store).`);
  else if (s.status === 'failed') lines.push(`Sample decrypt: FAILED: ${s.problem}`);
  else lines.push(`Sample decrypt: skipped: ${s.reason}`);
  lines.push('', r.ok ? 'Migration verified.' : 'Migration committed, but a check FAILED: do not serve from the target before finding out why.', '');
  return lines.join('\n');
}
