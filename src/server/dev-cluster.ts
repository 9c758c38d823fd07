import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Realm } from '../core/arn.js';
import type { Logger } from '../core/ports.js';
import { createDevApp, type AuditConfig, type DevAppConfig } from './app.js';
import { announce, untilSignal } from './dev-announce.js';
import { endpointUrl } from './listen.js';

interface ClusterOptions {
  readonly dataDir: string;
  readonly realm: Realm;
  /** Regions served besides the realm's (ADR 0022). */
  readonly regions: DevAppConfig['regions'];
  readonly logger: Logger;
  readonly listen: { host: string; port: number };
  readonly workers: number;
  /** Settings given to every process (`--min-rotation-days`, `--limit`, insecure test hooks); limits apply per process. */
  readonly lifecycle?: Pick<DevAppConfig, 'minRotationPeriodDays' | 'clock' | 'insecureTestJobPause' | 'timeZone' | 'limits'>;
  /** Audit settings; the sinks run in the primary only (one delivery, one cursor). */
  readonly audit?: AuditConfig;
}

/**
 * `arca dev --workers n`: the primary bootstraps the data directory once (root file, schema, admin) so
 * workers never race to create them, then forks n workers that share the listening port (node:cluster)
 * and the SQLite database (WAL; each worker group-commits its own audit events).
 */
export async function runDevCluster(opts: ClusterOptions): Promise<number> {
  if (cluster.isWorker) return runWorker(opts);
  const stopped = untilSignal();
  const bootstrap = await createDevApp({ dataDir: opts.dataDir, realm: opts.realm, regions: opts.regions, logger: opts.logger, ...opts.lifecycle, ...(opts.audit && { audit: opts.audit }) });
  const endpointPort = new Promise<number>((ok, fail) => {
    cluster.on('message', (_w: Worker, msg: unknown) => {
      if (typeof msg === 'object' && msg !== null && 'listening' in msg && typeof msg.listening === 'number') ok(msg.listening);
    });
    cluster.on('exit', (w, code) => fail(new Error(`worker ${w.id} exited with ${code} before listening`)));
  });
  const workers = Array.from({ length: opts.workers }, () => cluster.fork());
  const port = await endpointPort;
  announce({ dataDir: opts.dataDir, endpoint: endpointUrl(opts.listen.host, port), region: opts.realm.region, admin: bootstrap.admin, workers: opts.workers });
  cluster.removeAllListeners('exit');
  const signal = await stopped;
  opts.logger.info('shutting down workers', { signal });
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((done) => {
          if (w.isDead()) return done();
          w.once('exit', () => done());
          w.process.kill('SIGTERM');
        }),
    ),
  );
  await bootstrap.close();
  return 0;
}

async function runWorker(opts: ClusterOptions): Promise<number> {
  const stopped = untilSignal();
  // The primary process (the bootstrap app) leads the lifecycle jobs; workers only follow.
  const app = await createDevApp({
    dataDir: opts.dataDir,
    realm: opts.realm,
    regions: opts.regions,
    logger: opts.logger,
    ...opts.lifecycle,
    schedulerRole: 'follower',
    ...(opts.audit && { audit: { ...opts.audit, sinks: [] } }),
  });
  await new Promise<void>((ok, fail) => {
    app.server.once('error', fail);
    app.server.listen(opts.listen.port, opts.listen.host, () => ok());
  });
  process.send?.({ listening: (app.server.address() as AddressInfo).port });
  await stopped;
  await app.close();
  return 0;
}
