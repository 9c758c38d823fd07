import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { BackupHeader } from '../core/backup-file.js';
import { verifyLedger } from '../core/destruction-ledger.js';
import type { LedgerOutcome } from '../store/backup/apply-ledger.js';
import { withPostgresSnapshot, withSqliteSnapshot, type StoreSnapshot } from '../store/backup/snapshot.js';
import { PostgresDatabase } from '../store/postgres/database.js';
import { BackupRefused, DEV_ROOT_FILE, inspectBackup, isPostgresUrl, makeBackup, readBackupFile, readBackupHeader, restoreBackup } from './backup.js';
import { hsmOpenerFromConfig } from './backup-hsm.js';
import type { BackupProgress } from './backup-progress.js';
import { openCommandRoot, rootInfoOf, type RootMaterial } from './backup-root.js';
import { systemClock } from './clock.js';
import { backupProgressBar, wantsProgressBar } from './progress-bar.js';
import { unsealKeyFromPackage } from './recovery-command.js';
import { redactUrl, withoutPassword } from './storage-migrate.js';

export const BACKUP_USAGE = `arca backup create [--out FILE] [--endpoint URL] [--output text|json]
arca backup create --from <data dir | postgres URL> --out FILE [root] [--output text|json]
arca backup verify <FILE | LEDGER> [--public-key BASE64] [--output text|json]
arca backup restore FILE --to <new data dir | postgres URL> [root] [--ledger LEDGER]... [--public-key BASE64] [--output text|json]
arca backup restore FILE --to … --recovery-package PKG --custodian-private-key KEY (M times)
arca backup ledger --out LEDGER [--endpoint URL] [--output text|json]

A backup is one file: every key, key version (material still wrapped under the domain keys), alias,
tag, policy, grant, principal, access key (secret wrapped), rotation and deletion state, destruction
record, import state, the seal record, and the audit trails, read in ONE snapshot while the server keeps
serving; encrypted (AES-256-GCM) under a file key wrapped by the root of trust, and signed with the audit
trail's Ed25519 key (docs/backup.md).

  create   without --from: the running, unsealed server makes the backup (ArcaService.CreateBackup) in
           its backup.dir (default <data dir>/backups); --out copies it here when the server is local.
           With --from: this command opens the store and needs its root: [root] is --dev-root FILE
           (default: the data directory's insecure-dev-root.key) or a quorum of Shamir shares
           (--share-file FILE, once per share), or for a PKCS#11 root --config arca.yaml (its root:
           section opens the HSM, as arca server does)
  verify   no secret: checks the framing and the signature (against --public-key, the audit trail key
           arca audit verify prints, when given) and prints what the file holds; a destruction ledger
           (FILE from arca backup ledger) is checked the same way
  restore  into an EMPTY store only (a directory without arca.db, or an empty PostgreSQL database);
           needs the same root that made the backup; refuses anything else before writing a row,
           and writes in ONE transaction that commits only once the whole payload checked out. At a
           new site without the old shares: a recovery package (arca operator export-recovery) and M of
           its custodians' private keys instead of shares.
           --ledger (once per file): the live site's destruction ledgers; every key one names is
           restored AS DESTROYED (no material, aliases or rotation; its destruction record). A ledger
           that does not verify, or of another site, is refused and nothing is written
  ledger   the running server's destruction ledger (ArcaService.ExportDestructionLedger), signed with
           the audit trail key: export it regularly and keep it with the backups

On a terminal, create --from, verify and restore show a progress bar on stderr (not with --output json).

Exit status: 0 done; 1 failed; 2 refused (bad arguments, tampered, truncated or foreign file, wrong
root, non-empty target): nothing was written.
`;

