import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { KMS_V2_PROTO, PROTO_OPTIONS, KubernetesPluginListener } from '../../src/server/k8s-plugin.js';
import { removeDir, startDevServer, tempDataDir } from '../helpers/server.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { sqliteOf } from '../helpers/in-process.js';

/**
 * The Kubernetes KMS v2 plugin end to end (issue 21 part 3): `arca server` with `kubernetes:` configured,
 * a gRPC client built from the same api.proto with @grpc/proto-loader, as kube-apiserver would connect.
 */

type Msg = Record<string, unknown>;
interface KmsClient extends grpc.Client {
  [method: string]: unknown;
}

function client(socket: string): KmsClient {
  const pkg = grpc.loadPackageDefinition(loadSync(KMS_V2_PROTO, PROTO_OPTIONS));
  const Client = (pkg['v2'] as grpc.GrpcObject)['KeyManagementService'] as grpc.ServiceClientConstructor;
  return new Client(`unix://${socket}`, grpc.credentials.createInsecure()) as unknown as KmsClient;
}

function rpc(c: KmsClient, method: 'Status' | 'Encrypt' | 'Decrypt', request: Msg): Promise<Msg> {
  const fn = c[method] as (req: Msg, cb: (e: grpc.ServiceError | null, r: Msg) => void) => void;
  return new Promise((ok, fail) => fn.call(c, request, (e, r) => (e ? fail(e) : ok(r))));
}

async function rpcError(c: KmsClient, method: 'Encrypt' | 'Decrypt', request: Msg): Promise<grpc.ServiceError> {
  try {
    await rpc(c, method, request);
  } catch (e) {
    return e as grpc.ServiceError;
  }
  throw new Error(`${method} succeeded`);
}

const ACCOUNT = '111122223333';
const PLUGIN = 'k8s-plugin';
const PLUGIN_ARN = `arn:aws:iam::${ACCOUNT}:user/${PLUGIN}`;

function keyPolicy(pluginActions: readonly string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'KubernetesPlugin', Effect: 'Allow', Principal: { AWS: PLUGIN_ARN }, Action: [...pluginActions], Resource: '*' },
    ],
  });
}

