import type { Server } from 'node:http';
import { join } from 'node:path';
import { mkdirDurably } from '../platform/durable-file.js';
import { SigV4Authenticator } from '../auth/sigv4-authenticator.js';
import { ClientCertificateAuthenticator } from '../auth/certificate-authenticator.js';
import { LocalSocketAuthenticator } from '../auth/local-socket-authenticator.js';
import { KubernetesPluginListener, pluginRegion, type KubernetesPluginConfig } from './k8s-plugin.js';
import { KmipListener, type KmipListenerConfig } from './kmip-listener.js';
import { withXksAuthenticator, xksExposure, xksRoutes } from './xks-proxy.js';
import type { XksProxyConfig } from './xks-proxy-config.js';
import type { CertificateRule } from '../core/client-certificate.js';
import type { Realm } from '../core/arn.js';
import type { AuditTrail, Clock, Logger, PrincipalStore, RootOfTrust, SealableRoot } from '../core/ports.js';
import { InsecureDevFileRootOfTrust } from '../root/insecure-dev-file-root.js';
import { CustodyKeyPrimitives } from '../custody/key-primitives.js';
import { KeyHierarchy } from '../custody/key-hierarchy.js';
import { defaultBackupDir, serverBackupMaker } from './backup-maker.js';
import { DEFAULT_BACKUP_RETAIN, type BackupConfig } from './backup-config.js';
import { registerBackupMetrics } from './backup-metrics.js';
import { BackupScheduler, newestScheduledBackup, SCHEDULED_BACKUP_PREFIX } from './backup-schedule.js';
import { serverLedgerMaker } from './destruction-ledger.js';
import { CustodyKeyImporter } from '../custody/importer.js';
import { CustodyKeyProvisioner } from '../custody/provisioner.js';
import { SealController } from '../custody/sealing.js';
import { ensureAdmin, type AdminCredentials } from '../service/identity/bootstrap.js';
import { ensureAdminPolicy } from '../service/identity/bootstrap-policy.js';
import { PolicyAuthorizer } from '../service/access/policy-authorizer.js';
import { ExpiredGrantWatch } from '../service/detection/expired-grant-use.js';
import { Pipeline } from '../service/pipeline/pipeline.js';
import { operationRegistry } from '../service/pipeline/registry.js';
import { ApprovalGate } from '../service/approvals/approval-gate.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { ROTATION_PERIOD } from '../core/lifecycle.js';
import type { JobPoint, LifecycleDeps } from '../service/pipeline/deps.js';
import { DEFAULT_SCHEDULER_INTERVAL_MS, leaseForRole, LifecycleScheduler, watchLeadership, type SchedulerRole } from './scheduler.js';
import { systemClock } from './clock.js';
import { awsEndpointTransport, regionalTransport } from '../api/protocol-switch.js';
import { RegionalParts } from './regional-parts.js';
import type { TransportAdapter } from '../api/transport.js';
import { createHttpServer, type TlsOptions, type TransportRoute } from './http-server.js';
import { connectionLimits, limitsSchema, unauthenticatedLimits, type LimitsConfig } from './limits.js';
import { recordThrottledRequests, UnauthenticatedLimiter } from '../service/pipeline/unauthenticated-limiter.js';
import type { AuditSink } from './audit-sinks.js';
import { wireAudit, type AuditConfig } from './audit-wiring.js';
import { ServerMetrics, type MetricSources } from './metrics.js';
import { createMetricsServer, metricsEndpoint } from './metrics-endpoint.js';
import { openStore } from './open-store.js';
import { observeAll, requestLog } from './request-log.js';
import type { StoreBundle } from './store-bundle.js';
import type { StorageConfig } from './storage-config.js';
import { startHeartbeat } from './heartbeat.js';
import { RequestQuotas, type QuotaConfig } from '../service/pipeline/request-quotas.js';
import { STALE_AFTER_MS } from '../core/cluster.js';
import { BreakerGate } from '../service/detection/breakers.js';
import type { DetectionConfig } from './detection-config.js';
import { Detection } from './detection-wiring.js';
import { OidcVerifier } from '../auth/oidc-verifier.js';
import type { OidcProviderConfig } from '../core/web-identity.js';
import { closeInOrder } from './app-close.js';
import { consoleEndpoints, type ConsoleSettings } from './console-static.js';
import { DevModeRuntime, MOTO_RESET_PATH, type DevModeOptions } from './dev-mode.js';
import { CustomKeyStoreWiring, type CustomKeyStoresAppConfig } from './custom-key-store-wiring.js';

