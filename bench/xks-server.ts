/**
 * A bench-only Arca serving the XKS proxy API: the dev composition (durable audit trail, insecure dev
 * root) with `xksProxy:` exposing one AES-256 key as `bench-key` (encrypt and decrypt) under
 * `/bench/kms/xks/v1`, authorized as the principal `xks-proxy` by the key's policy. XKS credentials
 * are random per run. Prints one JSON line (endpoint, admin and XKS credentials, key id, XKS path), then
 * serves until SIGTERM. Started by bench/xks-latency.ts.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callOperation, type ClientConfig } from '../src/cli/client.js';
import { createDevApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { xksProxySchema } from '../src/server/xks-proxy-config.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const PRINCIPAL = 'xks-proxy';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** The spec's credential rules: an access key id of 20-30 characters A-Z and 2-7, a secret of 43-64 base64 characters. */
const accessKeyId = Array.from(randomBytes(24), (b) => BASE32[b % 32]).join('');
const secretAccessKey = randomBytes(33).toString('base64');
const xksProxy = xksProxySchema.parse({ uriPathPrefix: '/bench', principal: PRINCIPAL, credentials: [{ accessKeyId, secretAccessKey }], keys: [{ xksKeyId: 'bench-key', key: 'alias/xks-bench', operations: ['encrypt', 'decrypt'] }] });

const dataDir = mkdtempSync(join(tmpdir(), 'arca-bench-xks-'));
// The production logger at its default level on stderr (stdout carries the line the bench reads).
const logger = createLogger({ level: 'info', destination: process.stderr });
const app = await createDevApp({ dataDir, realm: { partition: 'aws', region: REGION, account: ACCOUNT }, logger, xksProxy });
await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
const endpoint = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const admin: ClientConfig = { endpoint, region: REGION, credentials: { accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey.expose().toString('utf8') } };

await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: PRINCIPAL });
const policy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Xks', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/${PRINCIPAL}` }, Action: ['arca:XksGetKeyMetadata', 'arca:XksEncrypt', 'arca:XksDecrypt'], Resource: '*' },
  ],
};
const created = await callOperation(admin, 'TrentService.CreateKey', { Description: 'bench xks', Policy: JSON.stringify(policy) });
const keyId = String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']);
await callOperation(admin, 'TrentService.CreateAlias', { AliasName: 'alias/xks-bench', TargetKeyId: keyId });

process.stdout.write(JSON.stringify({ endpoint, region: REGION, accessKeyId: admin.credentials?.accessKeyId, secretAccessKey: admin.credentials?.secretAccessKey, keyId, xks: { accessKeyId, secretAccessKey, path: '/bench/kms/xks/v1/keys/bench-key/encrypt' } }) + '\n');
process.once('SIGTERM', () => {
  void app.close().then(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
});
