import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BackupRefused } from '../core/backup-file.js';
import type { SealRecord } from '../core/ports.js';
import { custodianPublicKey, CustodianKeyError } from '../crypto/custodian-key.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { mkdirDurably, writeFileDurably } from '../platform/durable-file.js';
import {
  custodianPrivateKeys, makeRecoveryPackage, openRecoveryPackage, parseRecoveryPackage, RecoveryRefused, reissueShares, serializeRecoveryPackage, shareFileBytes, type RecoveryPackage,
} from '../root/shamir/recovery-package.js';
import { withPostgresSnapshot, withSqliteSnapshot } from '../store/backup/snapshot.js';
import { PostgresDatabase } from '../store/postgres/database.js';
import { inspectBackup, isPostgresUrl } from './backup.js';
import { sealRecordOf } from './backup-root.js';
import { systemClock } from './clock.js';
import { withoutPassword } from './storage-migrate.js';

export const RECOVERY_USAGE = `arca operator export-recovery --from <data dir | postgres URL> | --backup FILE [--public-key B64]
      --share-file FILE (a quorum of the CURRENT shares) --custodian-key PUBLIC.pem (once per custodian)
      --quorum M --out PACKAGE [--output text|json]
arca operator recover-shares --recovery-package PACKAGE --custodian-private-key KEY.pem (M of them)
      --out-dir DIR [--shares N --threshold T] [--output text|json]

Root-of-trust recovery for a Shamir root (docs/backup.md, ADR 0017), like Azure Managed HSM's security
domain. export-recovery rebuilds the root's unseal key from a quorum of the current shares (checked against
the seal record of the store, or of a backup), splits it afresh M-of-N among the recovery custodians and
encrypts each share to one custodian's RSA public key (at least 3072 bits, PEM), into ONE package file.
At a new site, M custodians' private keys open the package:
  arca backup restore FILE --to DIR --recovery-package PACKAGE --custodian-private-key K1 --custodian-private-key K2
  arca operator recover-shares --recovery-package PACKAGE --custodian-private-key K1 ... --out-dir DIR
recover-shares writes fresh unseal shares of the SAME share set (its seal record pins the threshold and
count: --shares/--threshold, if given, must match); unseal the restored server with them, then run
arca operator rekey for a new share set that no old share holder can use.
A package opens backups of its share set only: export a new one after every rekey.

Exit status: 0 done; 1 failed; 2 refused (too few or wrong custodian keys, an altered package, wrong
shares, bad arguments): nothing was written.
`;