export type { AuditConfig } from './audit-wiring.js';

export interface DevAppConfig extends CustomKeyStoresAppConfig {
  readonly dataDir: string;
  readonly realm: Realm;
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly maxBodyBytes?: number;
  /** IANA time zone for the `arca:LocalHour` and `arca:DayOfWeek` condition keys (default UTC). */
  readonly timeZone?: string;
  /** Shortest automatic-rotation period accepted, in days (default AWS's 90; at least 1). */
  readonly minRotationPeriodDays?: number;
  /** Period of the lifecycle scheduler in ms (default 60 s; 0: run only at start-up and on demand). */
  readonly schedulerIntervalMs?: number;
  /**
   * `leader` (default) runs the lifecycle jobs, at start-up and periodically; `follower` only keeps its
   * material cache in step with the database (worker processes sharing a leader's database).
   */
  readonly schedulerRole?: SchedulerRole;
  /** INSECURE, tests only: awaited at each point of a lifecycle job (crash-safety tests). */
  readonly insecureTestJobPause?: (point: JobPoint) => Promise<void>;
  /** The audit trail's settings: checkpoints, durability, retention, sinks. */
  readonly audit?: AuditConfig;
  /** Unauthenticated request rates, connections and timeouts (defaults: DEFAULT_LIMITS). */
  readonly limits?: Partial<LimitsConfig>;
  /**
   * `GET /metrics` (docs/monitoring.md); absent: off. Without `separateListener` it is served on the
   * main listener (with `bearerToken`, only to a caller presenting it).
   */
  readonly metrics?: { readonly bearerToken?: string | undefined; readonly separateListener?: boolean | undefined; readonly keys?: readonly string[] | undefined } | undefined;
  /** The web console under `/ui/` (docs/console.md); absent: on, with the defaults. */
  readonly console?: ConsoleSettings | undefined;
  /** Request quotas per principal and key (absent: none; `App.quotas.update` replaces them). */
  readonly quotas?: QuotaConfig | undefined;
  /** Anomaly detection: rules, webhooks (absent: on, with the default rules and no webhook; `App.detection.update` replaces them). */
  readonly detection?: DetectionConfig | undefined;
  /** Where state lives (default: SQLite `arca.db` in `dataDir`). */
  readonly storage?: StorageConfig | undefined;
  /** This node's stable name in a cluster (its audit chain's name on PostgreSQL); default the host name. */
  readonly nodeName?: string | undefined;
  /** Backups (docs/backup.md): where CreateBackup and the schedule write (default `<dataDir>/backups`), the period in ms, the files kept. */
  readonly backup?: BackupConfig | undefined;
  /** OIDC providers trusted by AssumeRoleWithWebIdentity (absent or empty: the operation refuses every token). */
  readonly oidcProviders?: readonly OidcProviderConfig[] | undefined;
  /** Regions served besides `realm.region` (ADR 0022), or `any` well-formed one (dev); default none. */
  readonly regions?: readonly string[] | 'any' | undefined;
  /** What `arca dev` adds for test suites (reset, seeding, any credentials); `arca server` never sets it. */
  readonly devMode?: DevModeOptions | undefined;
  /** The Kubernetes KMS v2 plugin's socket, key and principal (docs/kubernetes.md); absent: no plugin. */
  readonly kubernetes?: KubernetesPluginConfig | undefined;
  readonly xksProxy?: XksProxyConfig | undefined;
  readonly kmip?: KmipListenerConfig | undefined;
}

