import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isTimeZone } from '../core/policy/context.js';
import { REGION_PATTERN } from '../core/regions.js';
import { createDevApp, type AuditConfig } from './app.js';
import { storageFromFlag, type StorageConfig } from './storage-config.js';
import { readAuditConfig } from './audit-config.js';
import { announce, untilSignal } from './dev-announce.js';
import { runDevCluster } from './dev-cluster.js';
import { endpointUrl, parseListen } from './listen.js';
import { createLogger, LOG_LEVELS, type LogLevel } from './logger.js';
import { insecureTestHooks } from './insecure-test-hooks.js';
import { parseLimitFlags } from './limits.js';
import { readSeedFile, type SeedDocument } from './dev-seed.js';

export const DEV_DEFAULTS = {
  dataDir: './.arca-dev',
  listen: '127.0.0.1:8420',
  region: 'us-east-1',
  account: '111122223333',
  timeZone: 'UTC',
} as const;

export const DEV_USAGE = `arca dev [options]

Runs Arca for development: embedded SQLite, an auto-unsealed INSECURE dev root key, and a bootstrap
admin access key printed and written to <data-dir>/credentials.env.

Options:
  --data-dir <dir>     data directory (default ${DEV_DEFAULTS.dataDir})
  --ephemeral          keep everything in a temporary data directory, removed at exit (fast CI start-up;
                       not with --data-dir, --storage postgres or --workers)
  --seed <file>        create the keys and principals of a seed file (YAML) at start and after each
                       POST /moto-api/reset (docs/testing-with-arca.md)
  --accept-any-credentials
                       INSECURE: a request signed with an access key Arca does not know is served as the
                       admin user, its signature not verified, so test suites with dummy credentials run
                       unchanged (off by default; arca server has no such option)
  --listen <host:port> listen address (default ${DEV_DEFAULTS.listen}; port 0 picks a free port)
  --region <region>    home region: of unsigned requests and scheduled events (default ${DEV_DEFAULTS.region})
  --regions <list|any> the regions served, comma-separated, each a namespace of keys and aliases picked
                       by the SigV4 scope; 'any' (default) serves every well-formed region from its first use
  --account <12 digits> account id in ARNs (default ${DEV_DEFAULTS.account})
  --time-zone <zone>   IANA time zone of the arca:LocalHour and arca:DayOfWeek policy keys (default ${DEV_DEFAULTS.timeZone})
  --workers <n>        serve with n worker processes sharing the port and data directory (default 1)
  --storage <url>      sqlite (default: arca.db in the data directory) or a postgres:// URL (default
                       $ARCA_STORAGE_URL); the password in the URL is never printed (docs/cluster.md)
  --node-name <name>   this node's name in a cluster, its audit chain's name (default the host name)
  --min-rotation-days <n> shortest automatic-rotation period accepted (1-90; default AWS's 90)
  --audit-config <file> audit trail settings and sinks (YAML; see docs/audit.md)
  --limit <name=value> a request or connection limit, as in arca.yaml's limits: section (repeatable;
                       e.g. --limit maxConnectionsPerSource=64; see docs/configuration.md)
  --k8s-socket <path>  serve the Kubernetes KMS v2 plugin API on this UNIX socket, as the admin user
                       (docs/kubernetes.md); create the key first, e.g. an alias/k8s-etcd key
  --k8s-key <key>      the key of --k8s-socket: key id, ARN or alias (default alias/k8s-etcd)
  --log-level <level>  debug (one line per request), info (default), warn or error (default
                       $ARCA_LOG_LEVEL); JSON lines on stdout (docs/monitoring.md)
  --quiet              log warnings and errors only (--log-level warn; an explicit --log-level wins)
  -h, --help           show this help
`;

