import { readFileSync } from 'node:fs';
import { mkdirDurably } from '../platform/durable-file.js';
import type { Realm } from '../core/arn.js';
import type { Clock, Logger, SealableRoot, SealStore } from '../core/ports.js';
import { ShamirRootOfTrust } from '../root/shamir/shamir-root.js';
import type { Pkcs11Api } from '../root/pkcs11/pkcs11-root.js';
import type { SealController } from '../custody/sealing.js';
import { composeApp, type App } from './app.js';
import { toAuditConfig } from './audit-config.js';
import { toQuotaConfig } from './quota-config.js';
import { resolveDetection } from './detection-config.js';
import { systemClock } from './clock.js';
import type { ServerConfig } from './config.js';
import { openStore } from './open-store.js';
import { certificateRules, oidcProviders } from './identity-config.js';
import { kmipListenerConfig } from './kmip-config.js';
import { readClientCrls } from './client-crl.js';
import { replaceClientCrl } from './tls-context.js';
import { openHsmClusters } from './hsm-clusters.js';

export interface ServerApp extends Omit<App, 'admin'> {
  readonly sealing: SealController;
  readonly root: SealableRoot;
  /**
   * Test helper for the seal invariant: the secrets this process holds in its key caches (root key and
   * pending shares, domain keys and key material, SigV4 signing keys). All zero after a seal.
   */
  heldSecrets(): { readonly root: number; readonly hierarchy: number; readonly signingKeys: number };
  /**
   * Re-reads `tls.clientCrl` from `path` (SIGHUP; `undefined`: no CRL any more) and makes the listener
   * verify client certificates against it, closing connections verified before (`replaceClientCrl`).
   * Throws, changing nothing, when the file cannot be read or parsed. A no-op without mTLS.
   */
  reloadClientCrl(path: string | undefined): void;
}

/** Whether two CRL lists hold the same bytes. */
function sameCrls(a: readonly Buffer[] | undefined, b: readonly Buffer[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((crl, i) => b[i]?.equals(crl) === true);
}

/** The metrics settings the composition takes from arca.yaml's `metrics:` (absent: off). */
function metricsOf(config: ServerConfig): { bearerToken?: string | undefined; separateListener: boolean; keys?: readonly string[] | undefined } | undefined {
  const m = config.metrics;
  return m === undefined ? undefined : { bearerToken: m.bearerToken, separateListener: m.listen !== undefined, keys: m.keys };
}

/** Opens the configured root of trust (sealed). Each root type is loaded only when configured. */
async function openRoot(config: ServerConfig, seal: SealStore, clock: Clock, env: Readonly<Record<string, string | undefined>>, logger: Logger, api: Pkcs11Api | undefined): Promise<SealableRoot> {
  const root = config.root;
  switch (root.type) {
    case 'shamir':
      return ShamirRootOfTrust.open(seal, clock);
    case 'pkcs11': {
      const { openPkcs11Root } = await import('./pkcs11-root-factory.js');
      return openPkcs11Root(root, seal, clock, env, logger, api);
    }
  }
}

/**
 * The production composition (`arca server`): SQLite in `dataDir` or PostgreSQL (`storage:`), a sealed root of trust (Shamir shares
 * or a PKCS#11 HSM), TLS when configured. It starts sealed; {@link createServerApp} then auto-unseals a
 * root that can unseal itself (an HSM), and a Shamir root waits for `arca operator unseal`.
 */
export async function createServerApp(opts: {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock?: Clock;
  /** How often a self-unsealing root (an HSM) is checked; default 5 s. */
  readonly probeIntervalMs?: number;
  /** Replaces the PKCS#11 module (fault-injection tests). */
  readonly pkcs11Api?: Pkcs11Api;
}): Promise<ServerApp> {
  const { config, logger } = opts;
  const clock = opts.clock ?? systemClock;
  const realm: Realm = { partition: 'aws', region: config.region, account: config.account };
  mkdirDurably(config.dataDir);
  const audit = config.audit === undefined ? undefined : toAuditConfig(config.audit, config.dataDir);
  const store = await openStore({ dataDir: config.dataDir, storage: config.storage, audit, nodeName: config.nodeName, realm }, clock, logger);
  const root = await openRoot(config, store.seal, clock, opts.env, logger, opts.pkcs11Api).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  // Validated with the configuration (loadServerConfig reports its errors), resolved again here.
  const detection = resolveDetection(config.detection, opts.env);
  if (detection.config === undefined) throw new Error(`detection: ${detection.errors.join('; ')}`);
  const crlPath = config.tls.clientCrl;
  const tls = config.tls.enabled
    ? { cert: readFileSync(config.tls.cert ?? ''), key: readFileSync(config.tls.key ?? ''), ca: config.tls.clientCa === undefined ? undefined : readFileSync(config.tls.clientCa), clientCertificate: config.tls.clientCert, crl: crlPath === undefined ? undefined : readClientCrls(crlPath) }
    : undefined;
  let currentCrl = tls?.crl;
  const parts = await composeApp(
    { dataDir: config.dataDir, realm, regions: config.regions, logger, clock, maxBodyBytes: config.maxBodyBytes, tls, timeZone: config.timeZone, minRotationPeriodDays: config.minRotationPeriodDays, schedulerIntervalMs: config.scheduler.intervalSeconds * 1000, ...(config.limits !== undefined && { limits: config.limits }), ...(audit !== undefined && { audit }), metrics: metricsOf(config), nodeName: config.nodeName, quotas: toQuotaConfig(config.quotas), detection: detection.config, backup: config.backup, oidcProviders: oidcProviders(config.identity), certificateRules: certificateRules(config.identity), kubernetes: config.kubernetes, xksProxy: config.xksProxy, kmip: kmipListenerConfig(config.kmip, config.tls.enabled ? config.tls : {}), console: config.console, customKeyStores: config.customKeyStores, hsmClusters: openHsmClusters(config) },
    store,
    root,
    root,
  );
  await parts.startScheduler(); // periodic runs skip while sealed; each unseal runs the due jobs first
  const sealing = parts.sealing as SealController;
  if (root.probe !== undefined) {
    // A root that unseals itself (an HSM): auto-unseal now, then watch it so that losing it seals
    // (fail closed) and its return unseals again.
    await sealing.refresh();
    const timer = setInterval(() => void sealing.refresh().catch((e: unknown) => logger.error('root probe failed', { error: String(e) })), opts.probeIntervalMs ?? 5_000);
    timer.unref();
    parts.onClose(() => clearInterval(timer));
  }
  return {
    ...parts.app,
    sealing,
    root,
    reloadClientCrl: (path) => {
      if (tls?.ca === undefined) return;
      const crl = path === undefined ? undefined : readClientCrls(path);
      // Unchanged (a SIGHUP for the quotas): the connections stay open.
      if (sameCrls(crl, currentCrl)) return;
      replaceClientCrl(parts.app.server, tls, crl);
      currentCrl = crl;
    },
    heldSecrets: () => ({ root: root.heldSecrets, hierarchy: parts.hierarchy.heldSecrets, signingKeys: parts.signingKeys.cachedSigningKeys }),
  };
}