describe('Kubernetes KMS v2 plugin', () => {
  const dir = tempDataDir('arca-k8s-');
  const socket = join(dir, 'kmsplugin', 'socket.sock');
  let server: SealedServer;
  let admin: ClientConfig;
  let shares: string[];
  let keyId: string;
  let kms: KmsClient;
  const uid = 'b8ea6a59-1c2b-4a55-9d0e-9b5f3d6f0a11';

  before(async () => {
    server = await startSealedServer(dir, { type: 'shamir' }, {}, { config: { kubernetes: { socket, key: 'alias/k8s-etcd', principal: PLUGIN } } });
    ({ shares, admin } = await initialize(server));
    await unsealWith(server, shares.slice(0, 3));
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: PLUGIN });
    const created = await callOperation(admin, 'TrentService.CreateKey', { Policy: keyPolicy(['kms:Encrypt', 'kms:Decrypt']) });
    keyId = String((created['KeyMetadata'] as Msg)['KeyId']);
    await callOperation(admin, 'TrentService.CreateAlias', { AliasName: 'alias/k8s-etcd', TargetKeyId: keyId });
    await server.app.kubernetesPlugin?.listen();
    kms = client(socket);
  });

  after(async () => {
    kms?.close();
    await server?.close();
    removeDir(dir);
  });

  let firstKeyId = '';
  let firstCiphertext: Buffer = Buffer.alloc(0);
  const dek = Buffer.from('0123456789abcdef0123456789abcdef');

  test('the socket is created with mode 0600', () => {
    const st = statSync(socket);
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  test('Status is ok and reports the key ARN with the current key material id', async () => {
    const status = await rpc(kms, 'Status', {});
    assert.equal(status['version'], 'v2');
    assert.equal(status['healthz'], 'ok');
    const describe = await callOperation(admin, 'TrentService.DescribeKey', { KeyId: keyId });
    const meta = describe['KeyMetadata'] as Msg;
    assert.equal(status['key_id'], `${String(meta['Arn'])}#${String(meta['CurrentKeyMaterialId'])}`);
    firstKeyId = String(status['key_id']);
  });

  test('Encrypt wraps a DEK, answers the same key_id and a valid annotation; Decrypt returns it', async () => {
    const out = await rpc(kms, 'Encrypt', { plaintext: dek, uid });
    assert.equal(out['key_id'], firstKeyId);
    firstCiphertext = out['ciphertext'] as Buffer;
    assert.ok(firstCiphertext.length > dek.length && firstCiphertext.length <= 1024, 'kube-apiserver takes an encrypted DEK of at most 1 KiB');
    assert.ok(!firstCiphertext.includes(dek));
    const annotations = out['annotations'] as Record<string, Buffer>;
    assert.deepEqual(Object.keys(annotations), ['format.kms.arca.dev']);
    const back = await rpc(kms, 'Decrypt', { ciphertext: firstCiphertext, uid: `${uid}-d`, key_id: firstKeyId, annotations });
    assert.deepEqual(back['plaintext'], dek);
  });

  test('the audit trail records each call as the plugin principal, with the request uid', () => {
    const rows = sqliteOf(server.app).prepare<[string], { event_name: string; body: string }>('SELECT event_name, body FROM audit_events WHERE body LIKE ?').all(`%${uid}%`);
    const byName = new Map(rows.map((r) => [r.event_name, JSON.parse(r.body) as Msg]));
    assert.deepEqual([...byName.keys()].sort(), ['Decrypt', 'Encrypt']);
    const encrypt = byName.get('Encrypt') ?? {};
    assert.equal((encrypt['userIdentity'] as Msg)['arn'], PLUGIN_ARN);
    assert.deepEqual(encrypt['additionalEventData'], { kubernetesCall: 'Encrypt', kubernetesUid: uid });
    assert.equal(encrypt['errorCode'], undefined);
    assert.equal(((byName.get('Decrypt') ?? {})['additionalEventData'] as Msg)['kubernetesKeyId'], firstKeyId);
    assert.ok(!rows.some((r) => r.body.includes(dek.toString('base64')) || r.body.includes(dek.toString('hex'))), 'no DEK in the trail');
  });

  test('after RotateKeyOnDemand, Status and Encrypt report a new key_id, and the old ciphertext still decrypts', async () => {
    await callOperation(admin, 'TrentService.RotateKeyOnDemand', { KeyId: keyId });
    const status = await rpc(kms, 'Status', {});
    assert.equal(status['healthz'], 'ok');
    assert.notEqual(status['key_id'], firstKeyId);
    assert.ok(String(status['key_id']).startsWith(`${firstKeyId.split('#')[0]}#`), 'same key ARN, new material id');
    const out = await rpc(kms, 'Encrypt', { plaintext: dek, uid });
    assert.equal(out['key_id'], status['key_id']);
    const old = await rpc(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: {} });
    assert.deepEqual(old['plaintext'], dek);
  });

  test('Decrypt refuses annotations kube-apiserver would refuse, and a tampered ciphertext, with INVALID_ARGUMENT', async () => {
    const bad = await rpcError(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: { 'kms.arca.dev/x': Buffer.from('1') } });
    assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
    assert.match(bad.details, /not a fully qualified domain name/);
    const big = await rpcError(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: { 'big.example.com': Buffer.alloc(33 * 1024) } });
    assert.equal(big.code, grpc.status.INVALID_ARGUMENT);
    assert.match(big.details, /over the limit of 32768/);
    const tampered = Buffer.from(firstCiphertext);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    assert.equal((await rpcError(kms, 'Decrypt', { ciphertext: tampered, uid, key_id: firstKeyId, annotations: {} })).code, grpc.status.INVALID_ARGUMENT);
    assert.equal((await rpcError(kms, 'Encrypt', { plaintext: Buffer.alloc(0), uid })).code, grpc.status.INVALID_ARGUMENT);
  });

  test('sealed: Status is not ok and Encrypt fails UNAVAILABLE; after unseal both work again', async () => {
    await callOperation(admin, 'ArcaService.Seal', {});
    const status = await rpc(kms, 'Status', {});
    assert.notEqual(status['healthz'], 'ok');
    assert.match(String(status['healthz']), /^Sealed: /);
    assert.ok(String(status['key_id']).length > 0, 'key_id stays non-empty');
    const sealed = await rpcError(kms, 'Encrypt', { plaintext: dek, uid });
    assert.equal(sealed.code, grpc.status.UNAVAILABLE);
    assert.equal((await rpcError(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: {} })).code, grpc.status.UNAVAILABLE);
    await unsealWith(server, shares.slice(0, 3));
    assert.equal((await rpc(kms, 'Status', {}))['healthz'], 'ok');
    assert.deepEqual((await rpc(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: {} }))['plaintext'], dek);
  });

  test('a disabled key: Status is not ok and Encrypt fails FAILED_PRECONDITION; enabled again, ok', async () => {
    await callOperation(admin, 'TrentService.DisableKey', { KeyId: keyId });
    const status = await rpc(kms, 'Status', {});
    assert.match(String(status['healthz']), /^KeyDisabled: /);
    assert.equal((await rpcError(kms, 'Encrypt', { plaintext: dek, uid })).code, grpc.status.FAILED_PRECONDITION);
    await callOperation(admin, 'TrentService.EnableKey', { KeyId: keyId });
    assert.equal((await rpc(kms, 'Status', {}))['healthz'], 'ok');
  });

  test('a key pending deletion: Status is not ok and Encrypt fails FAILED_PRECONDITION; cancelled and enabled, ok', async () => {
    await callOperation(admin, 'TrentService.ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    assert.match(String((await rpc(kms, 'Status', {}))['healthz']), /^InvalidKeyState: .*pending deletion/i);
    assert.equal((await rpcError(kms, 'Encrypt', { plaintext: dek, uid })).code, grpc.status.FAILED_PRECONDITION);
    await callOperation(admin, 'TrentService.CancelKeyDeletion', { KeyId: keyId });
    await callOperation(admin, 'TrentService.EnableKey', { KeyId: keyId });
    assert.equal((await rpc(kms, 'Status', {}))['healthz'], 'ok');
  });

  test('a key policy without kms:Encrypt for the plugin principal: Encrypt is PERMISSION_DENIED, Decrypt still works', async () => {
    await callOperation(admin, 'TrentService.PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: keyPolicy(['kms:Decrypt']) });
    const denied = await rpcError(kms, 'Encrypt', { plaintext: dek, uid: 'denied-uid-1' });
    assert.equal(denied.code, grpc.status.PERMISSION_DENIED);
    assert.match(denied.details, /^AccessDenied: .*k8s-plugin.*kms:Encrypt/);
    assert.match(String((await rpc(kms, 'Status', {}))['healthz']), /^AccessDenied: /);
    assert.deepEqual((await rpc(kms, 'Decrypt', { ciphertext: firstCiphertext, uid, key_id: firstKeyId, annotations: {} }))['plaintext'], dek);
    const row = sqliteOf(server.app).prepare<[string], { body: string }>('SELECT body FROM audit_events WHERE body LIKE ?').get('%denied-uid-1%');
    assert.equal((JSON.parse(row?.body ?? '{}') as Msg)['errorCode'], 'AccessDenied', 'the refusal is audited with its uid');
    await callOperation(admin, 'TrentService.PutKeyPolicy', { KeyId: keyId, PolicyName: 'default', Policy: keyPolicy(['kms:Encrypt', 'kms:Decrypt']) });
  });

  test('the principal is looked up on every call: once deleted, calls fail UNAUTHENTICATED and Status says why', async () => {
    await callOperation(admin, 'ArcaService.DeletePrincipal', { PrincipalName: PLUGIN });
    const refused = await rpcError(kms, 'Encrypt', { plaintext: dek, uid });
    assert.equal(refused.code, grpc.status.UNAUTHENTICATED);
    assert.match(String((await rpc(kms, 'Status', {}))['healthz']), /^UnrecognizedClient: /);
  });

  test('close removes the socket', async () => {
    const plugin = server.app.kubernetesPlugin;
    assert.ok(plugin !== undefined);
    await plugin.close();
    assert.equal(existsSync(socket), false);
  });
});