export interface App {
  readonly server: Server;
  readonly admin: AdminCredentials;
  readonly store: StoreBundle; // SQLite or PostgreSQL
  readonly hierarchy: KeyHierarchy;
  readonly audit: AuditWriter;
  readonly auditTrail: AuditTrail;
  readonly auditSinks: readonly AuditSink[];
  /** The key-lifecycle jobs (rotations, destructions); tests run them with `runNow()` after moving the clock. */
  readonly scheduler: LifecycleScheduler;
  /** Scheduled backups (`backup.schedule`; absent: none); tests run a tick with `runOnce()`. */
  readonly backupSchedule: BackupScheduler | undefined;
  /** The request quotas, for a hot reload (`update`). */
  readonly quotas: RequestQuotas;
  /** Anomaly detection and the circuit breakers, for a hot reload (`update`) and tests. */
  readonly detection: Detection;
  /** The metrics listener, for the command to bind (only with `metrics.separateListener`). */
  readonly metricsServer: Server | undefined;
  /** The Kubernetes KMS v2 plugin's socket listener (`kubernetes:`) and the KMIP listener (`kmip:`); absent: none. The command calls `listen()`. */
  readonly kubernetesPlugin: KubernetesPluginListener | undefined;
  readonly kmipListener: KmipListener | undefined;
  /** Stops accepting connections, finishes in-flight requests, and closes the store. */
  close(): Promise<void>;
}

/**
 * Wires the dev composition: SQLite in `dataDir`, the insecure dev-file root of trust, SigV4 access keys,
 * the policy authorizer (key policies, identity policies, grants). The only place (with the CLI entry) that picks implementations.
 */
export async function createDevApp(config: DevAppConfig): Promise<App> {
  const clock = config.clock ?? systemClock;
  mkdirDurably(config.dataDir);
  const root = InsecureDevFileRootOfTrust.openOrCreate(join(config.dataDir, 'insecure-dev-root.key'));
  const store = await openStore(config, clock, config.logger);
  const dev = config.devMode === undefined ? undefined : new DevModeRuntime(config.devMode);
  const parts = await composeApp({ ...config, devRuntime: dev }, store, root, undefined);
  await parts.hierarchy.open();
  const admin = await ensureAdmin({ principals: parts.principals, keyring: parts.hierarchy, realm: config.realm, clock });
  await ensureAdminPolicy({ principals: parts.principals, clock });
  parts.onClose(() => admin.secretAccessKey.dispose());
  const adminId = (await parts.principals.findPrincipalByName('admin'))?.id;
  if (dev !== undefined && adminId !== undefined) dev.setAdmin(admin, adminId);
  // Catch up before serving: a key whose waiting period ended while the server was down is destroyed
  // before any request can reach it, and overdue rotations happen before new ciphertexts are made.
  await parts.startScheduler();
  const seeded = await dev?.seed();
  if (seeded !== undefined) config.logger.info('seeded', { ...seeded });
  if (seeded !== undefined && seeded.knownMaterial > 0) config.logger.warn('INSECURE: seeded keys with key material from the seed file; never use them for real data', { keys: seeded.knownMaterial });
  return { ...parts.app, admin };
}

/** One region's request path (ADR 0022). */
interface RegionPipeline {
  readonly authenticator: SigV4Authenticator;
  readonly pipeline: Pipeline;
  readonly transport: TransportAdapter;
}

/** What {@link composeApp} builds, for the composition functions to finish. */
export interface ComposedApp {
  readonly app: Omit<App, 'admin'>;
  readonly principals: PrincipalStore;
  readonly hierarchy: KeyHierarchy;
  readonly sealing: SealController | undefined;
  /** Every region's SigV4 signing-key cache (seal invariant tests). */
  readonly signingKeys: { readonly cachedSigningKeys: number };
  /** Runs the due lifecycle jobs once (leader, hierarchy open), then starts the periodic runs. */
  startScheduler(): Promise<void>;
  /** Adds a step to run at close, after the store is closed and the hierarchy sealed. */
  onClose(step: () => void): void;
}

/**
 * The wiring every composition shares (dev and server): the stores of `store`, the key hierarchy over `root`,
 * SigV4 access keys, the policy authorizer, the lifecycle scheduler, the pipeline and the listener.
 * With a sealable root, the seal controller too (its seal also empties the SigV4 signing-key cache; its
 * unseal runs the due lifecycle jobs).
 */
