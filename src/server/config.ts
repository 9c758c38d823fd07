import { REGION_PATTERN } from '../core/regions.js';
import { isTimeZone } from '../core/policy/context.js';
import { accessSync, constants, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { auditConfigSchema } from './audit-config.js';
import { limitsSchema } from './limits.js';
import { parseListen } from './listen.js';
import { LOG_LEVELS } from './logger.js';
import { storageSchema } from './storage-config.js';
import { quotasSchema } from './quota-config.js';
import { detectionSchema, resolveDetection } from './detection-config.js';
import { backupConfigSchema } from './backup-config.js';
import { identityConfigSchema } from './identity-config.js';
import { clientCrlErrors } from './client-crl.js';
import { hsmClustersConfigErrors, hsmClustersSchema } from './hsm-clusters-config.js';
import { xksProxyEnvErrors, xksProxySchema } from './xks-proxy-config.js';
import { kmipConfigErrors, kmipSchema } from './kmip-config.js';
import { consoleConfigErrors, consoleSchema } from './console-config.js';

/**
 * The `arca server` configuration (docs/configuration.md): a YAML file, then `ARCA_*` environment
 * variables over it, validated at boot with every error reported at once.
 */
const tlsSchema = z
  .object({
    enabled: z.boolean().default(true),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    clientCa: z.string().min(1).optional(),
    /** With clientCa: `required` (default) refuses a connection without a verified certificate; `optional` lets one without any in. */
    clientCert: z.enum(['optional', 'required']).optional(),
    /** With clientCa: a PEM file of CRLs (one per CA); a revoked client certificate does not verify. Re-read on SIGHUP. */
    clientCrl: z.string().min(1).optional(),
  })
  .strict();

const shamirRootSchema = z.object({ type: z.literal('shamir') }).strict();

const pkcs11RootSchema = z
  .object({
    type: z.literal('pkcs11'),
    module: z.string().min(1),
    tokenLabel: z.string().min(1).optional(),
    slot: z.number().int().min(0).optional(),
    pinFile: z.string().min(1).optional(),
    pinEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
    keyLabel: z.string().min(1).default('arca-root'),
  })
  .strict();

/**
 * `GET /metrics` (docs/monitoring.md): present means on. On the main listener it needs `bearerToken`;
 * with `listen` it is served alone on that address (plain HTTP), the token then optional.
 */
const metricsSchema = z
  .object({
    listen: z.string().optional(),
    bearerToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Key ids or key ARNs whose requests get their own series (`arca_key_requests_total`); at most 100. */
    keys: z.array(z.string().regex(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/)?[A-Za-z0-9-]+$/, 'must be a key id or a key ARN')).max(100).optional(),
  })
  .strict();

/**
 * The lifecycle scheduler (rotations, destructions, expiries): how often each node ticks. A tick is also
 * when a node takes the cluster's leader lease, so it bounds how soon a survivor takes over from a dead
 * leader (ADR 0015).
 */
const schedulerSchema = z
  .object({
    intervalSeconds: z.number().int().min(1).max(3600).default(60),
  })
  .strict();

/** The Kubernetes KMS v2 plugin (docs/kubernetes.md): a gRPC listener on a UNIX socket, off when absent. */
const kubernetesSchema = z
  .object({
    /** The socket kube-apiserver connects to; created with mode 0600, a stale one replaced at start. */
    socket: z.string().min(1).max(107, 'must be at most 107 bytes (the UNIX socket path limit)'),
    /** The key the DEKs are encrypted under: key id, key ARN, alias name or alias ARN. */
    key: z.string().min(1).max(2048),
    /** The principal (name or ARN) the calls are authorized and audited as. */
    principal: z.string().min(1).max(2048),
  })
  .strict();

/**
 * Custom key stores, client side (docs/custom-key-stores.md, ADR 0024): how Arca calls the XKS proxies of
 * its external key stores. (`xksProxy:` is the other direction: Arca serving as a proxy.)
 */
const customKeyStoresSchema = z
  .object({
    xks: z
      .object({
        /** Per proxy call, connection included (AWS KMS allows 250 ms). */
        timeoutMs: z.number().int().min(50).max(30_000).default(2000),
        /** PEM CA certificates the proxies' TLS certificates may chain to, besides the system's. */
        caFile: z.string().min(1).optional(),
      })
      .strict()
      .default({ timeoutMs: 2000 }),
  })
  .strict();