describe('arca dev --k8s-socket', () => {
  test('serves the plugin as the dev admin on the given key, and SIGTERM removes the socket', async () => {
    const dir = tempDataDir('arca-k8s-dev-');
    const socket = join(dir, 'kms.sock');
    const dev = await startDevServer({ dataDir: join(dir, 'data'), args: ['--k8s-socket', socket, '--k8s-key', 'alias/dev-k8s'] });
    const kms = client(socket);
    try {
      assert.match(String((await rpc(kms, 'Status', {}))['healthz']), /^KeyNotFound: /, 'the key does not exist yet');
      const config = { endpoint: dev.endpoint, region: dev.credentials.region, credentials: dev.credentials };
      const created = await callOperation(config, 'TrentService.CreateKey', {});
      await callOperation(config, 'TrentService.CreateAlias', { AliasName: 'alias/dev-k8s', TargetKeyId: String((created['KeyMetadata'] as Msg)['KeyId']) });
      assert.equal((await rpc(kms, 'Status', {}))['healthz'], 'ok');
      const out = await rpc(kms, 'Encrypt', { plaintext: Buffer.from('dek'), uid: 'dev-uid' });
      assert.deepEqual((await rpc(kms, 'Decrypt', { ciphertext: out['ciphertext'], uid: 'dev-uid', key_id: out['key_id'], annotations: out['annotations'] }))['plaintext'], Buffer.from('dek'));
      kms.close();
      assert.equal(await dev.stop(), 0);
      assert.equal(existsSync(socket), false, 'the socket is removed at shutdown');
    } finally {
      kms.close();
      await dev.stop();
      removeDir(dir);
    }
  });
});

