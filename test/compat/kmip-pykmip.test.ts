import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { startKmipServer, type KmipServer } from '../helpers/kmip-server.js';
import { hasOpenssl } from '../helpers/pki.js';
import { PYKMIP_MISSING, pythonFile } from '../helpers/pykmip.js';
import { REPO_ROOT } from '../helpers/server.js';
import { PROFILE_CASES } from './kmip-profile-cases.js';

/**
 * PyKMIP's client (Debian python3-pykmip) against Arca's KMIP listener over mutual TLS (issue 22): the
 * client certificate maps to an Arca principal through `identity.certificates`, and every operation is
 * authorized by that principal's policies and recorded in the audit trail.
 */
const CLIENT = join(REPO_ROOT, 'test', 'fixtures', 'kmip', 'pykmip-client.py');
type Outcome = Record<string, unknown>;

const skip = PYKMIP_MISSING !== false ? PYKMIP_MISSING : hasOpenssl ? false : 'openssl not installed';

describe('KMIP: PyKMIP client over mutual TLS', { skip }, () => {
  let server: KmipServer;
  let admin: ClientConfig;
  let awsKey = '';
  let signKey = '';

  const run = async (scenario: string, client: string, version: string, extra: Record<string, unknown> = {}): Promise<Outcome> => {
    const args = { host: '127.0.0.1', port: server.port, cert: server.file(`${client}.crt`), key: server.file(`${client}.key`), ca: server.file('ca.crt'), version, scenario, awsKey, signKey, ...extra };
    return JSON.parse(await pythonFile(CLIENT, JSON.stringify(args))) as Outcome;
  };
  const events = async (): Promise<Record<string, unknown>[]> => (await callOperation(admin, 'ArcaService.ListAuditEvents', { Limit: 1000 }))['Events'] as Record<string, unknown>[];

  before(async () => {
    server = await startKmipServer({ exportableByDefault: true });
    admin = server.admin;
    // A key made through the AWS API whose key policy even lets the account export: it still is not exportable.
    const exportPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['kms:*', 'arca:*'], Resource: '*' }] };
    awsKey = String(((await callOperation(admin, 'TrentService.CreateKey', { Description: 'made through the AWS API', Policy: JSON.stringify(exportPolicy) }))['KeyMetadata'] as Outcome)['KeyId']);
    signKey = String(((await callOperation(admin, 'TrentService.CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))['KeyMetadata'] as Outcome)['KeyId']);
  });
  after(async () => {
    await server?.close();
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
      assert.equal((out['get_missing'] as Outcome)['error'], 'PERMISSION_DENIED', 'a key that does not exist is refused like a forbidden one (no existence oracle)');
      assert.equal((out['get_not_exportable'] as Outcome)['error'], 'NOT_EXTRACTABLE', 'a key made through the AWS API is never exportable');
      assert.equal((out['encrypt_with_cbc'] as Outcome)['error'], 'INVALID_FIELD');
      // Visible through the AWS API: the created key, its alias and its KMIP lifecycle tag.
      const described = (await callOperation(admin, 'TrentService.DescribeKey', { KeyId: `alias/pykmip-${version.replace('.', '')}-created` }))['KeyMetadata'] as Outcome;
      assert.equal(described['KeyId'], uid);
      assert.equal(described['KeyState'], 'PendingDeletion');
      // Every KMIP operation is an audit event of the mapped principal, with the KMIP operation's name.
      const mine = (await events()).filter((e) => JSON.stringify(e).includes(uid) && (e['additionalEventData'] as Outcome | undefined)?.['kmipOperation'] !== undefined);
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
        if (step.expectReason !== undefined) assert.equal(got?.reason, step.expectReason, where);
      });
    }
  });

  test('a principal allowed to read only is refused Create and Get with Permission Denied, and audited', async () => {
    const out = await run('denied', 'reader', '1.2');
    assert.equal((out['create'] as Outcome)['error'], 'PERMISSION_DENIED', JSON.stringify(out));
    assert.equal((out['get'] as Outcome)['error'], 'PERMISSION_DENIED');
    const refused = (await events()).filter((e) => e['errorCode'] === 'AccessDenied' && JSON.stringify(e['userIdentity']).includes('kmip-reader'));
    assert.ok(refused.length >= 2, 'both refusals are recorded');
  });

  test('a certificate that maps to no principal is refused Authentication Not Successful', async () => {
    const out = await run('denied', 'stranger', '1.2');
    assert.equal((out['create'] as Outcome)['error'], 'AUTHENTICATION_NOT_SUCCESSFUL', JSON.stringify(out));
  });

  test('a certificate of another CA, or none, never gets a TLS session', async () => {
    for (const client of ['rogue', undefined]) {
      const outcome = await new Promise<string>((resolve) => {
        const socket = server.connect(client);
        socket.on('secureConnect', () => socket.write(Buffer.alloc(8)));
        socket.on('data', () => resolve('answered'));
        socket.on('error', () => resolve('refused'));
        socket.on('close', () => resolve('refused'));
      });
      assert.equal(outcome, 'refused', `${client ?? 'no certificate'}: the connection is closed without an answer`);
    }
  });
});
