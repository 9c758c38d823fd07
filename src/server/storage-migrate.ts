import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifyExportLine, TrailVerifier, type VerifyReport } from '../audit/verify-log.js';
import { KeyHierarchy } from '../custody/key-hierarchy.js';
import { InsecureDevFileRootOfTrust } from '../root/insecure-dev-file-root.js';
import { chainEntries, chainHeads, compareCounts, sampleKeyVersion, type TableCount } from '../store/migrate/copied-rows.js';
import { copySqliteToPostgres, type CopiedChain, type CopyResult } from '../store/migrate/copy-to-postgres.js';
import { SqliteSource } from '../store/migrate/sqlite-source.js';
import { PostgresDatabase } from '../store/postgres/database.js';
import { PostgresKeyStore } from '../store/postgres/postgres-key-store.js';

export { MigrationRefused } from '../store/migrate/sqlite-source.js';

/** The dev root-of-trust file of a data directory (InsecureDevFileRootOfTrust). */
const DEV_ROOT_FILE = 'insecure-dev-root.key';

export interface StorageMigrateOptions {
  /** The SQLite data directory (holds arca.db, and for `arca dev` the dev root file). */
  readonly from: string;
  /** The PostgreSQL URL; may hold a password, which never appears in the report or an error. */
  readonly to: string;
  /** The node name the copied audit chain is filed under; default: the SQLite trail's chain id. */
  readonly node?: string | undefined;
  /** Rows per INSERT statement (tests). */
  readonly pageSize?: number | undefined;
}

/** The audit check after the copy: the copied chain verified by the same verifier as `arca audit verify`. */
export type AuditCheck =
  | { readonly status: 'verified'; readonly report: VerifyReport }
  | { readonly status: 'failed'; readonly problem: string; readonly report?: VerifyReport | undefined }
  | { readonly status: 'none'; readonly problem: string };

/** The sample decrypt after the copy: one key version unwrapped through the key hierarchy over PostgreSQL. */
export type SampleDecrypt =
  | { readonly status: 'ok'; readonly keyId: string; readonly version: number }
  | { readonly status: 'failed'; readonly problem: string }
  | { readonly status: 'skipped'; readonly reason: string };

/** What a migration did and found; `ok` only when every count matches, the trail verifies and no sample failed. */
export interface StorageMigrateReport {
  readonly ok: boolean;
  readonly from: string;
  /** The target URL with its password replaced by `****`. */
  readonly to: string;
  readonly chain: CopiedChain | undefined;
  readonly tables: readonly TableCount[];
  readonly countsMatch: boolean;
  readonly audit: AuditCheck;
  readonly sampleDecrypt: SampleDecrypt;
}

/**
 * `arca storage migrate`: copies a SQLite data directory's store into an empty PostgreSQL database (in
 * one transaction, store/migrate/), then verifies the committed copy: row counts per table, the copied
 * audit chain against the source trail's signing key, and, for a dev data directory, one key version
 * unwrapped with the dev root through the PostgreSQL key store. The source is held with SQLite's
 * exclusive lock from before the copy until after the checks (a running server makes this refuse).
 * Throws MigrationRefused (nothing written) for a source or target it will not touch.
 */