describe('Kubernetes plugin socket file', () => {
  const noop = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  const pipeline = { handle: () => Promise.reject(new Error('not called')) };

  test('a stale socket left by a killed process is replaced; a live one and a regular file are refused', async () => {
    const dir = tempDataDir('arca-k8s-sock-');
    const path = join(dir, 'stale.sock');
    // A process that binds the socket and dies (SIGKILL: execFileSync throws) without removing it.
    assert.throws(() => execFileSync(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`], { stdio: 'ignore' }));
    try {
      assert.ok(statSync(path).isSocket(), 'the stale socket file is there');
      const first = new KubernetesPluginListener({ socket: path, key: 'k', principal: 'p' }, pipeline, noop);
      await first.listen();
      const second = new KubernetesPluginListener({ socket: path, key: 'k', principal: 'p' }, pipeline, noop);
      await assert.rejects(second.listen(), /in use by a running process/);
      await first.close();
      assert.equal(existsSync(path), false);
      const file = join(dir, 'not-a-socket');
      writeFileSync(file, 'data');
      await assert.rejects(new KubernetesPluginListener({ socket: file, key: 'k', principal: 'p' }, pipeline, noop).listen(), /is not a socket/);
      assert.equal(existsSync(file), true, 'a regular file is never removed');
    } finally {
      removeDir(dir);
    }
  });
});