export async function composeApp(config: DevAppConfig & { readonly tls?: TlsOptions | undefined; readonly certificateRules?: readonly CertificateRule[] | undefined; readonly devRuntime?: DevModeRuntime | undefined }, store: StoreBundle, root: RootOfTrust & { seal(): void }, sealable: SealableRoot | undefined): Promise<ComposedApp> {
  const clock = config.clock ?? systemClock;
  const { keys, principals, requestStores, reads, imports } = store;
  // The request pipeline reads through the read cache (refreshed at the start of every request); the
  // scheduler, the seal controller and the bootstrap read the database directly.
  const hierarchy = new KeyHierarchy(root, keys);
  // The metrics read the audit queue, the seal and the limiter when scraped, all made below.
  const sources: MetricSources = {
    auditQueueDepth: () => trail.audit.queueDepth,
    unsealed: () => hierarchy.isOpen,
    keyCounts: store.keyCounts,
    throttledTotal: () => limiter.throttledTotal + quotas.throttledTotal,
    auditSinkLag: () => trail.sinks.flatMap((s) => {
      const lag = s.lag(trail.audit.size);
      return lag === undefined ? [] : [{ sink: s.status().name, lag }];
    }),
    keyWatch: store.keyWatch,
    readCache: store.readCacheStats,
    pool: store.poolStats,
    leader: () => lease.held,
    storageHealthy: () => store.health.status.healthy,
    now: () => clock.now().getTime(),
  };
  const metrics = config.metrics === undefined ? undefined : new ServerMetrics(sources, config.metrics.keys);
  // Followers are the worker processes of `arca dev --workers`: they share the trail with each other.
  const trail = await wireAudit({ ...config, sharedWriters: config.schedulerRole === 'follower' }, store, hierarchy, clock, config.logger, metrics);
  const { audit } = trail;
  const storage = store.health;
  const dev = config.devRuntime;
  const anyCredentialsAs = dev?.options.acceptAnyCredentials === true ? () => dev.adminId : undefined;
  const lifecycle: LifecycleDeps = {
    store: store.lifecycle,
    minRotationPeriodDays: Math.max(ROTATION_PERIOD.absoluteMin, Math.min(config.minRotationPeriodDays ?? ROTATION_PERIOD.awsMin, ROTATION_PERIOD.awsMin)),
    insecureTestPause: config.insecureTestJobPause,
  };
  const provisioner = new CustodyKeyProvisioner(hierarchy);
  const cks = new CustomKeyStoreWiring(config, { store: store.customKeyStores, keyring: hierarchy, logger: config.logger, isOpen: () => hierarchy.isOpen });
  const role = config.schedulerRole ?? 'leader';
  // A change of leadership is reported at once (the heartbeat is made below; no change happens before the scheduler starts).
  const lease = watchLeadership(store.leaderLease ?? leaseForRole(role), () => void heartbeat.beat());
  const scheduler = new LifecycleScheduler({ keys, hierarchy, provisioner, clock, realm: config.realm, logger: config.logger, lifecycle, audit, imports, customKeyStores: { store: store.customKeyStores, hsmSession: (s) => cks.forRegion(s.region).connections.hsmSession(s.id) } }, lease);
  const sealing =
    sealable === undefined
      ? undefined
      : new SealController({
          root: sealable,
          hierarchy,
          keys,
          // The initial administrator and its policy, created once the first domain key exists.
          bootstrapAdmin: async (keyring) => {
            const admin = await ensureAdmin({ principals, keyring, realm: config.realm, clock });
            await ensureAdminPolicy({ principals, clock });
            return admin;
          },
          logger: config.logger,
          onSeal: [() => void cks.seal(), () => regions.forgetSigningKeys(), () => trail.detachSigner(), () => reads?.clear(), () => void heartbeat.beat()],
          onUnseal: [() => trail.attachSigner(), () => cks.reconnectAll(), async () => void (await scheduler.runIfLeader()), () => heartbeat.beat()],
          rewrap: store.rewrap,
        });
  const limits = limitsSchema.parse(config.limits ?? {});
  const limiter = new UnauthenticatedLimiter(unauthenticatedLimits(limits), clock);
  const quotas = new RequestQuotas(config.quotas ?? {}, clock);
  const backupDir = config.backup?.dir ?? defaultBackupDir(config.dataDir);
  const detection = new Detection({ config: config.detection, clock, logger: config.logger, audit, region: config.realm.region, observer: metrics });
  const registry = operationRegistry();
  const approvalGate = new ApprovalGate({ store: requestStores.approvals, keyFacts: requestStores.keyFacts, clock, operations: registry, alerts: detection });
  const k8s = config.kubernetes, sockets = new Map(k8s === undefined ? [] : [[KubernetesPluginListener.socketPath(k8s), k8s.principal]]);
  // One pipeline per region (ADR 0022): its realm names the region in ARNs, audit events and conditions.
  const regionalParts = (realm: Realm): RegionPipeline => {
    const authorizer = new PolicyAuthorizer({ keys: requestStores.keyFacts, identities: requestStores.principals, grants: requestStores.grants, realm, timeZone: config.timeZone ?? 'UTC' });
    const authenticator = new SigV4Authenticator({ store: requestStores.principals, keyring: hierarchy, realm, clock, anyCredentialsAs });
    const pipeline = new Pipeline({
      limiter,
      keys: requestStores.keys,
      principals: requestStores.principals,
      grants: requestStores.grants,
      reads,
      imports,
      hierarchy,
      primitives: new CustodyKeyPrimitives({ keys: requestStores.keys, hierarchy, imports, clock, customKeyStores: cks.forRegion(realm.region) }),
      provisioner,
      importer: new CustodyKeyImporter(hierarchy),
      clock,
      realm,
      logger: config.logger,
      lifecycle,
      // The Kubernetes plugin's socket, then mTLS identities, in front of SigV4 (docs/kubernetes.md, docs/identity.md).
      authenticator: withXksAuthenticator(config.xksProxy, new LocalSocketAuthenticator({ inner: new ClientCertificateAuthenticator({ inner: authenticator, rules: config.certificateRules ?? [], store: requestStores.principals, realm }), sockets, store: requestStores.principals, realm }), { store: requestStores.principals, realm, clock }),
      // A refusal of a caller whose grant for it expired raises an alert (just-in-time access used outside its window).
      authorizer: new ExpiredGrantWatch(authorizer, requestStores.grants, detection),
      keyring: hierarchy,
      policyChecks: authorizer,
      audit,
      storage,
      auditTrail: trail.trail,
      auditChains: trail.chains,
      operations: registry,
      sealing,
      observer: observeAll([metrics, requestLog(config.logger)]),
      cluster: { node: store.nodeName, nodes: store.nodes },
      // Circuit breakers are enforced where the quotas are, and checked first.
      quotas: new BreakerGate(detection.breakers, quotas),
      // The opt-in per-key series count the same answered requests the detector watches.
      detector: config.metrics?.keys?.length ? { observe: (r) => { detection.observe(r); metrics?.observe(r); } } : detection,
      breakers: detection.breakers,
      backups: serverBackupMaker({ store, dataDir: config.dataDir, root, dir: backupDir, clock }),
      ledger: serverLedgerMaker({ store, dataDir: config.dataDir, root, clock }),
      webIdentity: config.oidcProviders?.length ? new OidcVerifier(config.oidcProviders) : undefined,
      approvals: requestStores.approvals,
      dev: dev === undefined ? undefined : { state: store.devState, keptPrincipalIds: () => (dev.adminId === undefined ? [] : [dev.adminId]) },
    regions: { home: config.realm.region, others: config.regions ?? [] },
      approvalGate,
      xks: xksExposure(config.xksProxy),
      customKeyStores: cks.forRegion(realm.region),
    });
    return { authenticator, pipeline, transport: awsEndpointTransport(pipeline) };
  };
  const regions: RegionalParts<RegionPipeline> = new RegionalParts(config.realm, config.regions ?? [], regionalParts);
  const { pipeline } = regions.home;
  const kubernetesPlugin = k8s && new KubernetesPluginListener(k8s, regions.get(pluginRegion(k8s.key, config.realm.region))?.pipeline ?? pipeline, config.logger);
  const kmipListener = config.kmip && new KmipListener(config.kmip, pipeline, { logger: config.logger, clock });
  const every = config.backup?.schedule?.every;
  // Scheduled backups: the same maker as CreateBackup under their own file prefix, on the lease holder only.
  const backupSchedule = every === undefined ? undefined : new BackupScheduler({
    maker: serverBackupMaker({ store, dataDir: config.dataDir, root, dir: backupDir, clock, prefix: SCHEDULED_BACKUP_PREFIX }),
    dir: backupDir, everyMs: every, retain: config.backup?.retain ?? DEFAULT_BACKUP_RETAIN, lease, unsealed: () => hierarchy.isOpen,
    clock, logger: config.logger, realm: config.realm, audit, alerts: detection,
    observer: metrics && registerBackupMetrics(metrics.registry, { everyMs: every, lastSuccessAt: newestScheduledBackup(backupDir) }),
  });
  const heartbeat = startHeartbeat({ nodes: store.nodes, node: store.nodeName, sealed: () => !hierarchy.isOpen, leader: () => lease.held, logger: config.logger, now: () => clock.now(),
    // A root rotation on another node: new secrets here are wrapped under its new domain key within a beat.
    // The quotas are the cluster's: each node enforces its share among the unsealed nodes heard from lately.
    alsoEachBeat: async () => {
      await hierarchy.loadNewerDomainKeys();
      await cks.sync(); // Connect/Disconnect/UpdateCustomKeyStore served by other nodes
      const serving = (await store.nodes.list()).filter((n) => !n.sealed && n.secondsSinceSeen * 1000 <= STALE_AFTER_MS).length;
      quotas.setShare(serving);
    },
  });
  // The operation protocol's transports: AWS JSON 1.1 and the STS Query protocol on POST / (DESIGN.md §1, ADR 0018).
  const aws = regionalTransport((region) => regions.get(region)?.transport, regions.home.transport);
  const transports: TransportRoute[] = [{ method: 'POST', path: '/', adapter: aws }];
  transports.push(...xksRoutes(config.xksProxy, pipeline, { store: requestStores.principals, realm: config.realm, clock }));
  // Dev mode: moto's reset path for test harnesses, and the self client the seed file is applied through.
  dev?.attach(aws, config.realm.region);
  if (dev !== undefined) transports.push({ method: 'POST', path: MOTO_RESET_PATH, adapter: dev.motoResetTransport(aws, config.logger) });
  const scrape = metrics === undefined ? undefined : metricsEndpoint(metrics, config.metrics?.bearerToken);
  const metricsServer = scrape !== undefined && config.metrics?.separateListener === true ? createMetricsServer(scrape) : undefined;
  const endpoints = [...(scrape === undefined || metricsServer !== undefined ? [] : [scrape]), ...consoleEndpoints(config.console, config.realm.region)];
  const server = createHttpServer({ pipeline, transports, endpoints, logger: config.logger, maxBodyBytes: config.maxBodyBytes, tls: config.tls, status: trail.status, limits: connectionLimits(limits) });
  const recordThrottled = () => recordThrottledRequests(limiter, audit, config.realm.region, config.logger);
  const summaries = setInterval(() => void recordThrottled(), limits.throttleSummaryIntervalMs);
  summaries.unref();
  const closeSteps: (() => void)[] = [];
  let closing: Promise<void> | undefined;
  return {
    principals,
    hierarchy,
    sealing,
    signingKeys: regions,
    onClose: (step) => void closeSteps.push(step),
    async startScheduler() {
      await trail.attachSigner();
      await cks.reconnectAll();
      if (hierarchy.isOpen) await scheduler.runIfLeader();
      await heartbeat.beat();
      scheduler.start(config.schedulerIntervalMs ?? DEFAULT_SCHEDULER_INTERVAL_MS);
      backupSchedule?.start();
    },
    app: {
      server,
      store,
      quotas,
      detection,
      hierarchy,
      audit,
      auditTrail: trail.trail,
      auditSinks: trail.sinks,
      scheduler,
      backupSchedule,
      metricsServer,
      kubernetesPlugin, kmipListener,
      close() {
        closing ??= closeInOrder({
          server, metricsServer, logger: config.logger,
          // The plugin and KMIP first: their calls in flight finish before the store closes.
          listenersFirst: [() => kubernetesPlugin?.close(), () => kmipListener?.close()],
          stopTimers: () => { clearInterval(summaries); heartbeat.stop(); },
          // A scheduled backup in progress finishes (and is audited) before the lease is released.
          drain: [() => backupSchedule?.stop(), () => scheduler.stop(), () => cks.seal(), recordThrottled, () => detection.drain(), () => trail.drain()],
          forget: async () => {
            trail.release();
            detection.close();
            await store.close().catch((e: unknown) => config.logger.error('closing the store failed', { error: String(e) }));
            hierarchy.seal();
            regions.forgetSigningKeys();
            root.seal();
            for (const step of closeSteps) step();
          },
        });
        return closing;
      },
    },
  };
}
