import type { AddressInfo } from 'node:net';
import type { Clock, Logger } from '../../src/core/ports.js';
import type { Pkcs11Api } from '../../src/root/pkcs11/pkcs11-root.js';
import { ArcaCallError, callOperation, type ClientConfig } from '../../src/cli/client.js';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { sqliteOf } from './in-process.js';

export interface SealedServer {
  readonly app: ServerApp;
  readonly endpoint: string;
  readonly logs: string[];
  /** An unauthenticated client (the seal operations). */
  readonly anonymous: ClientConfig;
  close(): Promise<void>;
}

/** `arca server`'s composition in this process (TLS off, loopback, a free port), on `dataDir`; logs captured unless `extra.logger`. */
export async function startSealedServer(
  dataDir: string,
  root: Record<string, unknown> = { type: 'shamir' },
  env: Record<string, string> = {},
  extra: { pkcs11Api?: Pkcs11Api; probeIntervalMs?: number; config?: Record<string, unknown>; logger?: Logger; clock?: Clock } = {},
): Promise<SealedServer> {
  const { config: more, logger: given, ...rest } = extra;
  const loaded = loadServerConfig(JSON.stringify({ listen: '127.0.0.1:0', tls: { enabled: false }, dataDir, root, ...more }), env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const config: ServerConfig = loaded.config;
  const logs: string[] = [];
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, message, ...fields }));
  const logger: Logger = given ?? { debug: () => undefined, info: capture('info'), warn: capture('warn'), error: capture('error') };
  const app = await createServerApp({ config, logger, env, ...rest });
  await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
  const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, endpoint, logs, anonymous: { endpoint, region: config.region }, close: () => app.close() };
}

/** Initializes through the protocol; returns the shares and the administrator's client config. */
export async function initialize(server: SealedServer, shares = 5, threshold = 3): Promise<{ shares: string[]; admin: ClientConfig }> {
  const out = await callOperation(server.anonymous, 'ArcaService.InitializeRoot', { Shares: shares, Threshold: threshold });
  return {
    shares: (out['UnsealShares'] as string[]).map(String),
    admin: { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: String(out['AdminAccessKeyId']), secretAccessKey: String(out['AdminSecretAccessKey']) } },
  };
}

export async function unsealWith(server: SealedServer, shares: readonly string[]): Promise<Record<string, unknown>> {
  let last: Record<string, unknown> = {};
  for (const share of shares) last = await callOperation(server.anonymous, 'ArcaService.Unseal', { Share: share });
  return last;
}

/**
 * Root rotation check shared by both roots: a new domain key version wraps new material at once, the
 * background rewrap moves every stored secret (key material and access keys) to it, and ciphertext made
 * before the rotation still decrypts. Returns that ciphertext, for a restart check by the caller.
 */
export async function checkRotateRoot(server: SealedServer, admin: ClientConfig): Promise<{ keyId: string; blob: string }> {
  const create = async () => String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
  const keyId = await create();
  const blob = String((await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('before rotation').toString('base64') }))['CiphertextBlob']);
  // An unused import token holds a wrapped private key too; the audit trail's signing key is wrapped as well.
  const external = String(((await callOperation(admin, 'TrentService.CreateKey', { Origin: 'EXTERNAL' }))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
  await callOperation(admin, 'TrentService.GetParametersForImport', { KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const versions = () =>
    sqliteOf(server.app)
      .prepare<[], { v: number }>(
        `SELECT domain_key_version AS v FROM key_versions UNION ALL SELECT domain_key_version FROM access_keys
         UNION ALL SELECT domain_key_version FROM import_tokens WHERE used_at IS NULL UNION ALL SELECT domain_key_version FROM audit_signing_keys`,
      )
      .all()
      .map((r) => r.v);
  const tokens = sqliteOf(server.app).prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM import_tokens WHERE used_at IS NULL').get()?.n ?? 0;
  if (tokens < 1) throw new Error('expected an unused import token to be stored before the rotation');
  const before = Math.max(...versions());
  const out = await callOperation(admin, 'ArcaService.RotateRoot', {});
  const next = Number(out['DomainKeyVersion']);
  if (next !== before + 1) throw new Error(`RotateRoot answered version ${next}, expected ${before + 1}`);
  const fresh = await create();
  const freshVersion = sqliteOf(server.app).prepare<[string], { v: number }>('SELECT domain_key_version AS v FROM key_versions WHERE key_id = ?').get(fresh)?.v;
  if (freshVersion !== next) throw new Error(`new material was wrapped under domain key ${freshVersion}, not ${next}`);
  if ((await server.app.sealing.rewrapRemaining(true)) !== 0) throw new Error('the background rewrap left rows behind');
  const left = versions().filter((v) => v !== next);
  if (left.length > 0) throw new Error(`rows still under old domain keys: ${left.join(',')}`);
  const plain = Buffer.from(String((await callOperation(admin, 'TrentService.Decrypt', { CiphertextBlob: blob }))['Plaintext']), 'base64').toString();
  if (plain !== 'before rotation') throw new Error('old ciphertext no longer decrypts after rotation');
  return { keyId, blob };
}

/** The server's error answer to `p`, or undefined when it succeeded; anything else is rethrown. */
export async function errorOf(p: Promise<unknown>): Promise<ArcaCallError | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    if (e instanceof ArcaCallError) return e;
    throw e;
  }
}
