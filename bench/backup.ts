/**
 * Backup and restore cost (issue 15): time and size of a backup of a store with many keys and audit
 * events, and of restoring it into a new SQLite data directory (and into PostgreSQL when
 * ARCA_BENCH_PG_URL names an empty database).
 *
 *   npm run bench:backup [-- --keys 5000 --encrypts 50000 --concurrency 16]
 *
 * Fills a dev store through the real protocol (CreateKey, then Encrypt calls, each an audit event),
 * then times: the server making a backup (ArcaService.CreateBackup's path, on the live store), the
 * offline `arca backup verify`, and `arca backup restore`. Prints one line per step.
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { createBackupFile } from '../src/server/backup-command.js';
import { inspectBackup, restoreBackup } from '../src/server/backup.js';
import { startInProcess } from '../test/helpers/in-process.js';
import { kmsClient } from '../test/helpers/kms-client.js';

const { values } = parseArgs({ options: { keys: { type: 'string', default: '5000' }, encrypts: { type: 'string', default: '50000' }, concurrency: { type: 'string', default: '16' } } });
const [keys, encrypts, concurrency] = [Number(values.keys), Number(values.encrypts), Number(values.concurrency)];
const dir = mkdtempSync(join(tmpdir(), 'arca-bench-backup-'));

async function inParallel(n: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

try {
  const source = join(dir, 'source');
  const server = await startInProcess({ dataDir: source, schedulerIntervalMs: 0 });
  const kms = kmsClient(server);
  const ids: string[] = [];
  let t = process.hrtime.bigint();
  await inParallel(keys, async () => ids.push((await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!));
  await inParallel(encrypts, async (i) => kms.send(new EncryptCommand({ KeyId: ids[i % ids.length], Plaintext: Buffer.alloc(64, i) })));
  console.log(`filled: ${keys} keys, ${encrypts} encrypts in ${seconds(t).toFixed(1)} s`);
  const file = join(dir, 'store.arcabak');
  t = process.hrtime.bigint();
  const header = await createBackupFile(source, file, {});
  const made = seconds(t);
  const bytes = readFileSync(file).length;
  console.log(`backup (while serving): ${made.toFixed(2)} s, ${(bytes / 1e6).toFixed(2)} MB, ${header.counts['keys']} keys, ${header.counts['audit_events']} audit events`);
  kms.destroy();
  await server.close();
  t = process.hrtime.bigint();
  inspectBackup(readFileSync(file));
  console.log(`verify: ${seconds(t).toFixed(2)} s`);
  t = process.hrtime.bigint();
  await restoreBackup(readFileSync(file), { to: join(dir, 'restored'), root: { devRootFile: join(source, 'insecure-dev-root.key') } });
  console.log(`restore into SQLite: ${seconds(t).toFixed(2)} s`);
  const pg = process.env['ARCA_BENCH_PG_URL'];
  if (pg !== undefined) {
    t = process.hrtime.bigint();
    await restoreBackup(readFileSync(file), { to: pg, root: { devRootFile: join(source, 'insecure-dev-root.key') } });
    console.log(`restore into PostgreSQL: ${seconds(t).toFixed(2)} s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
