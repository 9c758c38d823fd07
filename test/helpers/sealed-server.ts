import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/core/ports.js';
import type { Pkcs11Api } from '../../src/root/pkcs11/pkcs11-root.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { loadServerConfig, type ServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';

export interface SealedServer {
  readonly app: ServerApp;
  readonly endpoint: string;
  readonly logs: string[];
  /** An unauthenticated client (the seal operations). */
  readonly anonymous: ClientConfig;
  close(): Promise<void>;
}

/** `arca server`'s composition in this process (TLS off, loopback, a free port), on `dataDir`. */
export async function startSealedServer(
  dataDir: string,
  root: Record<string, unknown> = { type: 'shamir' },
  env: Record<string, string> = {},
  extra: { pkcs11Api?: Pkcs11Api; probeIntervalMs?: number } = {},
): Promise<SealedServer> {
  const loaded = loadServerConfig(JSON.stringify({ listen: '127.0.0.1:0', tls: { enabled: false }, dataDir, root }), env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const config: ServerConfig = loaded.config;
  const logs: string[] = [];
  const capture = (level: string) => (message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, message, ...fields }));
  const logger: Logger = { info: capture('info'), warn: capture('warn'), error: capture('error') };
  const app = await createServerApp({ config, logger, env, ...extra });
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