const OPTIONS = {
  from: { type: 'string' },
  out: { type: 'string' },
  to: { type: 'string' },
  'dev-root': { type: 'string' },
  'share-file': { type: 'string', multiple: true },
  'public-key': { type: 'string' },
  ledger: { type: 'string', multiple: true },
  config: { type: 'string' },
  'recovery-package': { type: 'string' },
  'custodian-private-key': { type: 'string', multiple: true },
  output: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** `arca backup <create|verify|restore>`. */
export async function runBackup(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(BACKUP_USAGE);
    return sub === undefined ? 2 : 0;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`arca backup ${sub}: ${e instanceof Error && !e.message.includes('://') ? e.message : 'unexpected argument'}\n\n${BACKUP_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(BACKUP_USAGE);
    return 0;
  }
  const json = values.output === 'json';
  const url = values.from ?? values.to ?? '';
  const fail = (code: number, message: string): number => {
    const text = url === '' ? message : withoutPassword(message, url);
    if (json) process.stdout.write(JSON.stringify({ ok: false, refused: code === 2, error: text }) + '\n');
    else process.stderr.write(`arca backup ${sub}: ${text}\n`);
    return code;
  };
  let openHsm: RootMaterial['openHsm'];
  try {
    openHsm = values.config === undefined ? undefined : hsmOpenerFromConfig(values.config, process.env);
  } catch (e) {
    return fail(2, `refused: ${e instanceof Error ? e.message : String(e)}`);
  }
  const root: RootMaterial = { devRootFile: values['dev-root'], shares: (values['share-file'] ?? []).map((f) => readFileSync(f, 'utf8').trim()), openHsm };
  const trustedKey = values['public-key'] === undefined ? undefined : Buffer.from(values['public-key'], 'base64');
  // The local work (create --from, verify, restore) shows a bar on a terminal; the server form just waits.
  const bar = backupProgressBar(wantsProgressBar(json));
  try {
    switch (sub) {
      case 'create': {
        if (values.from === undefined || values.out === undefined) return fail(2, '--from and --out are required');
        if (existsSync(values.out)) return fail(2, `${values.out} exists: a backup never overwrites a file`);
        const started = Date.now();
        const header = await createBackupFile(values.from, values.out, root, bar.report);
        bar.stop();
        const summary = { ok: true, file: values.out, bytes: statSync(values.out).size, ms: Date.now() - started, ...report(header) };
        process.stdout.write(json ? JSON.stringify(summary) + '\n' : `Backup written to ${values.out} (${summary.bytes} bytes, ${summary.ms} ms).\n${describe(header)}`);
        return 0;
      }
      case 'verify': {
        const [file] = positionals;
        if (file === undefined) return fail(2, 'the backup FILE is required');
        if (isLedgerFile(file)) return verifyLedgerFile(file, readBackupFile(file), trustedKey, json);
        const r = inspectBackup(file, trustedKey, bar.report);
        bar.stop();
        const out = { ok: true, file, bytes: r.bytes, sha256: r.sha256, signerPinned: r.signerPinned, ...report(r.header) };
        process.stdout.write(json ? JSON.stringify(out) + '\n' : `${file}: signature OK (${r.signerPinned ? 'the trusted key' : 'the key in its header; pin it with --public-key'}), ${r.bytes} bytes, sha256 ${r.sha256}.\n${describe(r.header)}`);
        return 0;
      }
      case 'restore': {
        const [file] = positionals;
        if (file === undefined || values.to === undefined) return fail(2, 'the backup FILE and --to are required');
        const ledgers = (values.ledger ?? []).map((name) => ({ name, bytes: readBackupFile(name) }));
        const pkg = values['recovery-package'];
        const unsealKey = pkg === undefined ? undefined : unsealKeyFromPackage(pkg, values['custodian-private-key'] ?? [], readBackupHeader(file).root.fingerprint);
        let r;
        try {
          r = await restoreBackup(file, { to: values.to, root: { ...root, unsealKey }, trustedKey, ledgers, onProgress: bar.report });
        } finally {
          unsealKey?.dispose();
        }
        bar.stop();
        const rows = r.restored.reduce((n, t) => n + t.rows, 0);
        const to = isPostgresUrl(values.to) ? redactUrl(values.to) : values.to;
        const next = r.engine === 'postgres'
          ? `Run the server on it with storage: { type: postgres }${r.chains[0] ? ` and node name '${r.chains[0].node}' to continue the audit trail` : ''}, then unseal with the same root.`
          : r.header.root.kind === 'insecure-dev-file' ? `Run: arca dev --data-dir ${values.to}` : 'Run arca server on it, then arca operator unseal with the same shares.';
        const destroyed = r.ledger && describeLedger(r.ledger);
        process.stdout.write(json
          ? JSON.stringify({ ok: true, to, engine: r.engine, rows, restored: r.restored, chains: r.chains, ...(r.ledger !== undefined && { ledger: r.ledger }) }) + '\n'
          : `Restored ${rows} rows into ${to} (${r.engine}, one transaction).\n${destroyed ?? ''}${next}\n`);
        return 0;
      }
      default:
        return fail(2, `unknown subcommand (create, verify or restore)`);
    }
  } catch (e) {
    bar.stop();
    if (e instanceof BackupRefused) return fail(2, `refused: ${e.message}`);
    return fail(1, `failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * `arca backup create`: a snapshot of the store at `from` (a data directory, or a PostgreSQL URL),
 * made into a backup with the root given (for a data directory, its dev root file by default), written
 * durably to `out` (never over an existing file), streamed: memory stays bounded whatever the store's size.
 */
export async function createBackupFile(from: string, out: string, given: RootMaterial, onProgress?: BackupProgress): Promise<BackupHeader> {
  const make = async (s: StoreSnapshot, location: string, devDefault: string | undefined) => {
    const info = rootInfoOf(await s.sealRecord(), undefined);
    const root = await openCommandRoot(info, { ...given, devRootFile: given.devRootFile ?? devDefault });
    try {
      return await makeBackup(s, root, { out, location, now: systemClock.now(), onProgress });
    } finally {
      root.seal();
    }
  };
  let made;
  if (isPostgresUrl(from)) {
    const pg = await PostgresDatabase.open({ url: from, pool: { max: 1 }, migrate: false });
    try {
      made = await withPostgresSnapshot(pg, (s) => make(s, redactUrl(from), undefined));
    } finally {
      await pg.close();
    }
  } else {
    made = await withSqliteSnapshot(from, (s) => make(s, from, join(from, DEV_ROOT_FILE)));
  }
  return made.header;
}

/** Whether a file is a destruction ledger (JSON: its first byte is `{`) rather than a backup (binary framing). */
function isLedgerFile(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const first = Buffer.alloc(1);
    return readSync(fd, first, 0, 1, 0) === 1 && first[0] === 0x7b;
  } finally {
    closeSync(fd);
  }
}

/** `arca backup verify LEDGER`: a destruction ledger's signature (pinned to `trustedKey` when given) and what it holds. */
function verifyLedgerFile(file: string, bytes: Buffer, trustedKey: Buffer | undefined, json: boolean): number {
  const { body, publicKey } = verifyLedger(bytes, file);
  if (trustedKey !== undefined && !trustedKey.equals(publicKey)) throw new BackupRefused(`${file} was signed by key ${body.signer.publicKey}, not by the trusted key ${trustedKey.toString('base64')}`);
  const out = { ok: true, file, kind: 'destruction-ledger', signerPinned: trustedKey !== undefined, createdAt: body.createdAt, source: body.source, root: body.root, site: body.site, signer: body.signer, destructions: body.destructions };
  process.stdout.write(json ? JSON.stringify(out) + '\n' : `${file}: destruction ledger, signature OK (${trustedKey !== undefined ? 'the trusted key' : 'the key in it; pin it with --public-key'}).\n` +
    `Exported ${body.createdAt} from ${body.source.engine} store ${body.source.location} on ${body.source.host}; root ${body.root.kind} (${body.root.fingerprint}), site ${body.site}.\n` +
    `${body.destructions.length} destroyed keys:\n${body.destructions.map((d) => `  ${d.keyArn}  versions ${d.versions.join(',')}  destroyed ${d.destroyedAt}\n`).join('')}`);
  return 0;
}

/** The text report of what the destruction ledgers did to a restore. */
function describeLedger(o: LedgerOutcome): string {
  const keys = o.restoredAsDestroyed;
  return `Destruction ledger: skipped material of ${keys.length} keys: ${keys.map((k) => `${k.keyArn} (destroyed ${k.destroyedAt}; ${k.versionsSkipped} versions, ${k.aliasesSkipped} aliases not restored)`).join(', ') || 'none'}.\n` +
    (o.alreadyDestroyed.length > 0 ? `Already destroyed in the backup: ${o.alreadyDestroyed.join(', ')}.\n` : '') +
    (o.notInBackup.length > 0 ? `Not in the backup (made after it): ${o.notInBackup.join(', ')}.\n` : '');
}

function report(h: BackupHeader) {
  return { createdAt: h.createdAt, source: h.source, root: { kind: h.root.kind, fingerprint: h.root.fingerprint }, signer: h.signer, chains: h.chains, counts: h.counts };
}

function describe(h: BackupHeader): string {
  const lines = [
    `Made ${h.createdAt} from ${h.source.engine} store ${h.source.location} on ${h.source.host}.`,
    `Root of trust: ${h.root.kind} (${h.root.fingerprint}); restore needs the same root.`,
    `Signed by ${h.signer.publicKey} (audit trail key of chain ${h.signer.chainId}).`,
    `Audit chains: ${h.chains.map((c) => `${c.chainId} (node ${c.node})`).join(', ') || 'none'}.`,
    'Rows:',
  ];
  const width = Math.max(...Object.keys(h.counts).map((t) => t.length));
  for (const [table, n] of Object.entries(h.counts)) lines.push(`  ${table.padEnd(width)}  ${n}`);
  return lines.join('\n') + '\n';
}