export async function migrateStorage(options: StorageMigrateOptions): Promise<StorageMigrateReport> {
  using source = SqliteSource.open(options.from);
  const pg = await PostgresDatabase.open({ url: options.to, pool: { max: 2, queryTimeoutMillis: 0 } }); // an operator's one-off copy: no statement bound
  try {
    const copy = await copySqliteToPostgres(source, pg, { node: options.node, pageSize: options.pageSize });
    return await checkCopy(source, pg, copy, options).catch((e: unknown) => {
      throw new Error(`the copy was committed, but checking it failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  } finally {
    await pg.close();
  }
}

/** The checks after the commit (see {@link migrateStorage}). */
async function checkCopy(source: SqliteSource, pg: PostgresDatabase, copy: CopyResult, options: StorageMigrateOptions): Promise<StorageMigrateReport> {
  const tables = await compareCounts(source, pg, copy.chain?.chainId);
  const countsMatch = tables.every((t) => t.source === t.target);
  const audit = await verifyCopiedTrail(pg, copy.chain, source.signingPublicKey());
  const sampleDecrypt = await sampleDecryptOn(pg, options.from, source.sealKind());
  const ok = countsMatch && audit.status !== 'failed' && sampleDecrypt.status !== 'failed';
  return { ok, from: options.from, to: redactUrl(options.to), chain: copy.chain, tables, countsMatch, audit, sampleDecrypt };
}

/**
 * Verifies the copied chain as `arca audit verify` verifies a trail (TrailVerifier: every leaf hash from
 * its recorded text, every signed head's signature and root), against the SOURCE's signing key, so a
 * copy that altered the key row would fail too.
 */
export async function verifyCopiedTrail(pg: PostgresDatabase, chain: CopiedChain | undefined, trustedKey: Buffer | undefined): Promise<AuditCheck> {
  if (chain === undefined) return { status: 'none', problem: 'the source has no audit trail' };
  if (trustedKey === undefined) return { status: 'none', problem: 'the source trail has no signing key yet (no tree head was ever signed)' };
  const { publicKey, heads } = await chainHeads(pg, chain.chainId);
  if (publicKey === undefined || !publicKey.equals(trustedKey)) return { status: 'failed', problem: 'the copied chain does not hold the source trail signing key' };
  const parsed = [];
  for (const [i, h] of heads.entries()) {
    const p = classifyExportLine({ treeHead: h }, 0);
    if (p.kind !== 'head') return { status: 'failed', problem: `tree head ${i + 1} is malformed` };
    parsed.push({ head: p.head });
  }
  const v = new TrailVerifier(trustedKey, chain.chainId, parsed);
  // Line numbers as in an export: the header is line 1.
  let line = 1;
  for await (const page of chainEntries(pg, chain.chainId)) {
    for (const e of page) {
      line++;
      if (e.body !== undefined && v.pushCanonical(e.body, line)) continue;
      const p = e.body !== undefined ? classifyExportLine(parseJson(e.body), line, e.body) : classifyExportLine({ pruned: { sequence: e.sequence, leafHash: e.leafHash } }, line);
      if (p.kind === 'bad') v.fail(p.divergence);
      else if (p.kind === 'entry') v.push(p.entry);
      else v.fail({ kind: 'malformed', line, message: `event ${e.sequence}: not an event` });
      if (v.done) break;
    }
    if (v.done) break;
  }
  const report = v.finish();
  return report.ok ? { status: 'verified', report } : { status: 'failed', problem: report.divergence?.message ?? 'the copied trail does not verify', report };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The message for a store whose root is sealed: the check the operator runs once the target serves. */
export const SEALED_SAMPLE_HINT =
  'sample decrypt needs the root of trust: unseal the target (arca server on the PostgreSQL store, then arca operator unseal) and run arca call TrentService.Decrypt on a ciphertext made before the migration';

/**
 * Unwraps one copied key version through a KeyHierarchy over the PostgreSQL key store, with the data
 * directory's dev root (the one root a migration can open unattended). A Shamir or HSM root is not
 * opened here: skipped, with what to run instead. The unwrapped material is never read and is zeroed
 * when the hierarchy seals.
 */
export async function sampleDecryptOn(pg: PostgresDatabase, dataDir: string, sealKind: string | undefined): Promise<SampleDecrypt> {
  const devRoot = join(dataDir, DEV_ROOT_FILE);
  if (!existsSync(devRoot)) return { status: 'skipped', reason: `${sealKind ?? 'sealed'} root of trust: ${SEALED_SAMPLE_HINT}` };
  const sample = await sampleKeyVersion(pg);
  if (sample === undefined) return { status: 'skipped', reason: 'the source holds no key material to unwrap' };
  const root = InsecureDevFileRootOfTrust.openOrCreate(devRoot);
  const keys = new PostgresKeyStore(pg);
  const hierarchy = new KeyHierarchy(root, keys);
  try {
    await hierarchy.open();
    const load = async () => {
      const v = await keys.getKeyVersion(sample.keyId, sample.version);
      return v && { domainKeyVersion: v.domainKeyVersion, wrapped: v.wrappedMaterial };
    };
    const material = await hierarchy.material(sample.keyId, sample.version, load);
    if (material === undefined) return { status: 'failed', problem: `key version ${sample.keyId}#${sample.version} vanished from the target` };
    return { status: 'ok', ...sample };
  } catch (e) {
    return { status: 'failed', problem: `key version ${sample.keyId}#${sample.version} does not unwrap under the dev root: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    hierarchy.seal();
    root.seal();
  }
}

/** `url` with its password (user-info or `password=` parameter) replaced by `****`; unparseable: a placeholder. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(a PostgreSQL URL that does not parse)';
  }
  if (u.password !== '') u.password = '****';
  for (const name of ['password', 'sslpassword']) if (u.searchParams.has(name)) u.searchParams.set(name, '****');
  return u.toString();
}

/** `text` with every occurrence of the URL's password removed (for error messages from the driver). */
export function withoutPassword(text: string, url: string): string {
  const secrets: string[] = [];
  try {
    const u = new URL(url);
    if (u.password !== '') secrets.push(u.password, decodeURIComponent(u.password));
    for (const name of ['password', 'sslpassword']) {
      const p = u.searchParams.get(name);
      if (p) secrets.push(p);
    }
  } catch {
    return text.split(url).join('(the PostgreSQL URL)');
  }
  let out = text.split(url).join(redactUrl(url));
  for (const s of secrets.filter((s) => s.length > 0)) out = out.split(s).join('****');
  return out;
}
