import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Logger } from '../../src/core/ports.js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { loadServerConfig } from '../../src/server/config.js';
import { createServerApp, type ServerApp } from '../../src/server/server-app.js';
import { hasOpenssl, issue, makeCa } from '../helpers/pki.js';
import { PYKMIP_MISSING, pythonFile } from '../helpers/pykmip.js';
import { REPO_ROOT, removeDir, tempDataDir } from '../helpers/server.js';
import { PROFILE_CASES } from './kmip-profile-cases.js';

/**
 * PyKMIP's client (Debian python3-pykmip) against Arca's KMIP listener over mutual TLS (issue 22): the
 * client certificate maps to an Arca principal through `identity.certificates`, and every operation is
 * authorized by that principal's policies and recorded in the audit trail.
 */
const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const CLIENT = join(REPO_ROOT, 'test', 'fixtures', 'kmip', 'pykmip-client.py');
type Outcome = Record<string, unknown>;

const skip = PYKMIP_MISSING !== false ? PYKMIP_MISSING : hasOpenssl ? false : 'openssl not installed';

describe('KMIP: PyKMIP client over mutual TLS', { skip }, () => {
  const dir = tempDataDir('arca-kmip-');
  let app: ServerApp;
  let admin: ClientConfig;
  let kmipPort = 0;
  let awsKey = '';
  let signKey = '';
  const file = (name: string) => join(dir, name);

  const run = async (scenario: string, client: string, version: string, extra: Record<string, unknown> = {}): Promise<Outcome> => {
    const args = { host: '127.0.0.1', port: kmipPort, cert: file(`${client}.crt`), key: file(`${client}.key`), ca: file('ca.crt'), version, scenario, awsKey, signKey, ...extra };
    return JSON.parse(await pythonFile(CLIENT, JSON.stringify(args))) as Outcome;
  };
  const events = async (): Promise<Record<string, unknown>[]> => (await callOperation(admin, 'ArcaService.ListAuditEvents', { Limit: 200 }))['Events'] as Record<string, unknown>[];

  before(async () => {
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
      kmip: { listen: '127.0.0.1:0', clientCa: file('ca.crt'), exportableByDefault: true },
      identity: { certificates: [{ match: { subject: 'O=Example,CN=kmip-app' }, principal: 'kmip-app' }, { match: { subject: 'O=Example,CN=kmip-reader' }, principal: 'kmip-reader' }] },
    };
    const loaded = loadServerConfig(JSON.stringify(config), {});
    assert.ok(loaded.ok, JSON.stringify(loaded));
    app = await createServerApp({ config: loaded.config, logger: quiet, env: {} });
    await new Promise<void>((ok) => app.server.listen(0, '127.0.0.1', ok));
    assert.ok(app.kmipListener, 'kmip: starts the KMIP listener');
    await app.kmipListener.listen();
    kmipPort = app.kmipListener.address.port;
    const address = app.server.address();
    const endpoint = `https://localhost:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const anonymous: ClientConfig = { endpoint, region: 'us-east-1', tls: { ca: readFileSync(file('ca.crt')) } };
    const init = await callOperation(anonymous, 'ArcaService.InitializeRoot', { Shares: 1, Threshold: 1 });
    await callOperation(anonymous, 'ArcaService.Unseal', { Share: String((init['UnsealShares'] as string[])[0]) });
    admin = { ...anonymous, credentials: { accessKeyId: String(init['AdminAccessKeyId']), secretAccessKey: String(init['AdminSecretAccessKey']) } };
    const allow = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] });
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'kmip-app' });
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'kmip-app', PolicyName: 'kmip', PolicyDocument: allow(['kms:*', 'arca:*']) });
    await callOperation(admin, 'ArcaService.CreatePrincipal', { PrincipalName: 'kmip-reader' });
    await callOperation(admin, 'ArcaService.PutPrincipalPolicy', { PrincipalName: 'kmip-reader', PolicyName: 'read', PolicyDocument: allow(['kms:DescribeKey', 'kms:ListKeys', 'arca:DescribeManagedKey']) });
    awsKey = String(((await callOperation(admin, 'TrentService.CreateKey', { Description: 'made through the AWS API' }))['KeyMetadata'] as Outcome)['KeyId']);
    signKey = String(((await callOperation(admin, 'TrentService.CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))['KeyMetadata'] as Outcome)['KeyId']);
  });
  after(async () => {
    await app?.close();
    removeDir(dir);
  });

  for (const version of ['1.2', '2.0']) {
    test(`KMIP ${version}: create, register, get, locate, activate, revoke, destroy, encrypt and decrypt`, async () => {
      const out = await run('lifecycle', 'app', version, { prefix: `pykmip-${version.replace('.', '')}` });
      const uid = String(out['uid']);
      assert.match(uid, /^[0-9a-f-]{36}$/, JSON.stringify(out));
      assert.deepEqual(out['state_after_create'], { State: 'PRE_ACTIVE' }, 'a created key waits for Activate');
      assert.equal(out['activate'], 'ok');
      const attrs = out['attributes'] as Outcome;
      assert.equal(attrs['State'], 'ACTIVE');
      assert.equal(attrs['Cryptographic Algorithm'], 'AES');
      assert.equal(attrs['Cryptographic Length'], 256);
      assert.deepEqual(attrs['Name'], [`pykmip-${version.replace('.', '')}-created`]);
      assert.ok((out['attribute_list'] as string[]).includes('Cryptographic Usage Mask'));
      assert.deepEqual(out['located_by_name'], [uid]);
      assert.equal(out['decrypt'], 'hello over kmip');
      assert.equal(out['get_created'], 32, 'an exportable key (kmip.exportableByDefault) gives its 32 bytes');
      assert.equal(out['get_registered'], Buffer.from(Array.from({ length: 32 }, (_, i) => i)).toString('hex'), 'Get returns the registered material');
      assert.equal(out['decrypt_registered'], 'registered');
      assert.equal((out['destroy_active'] as Outcome)['error'], 'PERMISSION_DENIED', 'an Active key is not destroyed');
      assert.equal(out['revoke'], 'ok');
      assert.deepEqual(out['state_after_revoke'], { State: 'DEACTIVATED' });
      assert.equal((out['activate_revoked'] as Outcome)['error'], 'PERMISSION_DENIED', 'a revoked key cannot be activated again');
      assert.equal((out['decrypt_after_revoke'] as Outcome)['error'], 'PERMISSION_DENIED', 'a deactivated key does not decrypt');
      assert.equal(out['destroy'], 'ok');
      assert.deepEqual(out['state_after_destroy'], { State: 'DESTROYED' });
      assert.equal((out['get_destroyed'] as Outcome)['error'], 'PERMISSION_DENIED', 'a destroyed key gives no material');
      assert.equal((out['get_missing'] as Outcome)['error'], 'ITEM_NOT_FOUND');
      assert.equal((out['get_not_exportable'] as Outcome)['error'], 'NOT_EXTRACTABLE', 'a key made through the AWS API is never exportable');
      assert.equal((out['encrypt_with_cbc'] as Outcome)['error'], 'INVALID_FIELD');
      // Visible through the AWS API: the created key, its alias and its KMIP lifecycle tag.
      const described = (await callOperation(admin, 'TrentService.DescribeKey', { KeyId: `alias/pykmip-${version.replace('.', '')}-created` }))['KeyMetadata'] as Outcome;
      assert.equal(described['KeyId'], uid);
      assert.equal(described['KeyState'], 'PendingDeletion');
      // Every KMIP operation is an audit event of the mapped principal, with the KMIP operation's name.
      const mine = (await events()).filter((e) => JSON.stringify(e).includes(uid));
      const kmipOps = new Set(mine.map((e) => (e['additionalEventData'] as Outcome | undefined)?.['kmipOperation']));
      for (const op of ['Create', 'Activate', 'Encrypt', 'Decrypt', 'Get', 'Revoke', 'Destroy']) assert.ok(kmipOps.has(op), `${op} is audited (${[...kmipOps].join(', ')})`);
      assert.ok(mine.every((e) => JSON.stringify(e['userIdentity']).includes('kmip-app')), 'as the principal the certificate maps to');
    });
  }

  test(`the profiles' mandatory test cases PyKMIP can express: ${PROFILE_CASES.map((c) => c.id).join(', ')}`, async () => {
    const out = await run('cases', 'app', '1.4', { cases: PROFILE_CASES });
    for (const c of PROFILE_CASES) {
      const results = out[c.id] as { status: string; value?: unknown; reason?: string; message?: string }[];
      assert.equal(results.length, c.steps.length, c.id);
      c.steps.forEach((step, i) => {
        const got = results[i];
        const where = `${c.id} step ${i + 1} (${step.op}): ${JSON.stringify(got)}`;
        assert.equal(got?.status, step.expect, where);
        if (step.value !== undefined) assert.deepEqual(got?.value, step.value, where);
      });
    }
  });

  test('a principal allowed to read only is refused Create and Get with Permission Denied, and audited', async () => {
    const out = await run('denied', 'reader', '1.2');
    assert.equal((out['create'] as Outcome)['error'], 'PERMISSION_DENIED', JSON.stringify(out));
    assert.equal((out['get'] as Outcome)['error'], 'PERMISSION_DENIED');
    const refused = (await events()).filter((e) => e['errorCode'] === 'AccessDeniedException' && JSON.stringify(e['userIdentity']).includes('kmip-reader'));
    assert.ok(refused.length >= 2, 'both refusals are recorded');
  });

  test('a certificate that maps to no principal is refused Authentication Not Successful', async () => {
    const out = await run('denied', 'stranger', '1.2');
    assert.equal((out['create'] as Outcome)['error'], 'AUTHENTICATION_NOT_SUCCESSFUL', JSON.stringify(out));
  });

  test('a certificate of another CA, or none, never gets a TLS session', async () => {
    for (const client of ['rogue', undefined]) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: kmipPort, ca: readFileSync(file('ca.crt')), servername: 'localhost', ...(client === undefined ? {} : { cert: readFileSync(file(`${client}.crt`)), key: readFileSync(file(`${client}.key`)) }) });
        socket.on('secureConnect', () => socket.write(Buffer.alloc(8)));
        socket.on('data', () => resolve('answered'));
        socket.on('error', () => resolve('refused'));
        socket.on('close', () => resolve('refused'));
      });
      assert.equal(outcome, 'refused', `${client ?? 'no certificate'}: the connection is closed without an answer`);
    }
  });
});