export const serverConfigSchema = z
  .object({
    listen: z.string().default('127.0.0.1:8420'),
    tls: tlsSchema.default({ enabled: true }),
    dataDir: z.string().min(1),
    region: z.string().regex(REGION_PATTERN, 'must look like an AWS region (us-east-1)').default('us-east-1'),
    /** Regions served besides `region` (ADR 0022): each a namespace of keys and aliases; the SigV4 scope picks one. */
    regions: z.array(z.string().regex(REGION_PATTERN, 'must look like an AWS region (eu-central-1)')).max(64).default([]),
    account: z.string().regex(/^\d{12}$/, 'must be 12 digits').default('111122223333'),
    root: z.discriminatedUnion('type', [shamirRootSchema, pkcs11RootSchema]).default({ type: 'shamir' }),
    maxBodyBytes: z.number().int().min(1024).max(16 * 1024 * 1024).optional(),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone (Europe/Paris)').default('UTC'),
    minRotationPeriodDays: z.number().int().min(1).max(90).default(90),
    /** The lifecycle scheduler's tick (docs/configuration.md). */
    scheduler: schedulerSchema.default({ intervalSeconds: 60 }),
    /** The audit trail: checkpoints, durability, retention, sinks (docs/audit.md). */
    audit: auditConfigSchema.optional(),
    /** Unauthenticated request rates, connections and timeouts (docs/configuration.md, "Limits"). */
    limits: limitsSchema.optional(),
    /** Prometheus metrics (docs/monitoring.md); absent: off. */
    metrics: metricsSchema.optional(),
    /** Request quotas per principal and per key, like AWS's (docs/configuration.md, "Quotas"); reloaded on SIGHUP. */
    quotas: quotasSchema.optional(),
    /** Anomaly detection: rules (or a rules file), alert webhooks (docs/monitoring.md); reloaded on SIGHUP. Absent: the default rules. */
    detection: detectionSchema.optional(),
    /** Where state lives: SQLite in dataDir (default) or PostgreSQL shared by a cluster (docs/cluster.md). */
    storage: storageSchema.default({ type: 'sqlite' }),
    /** This node's stable name in a cluster (its audit chain on PostgreSQL); default the host name. */
    /** The lowest level logged (docs/monitoring.md): `debug` adds one line per request. */
    logLevel: z.enum(LOG_LEVELS).default('info'),
    /** Backups (docs/backup.md): where files go (default `<dataDir>/backups`), the schedule and retention. */
    backup: backupConfigSchema.optional(),
    /** Identities without access keys (docs/identity.md): OIDC providers for AssumeRoleWithWebIdentity, client-certificate rules. */
    identity: identityConfigSchema.optional(),
    /** The Kubernetes KMS v2 plugin listener (docs/kubernetes.md); absent: off. */
    kubernetes: kubernetesSchema.optional(),
    /** PKCS#11 tokens for AWS_CLOUDHSM-shaped custom key stores, by cluster id (docs/hsm-key-stores.md); absent: none. */
    hsmClusters: hsmClustersSchema.optional(),
    /** Custom key stores, client side: the XKS proxy calls' timeout and CA file (docs/custom-key-stores.md). */
    customKeyStores: customKeyStoresSchema.optional(),
    /** The XKS proxy API, Arca as AWS KMS's external key store (docs/xks-proxy.md); absent: off. */
    xksProxy: xksProxySchema.optional(),
    /** The KMIP server (docs/kmip.md): TTLV over mutual TLS, default port 5696; absent: off. */
    kmip: kmipSchema.optional(),
    /** The web console under /ui/ (docs/console.md); on by default. */
    console: consoleSchema.optional(),
    nodeName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,62}$/, 'must be 1-63 letters, digits, dots, colons, dashes or underscores').optional(),
  })
  .strict();

export type ServerConfig = z.infer<typeof serverConfigSchema>;
export type RootConfig = ServerConfig['root'];