/** `arca dev`: the development server. Resolves when the server has shut down after SIGINT/SIGTERM. */
export async function runDev(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'data-dir': { type: 'string' },
      ephemeral: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'accept-any-credentials': { type: 'boolean', default: false },
      listen: { type: 'string', default: DEV_DEFAULTS.listen },
      region: { type: 'string', default: DEV_DEFAULTS.region },
      regions: { type: 'string', default: 'any' },
      account: { type: 'string', default: DEV_DEFAULTS.account },
      'time-zone': { type: 'string', default: process.env['ARCA_TIME_ZONE'] ?? DEV_DEFAULTS.timeZone },
      workers: { type: 'string', default: '1' },
      storage: { type: 'string', default: process.env['ARCA_STORAGE_URL'] ?? 'sqlite' },
      'node-name': { type: 'string' },
      'min-rotation-days': { type: 'string', default: '90' },
      'log-level': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'audit-config': { type: 'string' },
      'k8s-socket': { type: 'string' },
      'k8s-key': { type: 'string', default: 'alias/k8s-etcd' },
      limit: { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(DEV_USAGE);
    return 0;
  }
  const errors: string[] = [];
  let listen = { host: '', port: 0 };
  try {
    listen = parseListen(values.listen);
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (!/^\d{12}$/.test(values.account)) errors.push(`--account must be 12 digits, not '${values.account}'`);
  if (!REGION_PATTERN.test(values.region)) errors.push(`--region must look like an AWS region (us-east-1), not '${values.region}'`);
  const regions = values.regions === 'any' ? 'any' : values.regions.split(',').map((r) => r.trim()).filter((r) => r !== '' && r !== values.region);
  if (regions !== 'any') for (const r of regions) if (!REGION_PATTERN.test(r)) errors.push(`--regions must list AWS regions (eu-central-1) or be 'any', not '${r}'`);
  if (!isTimeZone(values['time-zone'])) errors.push(`--time-zone must be an IANA time zone (Europe/Paris), not '${values['time-zone']}'`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) errors.push(`--workers must be a whole number from 1 to 64, not '${values.workers}'`);
  const minRotationDays = Number(values['min-rotation-days']);
  if (!Number.isInteger(minRotationDays) || minRotationDays < 1 || minRotationDays > 90) {
    errors.push(`--min-rotation-days must be a whole number of days from 1 to 90, not '${values['min-rotation-days']}'`);
  }
  let storage: StorageConfig = { type: 'sqlite' };
  try {
    storage = storageFromFlag(values.storage);
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (storage.type === 'postgres' && workers > 1) errors.push('--workers applies to SQLite only: with --storage postgres, start more nodes (docs/cluster.md)');
  const nodeName = values['node-name'];
  if (nodeName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/.test(nodeName)) errors.push(`--node-name must be 1-63 letters, digits, dots, colons, dashes or underscores, not '${nodeName}'`);
  // --log-level wins over --quiet, which wins over ARCA_LOG_LEVEL.
  const logLevel = values['log-level'] ?? (values.quiet === true ? 'warn' : process.env['ARCA_LOG_LEVEL'] ?? 'info');
  if (!isLogLevel(logLevel)) errors.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${logLevel}'`);
  const limits = parseLimitFlags(values.limit);
  errors.push(...limits.errors);
  if (values.ephemeral && values['data-dir'] !== undefined) errors.push('--ephemeral makes its own temporary data directory: drop --data-dir');
  if (values.ephemeral && storage.type === 'postgres') errors.push('--ephemeral keeps state in a temporary SQLite database: drop --storage');
  if (values.ephemeral && workers > 1) errors.push('--ephemeral runs one process: drop --workers');
  if (workers > 1 && (values.seed !== undefined || values['accept-any-credentials'] || values['k8s-socket'] !== undefined)) errors.push('--seed, --accept-any-credentials and --k8s-socket run in one process: drop --workers');
  let seed: SeedDocument | undefined;
  try {
    if (values.seed !== undefined) seed = readSeedFile(values.seed);
  } catch (e) {
    errors.push(`--seed: ${(e as Error).message}`);
  }
  let audit: AuditConfig | undefined;
  try {
    if (values['audit-config'] !== undefined) audit = readAuditConfig(values['audit-config']);
  } catch (e) {
    errors.push(`--audit-config: ${(e as Error).message}`);
  }
  if (errors.length > 0) {
    process.stderr.write(errors.map((e) => `arca dev: ${e}\n`).join(''));
    return 2;
  }

  const dataDir = values.ephemeral ? mkdtempSync(join(tmpdir(), 'arca-dev-')) : resolve(values['data-dir'] ?? DEV_DEFAULTS.dataDir);
  const devMode = { acceptAnyCredentials: values['accept-any-credentials'], seed };
  const logger = createLogger({ level: isLogLevel(logLevel) ? logLevel : 'info' });
  const realm = { partition: 'aws' as const, region: values.region, account: values.account };
  const lifecycle = { minRotationPeriodDays: minRotationDays, ...insecureTestHooks(), timeZone: values['time-zone'], limits: limits.limits };
  if (workers > 1 || cluster.isWorker) return runDevCluster({ dataDir, realm, regions, logger, listen, workers, lifecycle, ...(audit !== undefined && { audit }) });

  // The dev plugin acts as the bootstrap administrator (the one principal a fresh dev server has).
  const socket = values['k8s-socket'];
  const kubernetes = socket === undefined ? undefined : { socket, key: values['k8s-key'], principal: 'admin' };
  // Listen for signals before announcing: a supervisor may signal as soon as it reads the banner.
  const stopped = untilSignal();
  // Metrics are on in dev, on the main listener without a token (a loopback development server).
  try {
    const app = await createDevApp({ dataDir, realm, regions, logger, ...lifecycle, ...(audit !== undefined && { audit }), metrics: {}, storage, nodeName, devMode, kubernetes });
    await new Promise<void>((ok, fail) => {
      app.server.once('error', fail);
      app.server.listen(listen.port, listen.host, () => ok());
    });
    await app.kubernetesPlugin?.listen();
    if (app.kubernetesPlugin !== undefined) logger.info('kubernetes KMS v2 plugin', { endpoint: `unix://${app.kubernetesPlugin.socket}`, key: values['k8s-key'] });
    const address = app.server.address() as AddressInfo;
    announce({ dataDir, endpoint: endpointUrl(listen.host, address.port), region: realm.region, admin: app.admin, workers: 1, storage, ephemeral: values.ephemeral, acceptAnyCredentials: devMode.acceptAnyCredentials });
    logger.info('shutting down', { signal: await stopped });
    await app.close();
    return 0;
  } finally {
    if (values.ephemeral) rmSync(dataDir, { recursive: true, force: true });
  }
}

function isLogLevel(s: string): s is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(s);
}
