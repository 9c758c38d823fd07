/**
 * A bench-only Arca server: the dev composition with the audit trail durable (default) or, with
 * --memory-audit, kept in an in-memory SQLite database; with --metrics, `GET /metrics` on (no token);
 * with --observe, metrics, request quotas (per principal and per key, high enough never to refuse) and
 * anomaly detection (default rules) all on; with --bare, all three off (detection is otherwise on by default).
 * Prints one JSON line with its endpoint and credentials, then serves until SIGTERM. Started by
 * bench/audit-overhead.ts and bench/metrics-overhead.ts.
 */
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { DEFAULT_DETECTION } from '../src/server/detection-config.js';

const memory = process.argv.includes('--memory-audit');
const observe = process.argv.includes('--observe');
const metrics = observe || process.argv.includes('--metrics') ? {} : undefined;
const unlimited = { symmetric: 1_000_000, asymmetric: 1_000_000, generateRandom: 1_000_000, management: 1_000_000 };
const quotas = observe ? { perPrincipal: unlimited, perKey: unlimited } : undefined;
const detection = process.argv.includes('--bare') ? { ...DEFAULT_DETECTION, enabled: false } : DEFAULT_DETECTION;
const durability = process.argv.includes('--sqlite-full') ? ('sqlite-full' as const) : ('wal-fdatasync' as const);
const dataDir = mkdtempSync(join(tmpdir(), 'arca-bench-'));
// The production logger at its default level (stderr here: stdout carries the line the bench reads), so
// that both sides of a comparison pay for the request log as a server does.
const logger = createLogger({ level: 'info', destination: process.stderr });
const app = await createDevApp({ dataDir, realm: { partition: 'aws', region: 'us-east-1', account: '111122223333' }, logger, audit: { memoryOnlyForBenchmarks: memory, durability }, metrics, quotas, detection });
await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
const port = (app.server.address() as AddressInfo).port;
process.stdout.write(JSON.stringify({ endpoint: `http://127.0.0.1:${port}`, accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey.expose().toString('utf8') }) + '\n');
process.once('SIGTERM', () => {
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
