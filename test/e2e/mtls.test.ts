import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Logger } from '../../src/core/ports.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';
import { hasOpenssl, issue, makeCa } from '../helpers/pki.js';

/**
 * mTLS client identities with real clients (issue 17): certificates made by openssl, node:https sending
 * unsigned AWS JSON, the AWS SDK signing through an https agent that presents a certificate, and the
 * `arca` CLI with --cert/--key/--ca.
 */
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe('mTLS client identities', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  const dir = tempDataDir('arca-mtls-');
  const apps: ServerApp[] = [];
  const file = (name: string) => readFileSync(join(dir, name));
  const identity = (name: string) => ({ cert: file(`${name}.crt`), key: file(`${name}.key`) });
  let endpoint = '';
  let port = 0;
  let admin: ClientConfig;
  let keyId = '';

  const start = async (clientCert: 'optional' | 'required', data: string): Promise<number> => {
    const config = {
      listen: '127.0.0.1:0',
      dataDir: join(dir, data),
      tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), clientCa: join(dir, 'ca.crt'), clientCert },
      identity: { certificates: [{ match: { subject: 'CN=nobody' }, principal: 'nobody' }, { match: { uri: 'spiffe://example.org/*' }, principal: 'arn:aws:iam::111122223333:user/app' }] },
    };
    const loaded = loadServerConfig(JSON.stringify(config), {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    const app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
    apps.push(app);
    await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
    return (app.server.address() as AddressInfo).port;
  };

  /** An UNSIGNED AWS JSON request over node:https, presenting `client`'s certificate (if any). */
  const post = (target: string, input: unknown, client?: string, to = port): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(input);
      const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'content-length': String(Buffer.byteLength(body)) };
      const req = request({ host: '127.0.0.1', port: to, path: '/', method: 'POST', headers, ca: file('ca.crt'), servername: 'localhost', ...(client === undefined ? {} : identity(client)) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown> }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const plaintext = Buffer.from('hello').toString('base64');
  /** An UNSIGNED STS Query request (form body) over node:https, presenting `client`'s certificate. */
  const sts = (form: string, client: string): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'content-length': String(Buffer.byteLength(form)) };
      const req = request({ host: '127.0.0.1', port, path: '/', method: 'POST', headers, ca: file('ca.crt'), servername: 'localhost', ...identity(client) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(form);
    });

  before(async () => {
    if (!hasOpenssl) return;
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    issue(dir, 'ca', 'server', '/CN=localhost', 'DNS:localhost,IP:127.0.0.1');
    issue(dir, 'ca', 'prod', '/O=Example/CN=app', 'URI:spiffe://example.org/ns/prod/sa/app,DNS:app.prod.example.org');
    issue(dir, 'ca', 'dev', '/O=Example/CN=app-dev', 'URI:spiffe://example.org/ns/dev/sa/app');
    issue(dir, 'other-ca', 'rogue', '/O=Example/CN=app', 'URI:spiffe://example.org/ns/prod/sa/app');
    port = await start('optional', 'optional');
    endpoint = `https://localhost:${port}`;
    // Optional mode: the seal operations need no certificate.
    const anonymous: ClientConfig = { endpoint, region: 'us-east-1', tls: { ca: file('ca.crt') } };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'app' });
    const condition = { 'ForAnyValue:StringLike': { 'arca:ClientCertSan': 'spiffe://example.org/ns/prod/*' } };
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: condition }] };
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'app', PolicyName: 'prod-only', PolicyDocument: JSON.stringify(policy) });
    keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
  });
  after(async () => {
    for (const a of apps) await a.close();
    removeDir(dir);
  });

  test('an unsigned request with a verified certificate is the mapped principal, and a SAN condition allows it', async () => {
    const r = await post('TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext }, 'prod');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body['CiphertextBlob']);
    const events = JSON.stringify(await callOperation(admin, 'ArcaService.ListAuditEvents', { Limit: 20 }));
    const fingerprint = new X509Certificate(file('prod.crt')).fingerprint256;
    assert.ok(events.includes(fingerprint), 'the audit event records the certificate fingerprint');
    assert.ok(events.includes('O=Example,CN=app'), 'and its subject');
  });

  test('a SAN condition denies a certificate of the same principal with another SAN', async () => {
    const r = await post('TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext }, 'dev');
    assert.equal(r.status, 400);
    assert.equal(r.body['__type'], 'AccessDeniedException');
  });

  test('optional mode: a certificate from another CA is answered as unrecognized, no certificate as unauthenticated', async () => {
    const rogue = await post('TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext }, 'rogue');
    assert.equal(rogue.body['__type'], 'UnrecognizedClientException', JSON.stringify(rogue.body));
    const none = await post('TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext });
    assert.equal(none.body['__type'], 'MissingAuthenticationTokenException');
  });

  test('the AWS SDK signs as usual through an agent that presents a certificate', async () => {
    const httpsAgent = new Agent({ ca: file('ca.crt'), ...identity('dev') });
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials: admin.credentials!, requestHandler: new NodeHttpHandler({ httpsAgent, requestTimeout: 5000, connectionTimeout: 5000 }), maxAttempts: 1 });
    try {
      const out = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
      assert.ok(out.CiphertextBlob, 'the signature authenticates the admin; the certificate does not replace it');
    } finally {
      kms.destroy();
    }
    const events = JSON.stringify(await callOperation(admin, 'ArcaService.ListAuditEvents', { Limit: 5 }));
    assert.ok(events.includes(new X509Certificate(file('dev.crt')).fingerprint256), "the signed request's event records the certificate too");
  });

  test('STS with a certificate alone: GetCallerIdentity is the mapped user; AssumeRole into a role that trusts it gives ASIA credentials that sign', async () => {
    const who = await sts('Action=GetCallerIdentity&Version=2011-06-15', 'prod');
    assert.equal(who.status, 200, who.text);
    assert.match(who.text, /<Arn>arn:aws:iam::111122223333:user\/app<\/Arn>/);
    const trust = (arn: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }] });
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'lister', PrincipalType: 'role', AssumeRolePolicyDocument: trust('arn:aws:iam::111122223333:user/app') });
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'elsewhere', PrincipalType: 'role', AssumeRolePolicyDocument: trust('arn:aws:iam::111122223333:user/nobody') });
    const list = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:ListKeys', Resource: '*' }] };
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'lister', PolicyName: 'list', PolicyDocument: JSON.stringify(list) });
    const assume = (role: string) => sts(`Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(`arn:aws:iam::111122223333:role/${role}`)}&RoleSessionName=by-cert`, 'prod');

    const denied = await assume('elsewhere');
    assert.equal(denied.status, 403, denied.text);
    assert.match(denied.text, /<Code>AccessDenied<\/Code>/, 'a role whose trust policy names another principal');
    const assumed = await assume('lister');
    assert.equal(assumed.status, 200, assumed.text);
    const field = (name: string) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(assumed.text)?.[1] ?? '';
    assert.match(field('AccessKeyId'), /^ASIA/);
    assert.match(field('Arn'), /^arn:aws:sts::111122223333:assumed-role\/lister\/by-cert$/);
    // The session signs with SigV4 through an agent that presents no certificate (optional mode).
    const credentials = { accessKeyId: field('AccessKeyId'), secretAccessKey: field('SecretAccessKey'), sessionToken: field('SessionToken') };
    const kms = new KMSClient({ endpoint, region: 'us-east-1', credentials, requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca: file('ca.crt') }) }), maxAttempts: 1 });
    try {
      const keys = await kms.send(new ListKeysCommand({}));
      assert.ok(keys.Keys?.some((k) => k.KeyId === keyId), 'the role session lists the keys');
    } finally {
      kms.destroy();
    }
  });

  test('the arca CLI presents a certificate with --cert/--key and trusts --ca', async () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] };
    const input = JSON.stringify({ KeyId: keyId, Plaintext: plaintext });
    const args = [ARCA_BIN, 'call', 'TrentService.Encrypt', input, '--endpoint', endpoint, '--ca', join(dir, 'ca.crt')];
    // Asynchronously: the server answering the CLI runs in this process.
    const arca = (argv: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, argv, { env, encoding: 'utf8' }, (error, stdout, stderr) => resolve({ status: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }));
      });
    const ok = await arca([...args, '--cert', join(dir, 'prod.crt'), '--key', join(dir, 'prod.key')]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /CiphertextBlob/);
    const without = await arca(args);
    assert.equal(without.status, 1);
    assert.match(without.stderr, /MissingAuthenticationTokenException/);
  });

  test('required mode: no certificate, or one from another CA, is refused at the handshake', async () => {
    const strict = await start('required', 'required');
    await assert.rejects(post('TrentService.ListKeys', {}, undefined, strict));
    await assert.rejects(post('TrentService.ListKeys', {}, 'rogue', strict));
    const r = await post('TrentService.ListKeys', {}, 'prod', strict);
    assert.ok(r.status > 0, 'a verified certificate gets an answer (this server is not initialized)');
  });
});