const OPTIONS = {
  from: { type: 'string' },
  backup: { type: 'string' },
  'public-key': { type: 'string' },
  'share-file': { type: 'string', multiple: true },
  'custodian-key': { type: 'string', multiple: true },
  quorum: { type: 'string' },
  out: { type: 'string' },
  'recovery-package': { type: 'string' },
  'custodian-private-key': { type: 'string', multiple: true },
  'out-dir': { type: 'string' },
  shares: { type: 'string' },
  threshold: { type: 'string' },
  output: { type: 'string', default: 'text' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** `arca operator export-recovery | recover-shares` (server-side: they open stores and files, not a server). */
export async function runRecovery(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  let parsed;
  try {
    parsed = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (e) {
    process.stderr.write(`arca operator ${sub ?? ''}: ${e instanceof Error && !e.message.includes('://') ? e.message : 'unexpected argument'}\n\n${RECOVERY_USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(RECOVERY_USAGE);
    return 0;
  }
  const json = values.output === 'json';
  const fail = (code: number, message: string): number => {
    const text = values.from === undefined ? message : withoutPassword(message, values.from);
    if (json) process.stdout.write(JSON.stringify({ ok: false, refused: code === 2, error: text }) + '\n');
    else process.stderr.write(`arca operator ${sub ?? ''}: ${text}\n`);
    return code;
  };
  try {
    if (sub === 'export-recovery') {
      if (values.out === undefined || values.quorum === undefined) return fail(2, '--out and --quorum are required');
      if ((values.from === undefined) === (values.backup === undefined)) return fail(2, 'give exactly one of --from <data dir | postgres URL> and --backup FILE (where the seal record is read)');
      if (existsSync(values.out)) return fail(2, `${values.out} exists: a recovery package never overwrites a file`);
      const quorum = wholeNumber(values.quorum, 'quorum');
      const custodians = (values['custodian-key'] ?? []).map((f) => custodianPublicKey(readFileSync(f), f));
      const record = await sealRecordFrom(values.from, values.backup, values['public-key']);
      const current = readShareFiles(values['share-file'] ?? []);
      let pkg: RecoveryPackage;
      try {
        pkg = makeRecoveryPackage({ record, currentShares: current, custodians, quorum, now: systemClock.now() });
      } finally {
        for (const share of current) share.fill(0);
      }
      writeFileDurably(values.out, serializeRecoveryPackage(pkg), { mode: 0o600, exclusive: true });
      const summary = { ok: true, file: values.out, root: pkg.root.fingerprint, quorum: pkg.quorum, custodians: pkg.custodians.map((c) => ({ index: c.index, keyFingerprint: c.keyFingerprint })) };
      process.stdout.write(
        json
          ? JSON.stringify(summary) + '\n'
          : `Recovery package written to ${values.out}: ${pkg.quorum} of ${pkg.custodians.length} custodians recover the root ${pkg.root.fingerprint}.\n` +
              pkg.custodians.map((c) => `  custodian ${c.index}: RSA-${c.bits} key sha256:${c.keyFingerprint}\n`).join('') +
              'It opens backups of this share set only: export a new package after every rekey.\n',
      );
      return 0;
    }
    if (sub === 'recover-shares') {
      if (values['recovery-package'] === undefined || values['out-dir'] === undefined) return fail(2, '--recovery-package and --out-dir are required');
      const outDir = values['out-dir'];
      const pkg = readPackage(values['recovery-package']);
      const r = pkg.root.sealRecord;
      const shares = values.shares === undefined ? r.shares : wholeNumber(values.shares, 'shares');
      const threshold = values.threshold === undefined ? r.threshold : wholeNumber(values.threshold, 'threshold');
      if (shares !== r.shares || threshold !== r.threshold) {
        return fail(2, `the restored seal record pins ${r.threshold} of ${r.shares} shares (share set ${r.shareSetId}): recover those, unseal, then arca operator rekey --shares ${shares} --threshold ${threshold}`);
      }
      const files = Array.from({ length: r.shares }, (_, i) => join(outDir, `unseal-share-${i + 1}.txt`));
      const taken = files.find((f) => existsSync(f));
      if (taken !== undefined) return fail(2, `${taken} exists: recovered shares never overwrite a file`);
      const { unsealKey, record } = openWithKeys(pkg, values['custodian-private-key'] ?? []);
      let out: SecretBytes[] = [];
      try {
        out = reissueShares(unsealKey, record);
        mkdirDurably(outDir);
        out.forEach((s, i) => {
          const text = shareFileBytes(s);
          try {
            writeFileDurably(files[i] as string, text, { mode: 0o600, exclusive: true });
          } finally {
            text.fill(0);
          }
        });
      } finally {
        unsealKey.dispose();
        for (const s of out) s.dispose();
      }
      const summary = { ok: true, shareSetId: r.shareSetId, threshold: r.threshold, shares: r.shares, files };
      process.stdout.write(
        json
          ? JSON.stringify(summary) + '\n'
          : `Wrote ${r.shares} unseal shares of share set ${r.shareSetId} (${r.threshold} unseal):\n${files.map((f) => `  ${f}\n`).join('')}` +
              'Give each file to one custodian; unseal the restored server with them, then run arca operator rekey.\n',
      );
      return 0;
    }
    return fail(2, `unknown recovery command '${sub ?? ''}' (export-recovery or recover-shares)`);
  } catch (e) {
    if (e instanceof RecoveryRefused || e instanceof BackupRefused || e instanceof CustodianKeyError) return fail(2, `refused: ${e.message}`);
    return fail(1, `failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function wholeNumber(v: string, name: string): number {
  if (!/^\d+$/.test(v)) throw new RecoveryRefused(`--${name} must be a whole number`);
  return Number(v);
}

function readShareFiles(files: readonly string[]): Buffer[] {
  return files.map((f) => Buffer.from(readFileSync(f, 'utf8').trim(), 'base64'));
}

/** The seal record to export: the store's (opened read-only), or a backup's signed header's. */
async function sealRecordFrom(from: string | undefined, backup: string | undefined, publicKey: string | undefined): Promise<SealRecord> {
  let record: SealRecord | undefined;
  if (backup !== undefined) {
    const { header } = inspectBackup(backup, publicKey === undefined ? undefined : Buffer.from(publicKey, 'base64'));
    record = sealRecordOf(header.root);
    if (record === undefined) throw new RecoveryRefused(`the backup was made under a ${header.root.kind} root: a recovery package is for a Shamir root`);
  } else if (from !== undefined && isPostgresUrl(from)) {
    const pg = await PostgresDatabase.open({ url: from, pool: { max: 1 }, migrate: false });
    try {
      record = await withPostgresSnapshot(pg, (s) => s.sealRecord());
    } finally {
      await pg.close();
    }
  } else if (from !== undefined) {
    record = await withSqliteSnapshot(from, (s) => s.sealRecord());
  }
  if (record === undefined) throw new RecoveryRefused('the store has no seal record: it is a dev store, or its root was never initialized');
  return record;
}

function readPackage(path: string): RecoveryPackage {
  if (!existsSync(path)) throw new RecoveryRefused(`${path} does not exist`);
  return parseRecoveryPackage(readFileSync(path, 'utf8'));
}

function openWithKeys(pkg: RecoveryPackage, keyFiles: readonly string[]): ReturnType<typeof openRecoveryPackage> {
  return openRecoveryPackage(pkg, custodianPrivateKeys(keyFiles.map((f) => ({ name: f, pem: readFileSync(f) }))));
}

/**
 * For `arca backup restore --recovery-package`: the unseal key the package and custodian keys rebuild,
 * refused (BackupRefused) when the package is of another share set than the backup (`fingerprint`).
 * The caller disposes it.
 */
export function unsealKeyFromPackage(packagePath: string, keyFiles: readonly string[], fingerprint: string): SecretBytes {
  try {
    const pkg = readPackage(packagePath);
    if (pkg.root.fingerprint !== fingerprint) {
      throw new RecoveryRefused(`the recovery package recovers ${pkg.root.fingerprint}, but the backup was made under ${fingerprint} (a rekey in between? a package opens backups of its own share set)`);
    }
    return openWithKeys(pkg, keyFiles).unsealKey;
  } catch (e) {
    if (e instanceof RecoveryRefused) throw new BackupRefused(e.message);
    throw e;
  }
}
