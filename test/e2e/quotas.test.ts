/**
 * Issue 16: request quotas like AWS's, on a real `arca server` process. A principal over its rate gets
 * ThrottlingException (as the AWS SDK reports it) while another principal is unaffected; SIGHUP reloads
 * the quotas from the configuration file without a restart.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { stringify } from 'yaml';
import { startChild, type Child } from '../../bench/lib/processes.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

const ADMIN = 'arn:aws:iam::111122223333:user/admin';
const config = (symmetricPerSecond: number) => ({
  listen: '127.0.0.1:0',
  tls: { enabled: false },
  quotas: { perPrincipal: { symmetric: symmetricPerSecond, management: 5 }, principals: { [ADMIN]: { management: 1000 } } },
});

describe('request quotas on arca server (issue 16)', () => {
  const dir = tempDataDir();
  const file = join(dir, 'arca.yaml');
  let server: Child;
  let admin: ClientConfig;
  let keyId: string;
  const clients: Record<string, KMSClient> = {};

  before(async () => {
    writeFileSync(file, stringify({ ...config(5), dataDir: join(dir, 'data') }));
    server = await startChild(process.execPath, [ARCA_BIN, 'server', '--config', file], { pattern: /listening on (http:\/\/\S+)/, name: 'arca server' });
    const anonymous = { endpoint: server.endpoint, region: 'us-east-1' };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    const adminKms = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: admin.credentials as { accessKeyId: string; secretAccessKey: string }, maxAttempts: 1 });
    keyId = String((await adminKms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId);
    adminKms.destroy();
    for (const name of ['alice', 'bob']) {
      await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: name });
      const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] };
      await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: name, PolicyName: 'encrypt', PolicyDocument: JSON.stringify(policy) });
      const key = (await callOperation(admin, 'ArcaService.CreateAccessKey', { PrincipalName: name }))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
      clients[name] = new KMSClient({ endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }, maxAttempts: 1 });
    }
  });

  after(async () => {
    for (const c of Object.values(clients)) c.destroy();
    await server?.stop();
    removeDir(dir);
  });

  /** Sends `n` Encrypts at once as `name`; the error names of the failures. */
  const burst = async (name: string, n: number): Promise<{ ok: number; errors: string[] }> => {
    const kms = clients[name] as KMSClient;
    const results = await Promise.allSettled(Array.from({ length: n }, () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }))));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [`${(r.reason as Error).name}: ${(r.reason as Error).message}`] : []));
    return { ok: results.length - errors.length, errors };
  };

  it('a principal over its rate gets ThrottlingException (Rate exceeded); another principal is unaffected', async () => {
    const alice = await burst('alice', 20);
    assert.ok(alice.ok >= 5 && alice.ok < 20, `alice: ${alice.ok} of 20 went through`);
    assert.ok(alice.errors.every((e) => e === 'ThrottlingException: Rate exceeded'), alice.errors.join('; '));
    const bob = await burst('bob', 5);
    assert.deepEqual(bob.errors, [], 'bob has his own quota');
  });

  it('SIGHUP reloads the quotas from the file: a raised rate applies without a restart', async () => {
    writeFileSync(file, stringify({ ...config(1000), dataDir: join(dir, 'data') }));
    const logged = server.output().length;
    server.process.kill('SIGHUP');
    for (const deadline = Date.now() + 10_000; !server.output().slice(logged).includes('configuration reloaded') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    assert.match(server.output().slice(logged), /configuration reloaded/);
    const alice = await burst('alice', 30);
    assert.deepEqual(alice.errors, []);
    // An invalid file is refused and the running quotas stay.
    writeFileSync(file, 'quotas: { perPrincipal: { symmetric: -1 } }\n');
    server.process.kill('SIGHUP');
    for (const deadline = Date.now() + 10_000; !server.output().includes('configuration reload refused') && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    assert.match(server.output(), /configuration reload refused/);
    assert.deepEqual((await burst('alice', 30)).errors, []);
  });
});