/** `ARCA_*` variables and the config path each overrides; values are parsed as YAML scalars (true, 8420, text). */
export const ENV_OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  ARCA_LISTEN: ['listen'],
  ARCA_DATA_DIR: ['dataDir'],
  ARCA_REGION: ['region'],
  ARCA_ACCOUNT: ['account'],
  ARCA_TIME_ZONE: ['timeZone'],
  ARCA_MIN_ROTATION_PERIOD_DAYS: ['minRotationPeriodDays'],
  ARCA_SCHEDULER_INTERVAL_SECONDS: ['scheduler', 'intervalSeconds'],
  ARCA_TLS_ENABLED: ['tls', 'enabled'],
  ARCA_TLS_CERT: ['tls', 'cert'],
  ARCA_TLS_KEY: ['tls', 'key'],
  ARCA_TLS_CLIENT_CA: ['tls', 'clientCa'],
  ARCA_TLS_CLIENT_CERT: ['tls', 'clientCert'],
  ARCA_TLS_CLIENT_CRL: ['tls', 'clientCrl'],
  ARCA_ROOT_TYPE: ['root', 'type'],
  ARCA_ROOT_MODULE: ['root', 'module'],
  ARCA_ROOT_TOKEN_LABEL: ['root', 'tokenLabel'],
  ARCA_ROOT_SLOT: ['root', 'slot'],
  ARCA_ROOT_PIN_FILE: ['root', 'pinFile'],
  ARCA_ROOT_PIN_ENV: ['root', 'pinEnv'],
  ARCA_ROOT_KEY_LABEL: ['root', 'keyLabel'],
  ARCA_METRICS_LISTEN: ['metrics', 'listen'],
  ARCA_METRICS_BEARER_TOKEN: ['metrics', 'bearerToken'],
  ARCA_STORAGE_URL: ['storage', 'url'],
  ARCA_NODE_NAME: ['nodeName'],
  ARCA_LOG_LEVEL: ['logLevel'],
  ARCA_KUBERNETES_SOCKET: ['kubernetes', 'socket'],
  ARCA_KUBERNETES_KEY: ['kubernetes', 'key'],
  ARCA_KUBERNETES_PRINCIPAL: ['kubernetes', 'principal'],
  ARCA_HSM_CLUSTERS: ['hsmClusters'],
  ARCA_CUSTOM_KEY_STORES_XKS_TIMEOUT_MS: ['customKeyStores', 'xks', 'timeoutMs'],
  ARCA_CUSTOM_KEY_STORES_XKS_CA_FILE: ['customKeyStores', 'xks', 'caFile'],
  ARCA_XKS_PROXY_URI_PATH_PREFIX: ['xksProxy', 'uriPathPrefix'],
  ARCA_XKS_PROXY_PRINCIPAL: ['xksProxy', 'principal'],
  ARCA_KMIP_LISTEN: ['kmip', 'listen'],
};

/** String-valued settings: an env value for these is taken as text, never as a YAML number or boolean. */
const STRING_PATHS = new Set(['account', 'listen', 'dataDir', 'region', 'timeZone', 'metrics.listen', 'metrics.bearerToken', 'storage.url', 'nodeName', 'kubernetes.socket', 'kubernetes.key', 'kubernetes.principal', 'customKeyStores.xks.caFile', 'xksProxy.uriPathPrefix', 'xksProxy.principal', 'kmip.listen']);

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export type ConfigResult = { readonly ok: true; readonly config: ServerConfig } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Parses and validates the configuration: the YAML text (`undefined` when only the environment is used),
 * then the `ARCA_*` overrides in `env`. Every problem is reported, each as `path: message`.
 */
