/**
 * `arca encrypt/decrypt` over mutual TLS (issue 23): the Encryption SDK's KMS client and the STS
 * GetCallerIdentity of a discovery decrypt both go through the https agent that presents `--cert`/
 * `--cert-key` and trusts `--ca`, against a server that requires a client certificate.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import type { Logger } from '../../src/core/ports.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { decryptCommand, encryptCommand, type CommandIo } from '../../src/cli/encrypt-command.js';
import { withGlobalOptions } from '../../src/cli/globals.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { hasOpenssl, issue, makeCa } from '../helpers/pki.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const skip = hasOpenssl ? false : process.env['CI'] === 'true' ? false : 'openssl not installed';

describe('arca encrypt / decrypt over mTLS', { skip }, () => {
  const dir = tempDataDir('arca-encrypt-mtls-');
  let app: ServerApp;
  let endpoint = '';
  let keyId = '';
  const saved = { ...process.env };

  before(async () => {
    assert.ok(hasOpenssl, 'openssl is required when CI=true');
    makeCa(dir, 'ca');
    issue(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
    issue(dir, 'ca', 'client', '/O=Example/CN=app', 'URI:spiffe://example.org/ns/prod/sa/app');
    const config = { listen: '127.0.0.1:0', dataDir: join(dir, 'data'), tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), clientCa: join(dir, 'ca.crt'), clientCert: 'required' } };
    const loaded = loadServerConfig(JSON.stringify(config), {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
    await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
    endpoint = `https://localhost:${(app.server.address() as AddressInfo).port}`;
    const anonymous: ClientConfig = { endpoint, region: 'us-east-1', tls: { ca: readFileSync(join(dir, 'ca.crt')), cert: readFileSync(join(dir, 'client.crt')), key: readFileSync(join(dir, 'client.key')) } };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    const admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    process.env['AWS_ACCESS_KEY_ID'] = admin.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = admin.credentials.secretAccessKey;
    process.env['AWS_REGION'] = 'us-east-1';
  });
  after(async () => {
    process.env = saved;
    await app?.close();
    removeDir(dir);
  });

  async function arca(args: readonly string[]): Promise<{ code: number; stderr: string }> {
    let stderr = '';
    const err = new PassThrough();
    err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const io: CommandIo = { stdin: Readable.from([]), stdout: new PassThrough(), stderr: err };
    process.exitCode = 0;
    await withGlobalOptions(new Command('arca')).addCommand(encryptCommand(io)).addCommand(decryptCommand(io)).parseAsync(['--endpoint', endpoint, ...args], { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, stderr };
  }

  it('encrypts and decrypts (discovery, so STS too) presenting --cert, and fails without it', async () => {
    const tls = ['--ca', join(dir, 'ca.crt'), '--cert', join(dir, 'client.crt'), '--cert-key', join(dir, 'client.key')];
    writeFileSync(join(dir, 'p.txt'), 'over mTLS');
    const enc = await arca([...tls, 'encrypt', '--key', keyId, join(dir, 'p.txt'), '-o', join(dir, 'p.encrypted')]);
    assert.equal(enc.code, 0, enc.stderr);
    const dec = await arca([...tls, 'decrypt', join(dir, 'p.encrypted'), '-o', join(dir, 'p.out')]);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(readFileSync(join(dir, 'p.out'), 'utf8'), 'over mTLS');
    const without = await arca(['--ca', join(dir, 'ca.crt'), 'encrypt', '--key', keyId, join(dir, 'p.txt'), '-o', join(dir, 'q.encrypted')]);
    assert.equal(without.code, 1, 'the server requires a client certificate');
    assert.match(without.stderr, /^arca: .+\n$/);
  });
});
