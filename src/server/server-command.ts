import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { loadServerConfig, loadServerConfigFile } from './config.js';
import { untilSignal } from './dev-announce.js';
import { parseListen } from './listen.js';
import { createLogger } from './logger.js';
import { createServerApp } from './server-app.js';
import { nodeNameOf, redactUrl } from './storage-config.js';
import { toQuotaConfig } from './quota-config.js';
import { resolveDetection } from './detection-config.js';

export const SERVER_USAGE = `arca server [--config <file>] [--log-level debug|info|warn|error] [--quiet]

Runs Arca for production: the settings come from the YAML file and ARCA_* environment variables
(docs/configuration.md), validated at start with every error reported at once. Logs are JSON
lines on stdout at the level of --log-level, else logLevel / ARCA_LOG_LEVEL (--quiet: warn). The server starts
SEALED: initialize it once with 'arca operator init', then unseal it after every start with
'arca operator unseal' (a PKCS#11 root unseals itself when the HSM is reachable). SIGHUP reloads
the configuration's quotas, anomaly detection (rules, rules file, webhooks) and the client CRL file
(tls.clientCrl).
`;

/** `arca server`: resolves when the server has shut down after SIGINT/SIGTERM. */
export async function runServer(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string', short: 'c' },
      quiet: { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(SERVER_USAGE);
    return 0;
  }
  // --log-level wins over the file and the environment, validated with them.
  const env = values['log-level'] === undefined ? process.env : { ...process.env, ARCA_LOG_LEVEL: values['log-level'] };
  const loaded = values.config === undefined ? loadServerConfig(undefined, env) : loadServerConfigFile(values.config, env);
  if (!loaded.ok) {
    process.stderr.write(`arca server: the configuration is invalid (${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'}):\n${loaded.errors.map((e) => `  - ${e}\n`).join('')}`);
    return 2;
  }
  const config = loaded.config;
  // --log-level (validated as ARCA_LOG_LEVEL above) wins over --quiet, which wins over the file and the environment.
  const logger = createLogger({ level: values['log-level'] !== undefined || !values.quiet ? config.logLevel : 'warn' });
  // Listen for signals before announcing: a supervisor may signal as soon as it reads the banner.
  const signalled = untilSignal();
  const app = await createServerApp({ config, logger, env: process.env });
  const listen = parseListen(config.listen);
  await new Promise<void>((ok, fail) => {
    app.server.once('error', fail);
    app.server.listen(listen.port, listen.host, () => ok());
  });
  const metricsListen = config.metrics?.listen;
  if (app.metricsServer !== undefined && metricsListen !== undefined) {
    const { host, port } = parseListen(metricsListen);
    const metricsServer = app.metricsServer;
    await new Promise<void>((ok, fail) => {
      metricsServer.once('error', fail);
      metricsServer.listen(port, host, () => ok());
    });
  }
  await app.kubernetesPlugin?.listen();
  await app.kmipListener?.listen();
  const port = (app.server.address() as AddressInfo).port;
  const scheme = config.tls.enabled ? 'https' : 'http';
  const endpoint = `${scheme}://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`;
  const status = app.sealing.status();
  process.stdout.write(
    [
      `Arca server listening on ${endpoint}`,
      `  root of trust: ${status.kind}; ${status.initialized ? (status.sealed ? 'SEALED: unseal with arca operator unseal' : 'unsealed') : 'NOT INITIALIZED: run arca operator init'}`,
      `  data directory: ${config.dataDir}`,
      `  storage: ${config.storage.type === 'postgres' ? `${redactUrl(config.storage.url)} (node ${nodeNameOf(config.nodeName)})` : 'sqlite (arca.db in the data directory)'}`,
      ...(config.console?.enabled !== false ? [`  web console: ${endpoint}/ui/`] : []),
      ...(app.metricsServer !== undefined ? [`  metrics: http://${config.metrics?.listen ?? ''}/metrics`] : []),
      ...(app.kubernetesPlugin !== undefined ? [`  kubernetes KMS v2 plugin: unix://${app.kubernetesPlugin.socket} (key ${config.kubernetes?.key ?? ''})`] : []),
      ...(app.kmipListener !== undefined ? [`  KMIP (mutual TLS): ${app.kmipListener.address.address}:${app.kmipListener.address.port}`] : []),
      '',
    ].join('\n'),
  );
  // SIGHUP re-reads the configuration and applies what can change live: the quotas, the detection and the client
  // CRLs. Anything invalid keeps the running settings (and is logged).
  const reload = (): void => {
    const again = values.config === undefined ? loadServerConfig(undefined, process.env) : loadServerConfigFile(values.config, process.env);
    if (!again.ok) {
      logger.error('configuration reload refused; the running settings stay', { errors: again.errors });
      return;
    }
    const detection = resolveDetection(again.config.detection, process.env);
    if (detection.config === undefined) {
      logger.error('configuration reload refused; the running settings stay', { errors: detection.errors });
      return;
    }
    try {
      // First: the CRL file is the one part that can still fail (it was validated, but may have changed since).
      app.reloadClientCrl(again.config.tls.clientCrl);
    } catch (e) {
      logger.error('configuration reload refused; the running settings stay', { errors: [`tls.clientCrl: ${(e as Error).message}`] });
      return;
    }
    app.quotas.update(toQuotaConfig(again.config.quotas));
    app.detection.update(detection.config);
    logger.info('configuration reloaded: quotas, detection and client CRLs', { clientCrl: again.config.tls.clientCrl ?? 'none', quotas: again.config.quotas ?? 'none', rules: detection.config.settings.rules.map((r) => r.name) });
  };
  process.on('SIGHUP', reload);
  const signal = await signalled;
  process.removeListener('SIGHUP', reload);
  logger.info('shutting down', { signal });
  await app.close();
  return 0;
}