export function loadServerConfig(yamlText: string | undefined, env: Readonly<Record<string, string | undefined>>, source = 'config'): ConfigResult {
  const errors: string[] = [];
  let raw: unknown = {};
  if (yamlText !== undefined) {
    try {
      raw = parseYaml(yamlText) ?? {};
    } catch (e) {
      return { ok: false, errors: [`${source}: not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, errors: [`${source}: the top level must be a mapping of settings`] };
  const doc = structuredClone(raw) as Record<string, unknown>;
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let parsed: unknown = value;
    if (!STRING_PATHS.has(path.join('.'))) {
      try {
        parsed = parseYaml(value);
      } catch {
        parsed = value;
      }
    }
    setPath(doc, path, parsed);
  }
  // A storage URL alone (ARCA_STORAGE_URL) means PostgreSQL.
  const storage = record(doc['storage']);
  if (storage['url'] !== undefined && storage['type'] === undefined) doc['storage'] = { type: 'postgres', ...storage };
  const result = serverConfigSchema.safeParse(doc);
  if (!result.success) for (const issue of result.error.issues) errors.push(`${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  // The cross-field checks run on whatever is well typed, so that they are reported with the schema errors.
  errors.push(...semanticErrors(doc, env));
  if (result.success) errors.push(...resolveDetection(result.data.detection, env).errors);
  return errors.length > 0 || !result.success ? { ok: false, errors } : { ok: true, config: result.data };
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function readable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function semanticErrors(doc: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): string[] {
  const errors: string[] = [];
  let host = '';
  const listen = text(doc['listen']) ?? '127.0.0.1:8420';
  try {
    host = parseListen(listen).host;
  } catch (e) {
    errors.push(`listen: ${(e as Error).message.replace(/^--listen /, '')}`);
  }
  const tls = record(doc['tls']);
  if (tls['enabled'] !== false) {
    for (const field of ['cert', 'key'] as const) if (tls[field] === undefined) errors.push(`tls.${field}: required when tls.enabled is true`);
    for (const field of ['cert', 'key', 'clientCa'] as const) {
      const path = text(tls[field]);
      if (path !== undefined && !readable(path)) errors.push(`tls.${field}: cannot read ${path}`);
    }
    if (tls['clientCert'] !== undefined && tls['clientCa'] === undefined) errors.push('tls.clientCert: needs tls.clientCa (the CAs client certificates must chain to)');
    const crl = text(tls['clientCrl']);
    if (crl !== undefined) errors.push(...(tls['clientCa'] === undefined ? ['tls.clientCrl: needs tls.clientCa (the CAs whose revocations it lists)'] : clientCrlErrors(crl)));
  } else if (host !== '' && !isLoopback(host)) {
    errors.push(`tls.enabled: false is allowed only on a loopback listen address (127.0.0.1, ::1, localhost), not ${host}`);
  }
  if (doc['metrics'] !== undefined) {
    const metrics = record(doc['metrics']);
    const metricsListen = text(metrics['listen']);
    if (metricsListen === undefined && metrics['bearerToken'] === undefined) {
      errors.push('metrics: give bearerToken to serve /metrics on the main listener, or listen for a separate metrics listener');
    }
    if (metricsListen !== undefined) {
      try {
        parseListen(metricsListen);
      } catch (e) {
        errors.push(`metrics.listen: ${(e as Error).message.replace(/^--listen /, '')}`);
      }
    }
  }
  const kmip = doc['kmip'];
  // The KMIP listener is always mutual TLS: its client CA is enough for certificate identities.
  if (record(doc['identity'])['certificates'] !== undefined && (tls['enabled'] === false || tls['clientCa'] === undefined) && kmip === undefined) {
    errors.push('identity.certificates: needs TLS with tls.clientCa, or kmip: (only a verified client certificate maps to a principal)');
  }
  errors.push(...kmipConfigErrors(kmip, tls['enabled'] === false ? {} : tls, readable));
  errors.push(...consoleConfigErrors(doc['console'], doc['identity']));
  const storageTls = record(record(doc['storage'])['tls']);
  if ((storageTls['cert'] === undefined) !== (storageTls['key'] === undefined)) errors.push('storage.tls: give both cert and key, or neither');
  for (const field of ['ca', 'cert', 'key'] as const) {
    const path = text(storageTls[field]);
    if (path !== undefined && !readable(path)) errors.push(`storage.tls.${field}: cannot read ${path}`);
  }
  const xksCa = text(record(record(doc['customKeyStores'])['xks'])['caFile']);
  if (xksCa !== undefined && !readable(xksCa)) errors.push(`customKeyStores.xks.caFile: cannot read ${xksCa}`);
  if (doc['xksProxy'] !== undefined) errors.push(...xksProxyEnvErrors(doc['xksProxy'], env));
  const root = record(doc['root']);
  if (root['type'] === 'pkcs11') {
    if ((root['tokenLabel'] === undefined) === (root['slot'] === undefined)) errors.push('root: give exactly one of tokenLabel and slot');
    if ((root['pinFile'] === undefined) === (root['pinEnv'] === undefined)) errors.push('root: give exactly one of pinFile and pinEnv');
    const pinEnv = text(root['pinEnv']);
    if (pinEnv !== undefined && env[pinEnv] === undefined) errors.push(`root.pinEnv: the environment variable ${pinEnv} is not set`);
    const pinFile = text(root['pinFile']);
    if (pinFile !== undefined && !readable(pinFile)) errors.push(`root.pinFile: cannot read ${pinFile}`);
    const module = text(root['module']);
    if (module !== undefined && !readable(module)) errors.push(`root.module: cannot read the PKCS#11 module ${module}`);
  }
  errors.push(...hsmClustersConfigErrors(doc));
  return errors;
}

/** Reads the config file at `path` and validates it with `env`. */
export function loadServerConfigFile(path: string, env: Readonly<Record<string, string | undefined>>): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    return { ok: false, errors: [`${path}: cannot read the configuration file (${(e as NodeJS.ErrnoException).code ?? String(e)})`] };
  }
  return loadServerConfig(text, env, path);
}
