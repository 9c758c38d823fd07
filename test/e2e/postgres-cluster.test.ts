/**
 * Issue 14: two `arca server` nodes (this process, loopback, TLS off) on one real PostgreSQL database.
 * Every node serves every request, a change acknowledged by one node applies to the next request on the
 * other, each node has its own seal and its own audit chain, and a restarted node finds everything.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, ListAliasesCommand, type KMSClient } from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } from '@aws-crypto/client-node';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

const CLI = new URL('../../../bin/arca', import.meta.url).pathname;

function runCli(args: readonly string[], env: Record<string, string>, program: string = process.execPath): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(program, program === process.execPath ? [CLI, ...args] : [...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, out: `${stdout}${stderr}` });
    });
  });
}
describeWithPostgres('two Arca nodes on one PostgreSQL database (issue 14)', (cluster) => {
  let url: string;
  const dirs: string[] = [];
  const nodes: SealedServer[] = [];
  let shares: string[];
  let admin: ClientConfig;

  const startNode = async (name: string): Promise<SealedServer> => {
    const dir = tempDataDir();
    dirs.push(dir);
    const node = await startSealedServer(dir, { type: 'shamir' }, {}, { config: { storage: { type: 'postgres', url }, nodeName: name } });
    nodes.push(node);
    return node;
  };
  const sdk = (node: SealedServer): KMSClient => kmsClient({ endpoint: node.endpoint, credentials: { ...(admin.credentials as { accessKeyId: string; secretAccessKey: string }), region: 'us-east-1', endpoint: node.endpoint } });

  before(async () => {
    url = cluster().url(await cluster().createDatabase());
  });

  after(async () => {
    for (const n of nodes) await n.close().catch(() => undefined);
    for (const d of dirs) removeDir(d);
  });

  it('each node unseals with the shares of the one root; a sealed node answers 503 while the other serves', async () => {
    const a = await startNode('node-a');
    const b = await startNode('node-b');
    ({ shares, admin } = await initialize(a, 3, 2));
    await unsealWith(a, shares.slice(0, 2));
    const seenByB = await b.app.sealing.currentStatus();
    assert.equal(seenByB.initialized, true, 'node B sees the root initialized by node A');
    assert.equal(seenByB.sealed, true, 'node B stays sealed until it gets its own shares');
    await assert.rejects(initialize(b), /already initialized/, 'a second initialization through node B is refused');
    const kmsB = sdk(b);
    await expectKmsError(kmsB.send(new CreateKeyCommand({})), 'KMSInternalException', 503);
    await unsealWith(b, shares.slice(0, 2));
    assert.equal(b.app.sealing.status().sealed, false);
    kmsB.destroy();
  });

  it('a key made on one node encrypts on the other; DisableKey on A is refused on B at its next Encrypt', async () => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const kmsA = sdk(a);
    const kmsB = sdk(b);
    try {
      const key = (await kmsA.send(new CreateKeyCommand({ Description: 'cluster' }))).KeyMetadata?.KeyId;
      assert.ok(key !== undefined);
      await kmsA.send(new CreateAliasCommand({ AliasName: 'alias/cluster', TargetKeyId: key }));
      const blob = (await kmsB.send(new EncryptCommand({ KeyId: 'alias/cluster', Plaintext: Buffer.from('across nodes') }))).CiphertextBlob;
      const plain = (await kmsA.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext;
      assert.equal(Buffer.from(plain ?? []).toString(), 'across nodes');
      assert.ok((await kmsB.send(new ListAliasesCommand({ KeyId: key }))).Aliases?.some((x) => x.AliasName === 'alias/cluster'));

      await kmsA.send(new DisableKeyCommand({ KeyId: key }));
      await expectKmsError(kmsB.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })), 'DisabledException', 400);
      await kmsB.send(new EnableKeyCommand({ KeyId: key }));
      await kmsA.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    } finally {
      kmsA.destroy();
      kmsB.destroy();
    }
  });

  it('arca operator status lists both nodes, unsealed, with exactly one scheduler leader', async () => {
    const b = nodes[1] as SealedServer;
    const creds = admin.credentials as { accessKeyId: string; secretAccessKey: string };
    const r = await runCli(['operator', 'status', '--endpoint', b.endpoint, '--output', 'json'], { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: 'us-east-1' });
    assert.equal(r.code, 0, r.out);
    const status = JSON.parse(r.out) as { ThisNode: string; Nodes: { Name: string; Status: string; Sealed: boolean; Leader: boolean }[] };
    assert.equal(status.ThisNode, 'node-b');
    assert.deepEqual(status.Nodes.map((n) => [n.Name, n.Status, n.Sealed]), [['node-a', 'up', false], ['node-b', 'up', false]]);
    assert.equal(status.Nodes.filter((n) => n.Leader).length, 1, JSON.stringify(status.Nodes));
  });

  it('each node writes its own audit chain; each verifies, and neither holds the other one\'s requests', async () => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const chains = await Promise.all([a, b].map((n) => n.app.auditTrail.chainId()));
    assert.notEqual(chains[0], chains[1]);
    const creds = admin.credentials as { accessKeyId: string; secretAccessKey: string };
    for (const n of [a, b]) {
      // `arca audit verify` as a user runs it; spawned asynchronously, since this process serves the nodes.
      const r = await runCli(['audit', 'verify', '--endpoint', n.endpoint], { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: 'us-east-1' });
      assert.equal(r.code, 0, `arca audit verify against ${n.endpoint}: ${r.out}`);
    }
    const names = async (n: SealedServer) => (await n.app.audit.list(100_000)).map((e) => e.eventName);
    assert.ok((await names(a)).includes('DisableKey'));
    assert.ok(!(await names(b)).includes('DisableKey'), 'node B did not serve DisableKey');
    assert.ok((await names(b)).includes('Unseal'));
  });

  it('the AWS CLI and the AWS Encryption SDK work through either node: what one encrypts, the other decrypts', async (t) => {
    const [a, b] = nodes as [SealedServer, SealedServer];
    const creds = admin.credentials as { accessKeyId: string; secretAccessKey: string };
    const env = { AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: 'us-east-1', AWS_PAGER: '', HOME: process.env['HOME'] ?? '/tmp' };
    const aws = cliOrSkip(t);
    if (aws !== undefined) {
      const enc = await runCli(['kms', 'encrypt', '--endpoint-url', a.endpoint, '--key-id', 'alias/cluster', '--plaintext', Buffer.from('via the CLI').toString('base64'), '--query', 'CiphertextBlob', '--output', 'text'], env, aws);
      assert.equal(enc.code, 0, enc.out);
      const dec = await runCli(['kms', 'decrypt', '--endpoint-url', b.endpoint, '--ciphertext-blob', enc.out.trim(), '--query', 'Plaintext', '--output', 'text'], env, aws);
      assert.equal(dec.code, 0, dec.out);
      assert.equal(Buffer.from(dec.out.trim(), 'base64').toString(), 'via the CLI');
    }
    const keyArn = (await callOperation({ ...admin, endpoint: a.endpoint }, 'TrentService.DescribeKey', { KeyId: 'alias/cluster' }))['KeyMetadata'] as { Arn: string };
    const supplier = (node: SealedServer) => getClient(KMS, { endpoint: node.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    const plaintext = Buffer.from('via the Encryption SDK, '.repeat(100));
    const { result } = await encrypt(new KmsKeyringNode({ generatorKeyId: keyArn.Arn, clientProvider: supplier(a) }), plaintext, { encryptionContext: { tenant: 'acme' } });
    const { plaintext: back, messageHeader } = await decrypt(new KmsKeyringNode({ keyIds: [keyArn.Arn], clientProvider: supplier(b) }), result);
    assert.ok(Buffer.from(back).equals(plaintext));
    assert.equal(messageHeader.encryptionContext['tenant'], 'acme');
  });

  it('a node restarted under its name continues its chain and serves the keys made before', async () => {
    const a = nodes[0] as SealedServer;
    const before = (await a.app.audit.list(100_000)).length;
    const chain = a.app.auditTrail.chainId();
    await a.close();
    nodes.shift();
    const again = await startNode('node-a');
    await unsealWith(again, shares.slice(1, 3));
    assert.equal(again.app.auditTrail.chainId(), chain);
    assert.ok((await again.app.audit.list(100_000)).length > before);
    const kms = sdk(again);
    try {
      await kms.send(new EncryptCommand({ KeyId: 'alias/cluster', Plaintext: Buffer.from('after restart') }));
    } finally {
      kms.destroy();
    }
  });

  it('a second live node with the same name is refused before it serves', async () => {
    await assert.rejects(startNode('node-b'), /node-b/);
  });
});
