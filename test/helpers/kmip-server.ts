/**
 * An in-process Arca with its KMIP listener over mutual TLS, for the KMIP end-to-end tests: a throwaway
 * PKI (openssl), certificates for the principals `kmip-app` (kms:* and arca:*) and `kmip-reader`
 * (describe and list only), one that maps to no principal, and one from another CA.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { Logger } from '../../src/core/ports.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { issue, makeCa } from './pki.js';
import { removeDir, tempDataDir } from './server.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

export interface KmipServer {
  readonly app: ServerApp;
  readonly admin: ClientConfig;
  readonly port: number;
  /** A file of the PKI directory (`ca.crt`, `app.crt`, `app.key`, ...). */
  file(name: string): string;
  /** A TLS connection to the KMIP listener presenting `client`'s certificate (none: no certificate). */
  connect(client?: string): TLSSocket;
  close(): Promise<void>;
}

export async function startKmipServer(kmip: Record<string, unknown> = {}): Promise<KmipServer> {
  const dir = tempDataDir('arca-kmip-');
  const file = (name: string) => join(dir, name);
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  issue(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
  issue(dir, 'ca', 'app', '/O=Example/CN=kmip-app', 'DNS:kmip-app.example.org');
  issue(dir, 'ca', 'reader', '/O=Example/CN=kmip-reader', 'DNS:kmip-reader.example.org');
  issue(dir, 'ca', 'stranger', '/O=Example/CN=nobody', 'DNS:nobody.example.org');
  issue(dir, 'other-ca', 'rogue', '/O=Example/CN=kmip-app', 'DNS:kmip-app.example.org');
  const config = {
    listen: '127.0.0.1:0',
    dataDir: join(dir, 'data'),
    tls: { cert: file('server.crt'), key: file('server.key') },
    kmip: { listen: '127.0.0.1:0', clientCa: file('ca.crt'), ...kmip },
    identity: { certificates: [{ match: { subject: 'O=Example,CN=kmip-app' }, principal: 'kmip-app' }, { match: { subject: 'O=Example,CN=kmip-reader' }, principal: 'kmip-reader' }] },
  };
  const loaded = loadServerConfig(JSON.stringify(config), {});
  assert.ok(loaded.ok, JSON.stringify(loaded));
  const app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
  await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
  assert.ok(app.kmipListener, 'kmip: starts the KMIP listener');
  const listener = app.kmipListener;
  await listener.listen();
  const address = app.server.address();
  const endpoint = `https://localhost:${typeof address === 'object' && address !== null ? address.port : 0}`;
  const anonymous: ClientConfig = { endpoint, region: 'us-east-1', tls: { ca: readFileSync(file('ca.crt')) } };
  const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
  await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
  const admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
  const allow = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
  await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'kmip-app' });
  await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'kmip-app', PolicyName: 'kmip', PolicyDocument: allow(['kms:*', 'arca:*']) });
  await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'kmip-reader' });
  await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'kmip-reader', PolicyName: 'read', PolicyDocument: allow(['kms:DescribeKey', 'kms:ListKeys', 'arca:DescribeManagedKey']) });
  return {
    app,
    admin,
    port: listener.address.port,
    file,
    connect: (client) => {
      const identity = client === undefined ? {} : { cert: readFileSync(file(`${client}.crt`)), key: readFileSync(file(`${client}.key`)) };
      return connect({ host: '127.0.0.1', port: listener.address.port, ca: readFileSync(file('ca.crt')), servername: 'localhost', ...identity });
    },
    async close() {
      await app.close();
      removeDir(dir);
    },
  };
}
