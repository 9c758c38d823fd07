/**
 * The ideal KMS (ideal-kms.ts) in n worker processes sharing one port through node:cluster, as
 * `arca dev --workers n` serves; each worker keeps its own audit database (a chain per process, no
 * shared write lock). The scaling the machine allows worker processes, measured beside Arca's.
 *
 *   IDEAL_ACCESS_KEY_ID=... IDEAL_SECRET=... IDEAL_DB=/tmp/ideal.db node dist/bench/baselines/ideal-kms-workers.js <n> <port>
 */
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';

const workers = Number(process.argv[2] ?? '2');
const port = process.argv[3] ?? '0';
cluster.setupPrimary({ exec: fileURLToPath(new URL('./ideal-kms.js', import.meta.url)), args: [port], silent: true });
let listening = 0;
cluster.on('listening', (_worker, address) => {
  if (++listening === workers) process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`);
});
for (let i = 0; i < workers; i++) cluster.fork();
process.on('SIGTERM', () => {
  for (const w of Object.values(cluster.workers ?? {})) w?.kill('SIGTERM');
  setTimeout(() => process.exit(0), 200);
});
