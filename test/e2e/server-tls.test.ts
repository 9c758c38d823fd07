import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Logger } from '../../src/core/ports.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { startInProcess } from '../helpers/in-process.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** GET /healthz over HTTPS trusting `ca`, optionally presenting a client certificate. */
function get(port: number, ca: Buffer, client?: { cert: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', ca, servername: 'localhost', ...client }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('arca server over TLS', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const dir = tempDataDir();
  const apps: ServerApp[] = [];
  after(async () => {
    for (const a of apps) await a.close();
    removeDir(dir);
  });

  test('serves HTTPS with the configured certificate, and with clientCa requires a client certificate (mTLS)', async () => {
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.crt']);
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr']);
    const ext = join(dir, 'san.ext');
    spawnSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > ${ext}`]);
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', 'server.crt']);
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=client', '-keyout', 'client.key', '-out', 'client.csr']);
    openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', 'client.crt']);
    const ca = readFileSync(join(dir, 'ca.crt'));

    const start = async (clientCa: boolean) => {
      const tls = { enabled: true, cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ...(clientCa ? { clientCa: join(dir, 'ca.crt') } : {}) };
      const loaded = loadServerConfig(JSON.stringify({ listen: '127.0.0.1:0', tls, dataDir: join(dir, clientCa ? 'm' : 'p') }), {});
      assert.ok(loaded.ok, JSON.stringify(loaded));
      const app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
      apps.push(app);
      await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
      return (app.server.address() as AddressInfo).port;
    };
    const plain = await start(false);
    assert.equal(await get(plain, ca), 200);
    const mutual = await start(true);
    await assert.rejects(get(mutual, ca), 'no client certificate, no connection');
    assert.equal(await get(mutual, ca, { cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) }), 200);
  });
});

describe('aws:SecureTransport', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const dir = tempDataDir();
  after(() => removeDir(dir));
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      { Sid: 'tls-only', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  });
  const encryptUnderTlsOnlyKey = async (admin: ClientConfig) => {
    const key = await callOperation(admin, 'TrentService.CreateKey', { Policy: policy });
    const keyId = String((key['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    return callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('x').toString('base64') });
  };

  test('is true over HTTPS, so a TLS-only key policy allows the request there and denies it over HTTP', async () => {
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', 'server.key', '-out', 'server.crt']);
    const loaded = loadServerConfig(JSON.stringify({ listen: '127.0.0.1:0', tls: { enabled: true, cert: join(dir, 'server.crt'), key: join(dir, 'server.key') }, dataDir: join(dir, 'tls') }), {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
    const previous = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    // The test's own self-signed certificate: fetch cannot be given a CA, so verification is off here only.
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
    try {
      await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
      const endpoint = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const anonymous: ClientConfig = { endpoint, region: 'us-east-1' };
      const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
      await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
      const admin: ClientConfig = { endpoint, region: 'us-east-1', credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
      assert.ok((await encryptUnderTlsOnlyKey(admin))['CiphertextBlob'], 'allowed over HTTPS');
    } finally {
      if (previous === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
      else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = previous;
      await app.close();
    }
    const plain = await startInProcess();
    try {
      await assert.rejects(encryptUnderTlsOnlyKey({ endpoint: plain.endpoint, region: 'us-east-1', credentials: plain.credentials }), (e: Error) => e.name === 'AccessDeniedException');
    } finally {
      await plain.close();
    }
  });
});
