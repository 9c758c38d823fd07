import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  DeleteCustomKeyStoreCommand,
  DescribeCustomKeyStoresCommand,
  DisconnectCustomKeyStoreCommand,
  GenerateRandomCommand,
  UpdateCustomKeyStoreCommand,
  type CustomKeyStoresListEntry,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { openHsmClusters } from '../../src/server/hsm-clusters.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { hasOpenssl, makeCa } from '../helpers/pki.js';
import { removeDir } from '../helpers/server.js';
import { createSoftHsmToken, softHsmMissing, type SoftHsmToken } from '../helpers/softhsm.js';

/**
 * AWS_CLOUDHSM-shaped key stores through the AWS SDK against the dev app, on a REAL SoftHSM2 token
 * configured as an HSM cluster (`hsmClusters:`, docs/hsm-key-stores.md): the store's password is the
 * token's user PIN; connecting logs in, disconnecting logs out.
 */
const missing = softHsmMissing() ?? (hasOpenssl ? undefined : 'openssl is not installed (trust anchor certificate)');
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(`SoftHSM2 and openssl are required in CI: ${missing}`);
if (missing !== undefined) process.stdout.write(`# skipping the HSM custom key store tests: ${missing}\n`);

const CLUSTER = 'cluster-softhsmstore';
const PIN = 'kmsuser-pin-1';

describe('HSM custom key stores through the AWS SDK (SoftHSM2)', { skip: missing }, () => {
  let token: SoftHsmToken;
  let server: InProcessServer;
  let kms: KMSClient;
  let anchor: string;
  const describeStore = async (id: string): Promise<CustomKeyStoresListEntry> => (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores?.[0] ?? assert.fail('no entry');

  before(async () => {
    token = createSoftHsmToken('arca-cks-e2e', PIN);
    makeCa(token.dir, 'anchor');
    anchor = readFileSync(join(token.dir, 'anchor.crt'), 'utf8');
    const hsmClusters = openHsmClusters({ hsmClusters: [{ clusterId: CLUSTER, module: token.module, tokenLabel: token.label }] });
    server = await startInProcess({ hsmClusters });
    kms = kmsClient(server);
  });
  after(async () => {
    kms?.destroy();
    await server?.close();
    if (token !== undefined) removeDir(token.dir);
  });

  it('create → connect (a login to the token) → CONNECTED → GenerateRandom → disconnect → delete', async () => {
    const { CustomKeyStoreId: id } = await kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'softhsm', CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: anchor, KeyStorePassword: PIN }));
    assert.ok(id !== undefined);
    const created = await describeStore(id);
    assert.equal(created.CustomKeyStoreType, 'AWS_CLOUDHSM');
    assert.equal(created.CloudHsmClusterId, CLUSTER);
    assert.equal(created.TrustAnchorCertificate, anchor);
    assert.equal(created.ConnectionState, 'DISCONNECTED');
    await expectKmsError(kms.send(new GenerateRandomCommand({ NumberOfBytes: 32, CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException', 400);
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const connected = await describeStore(id);
    assert.equal(connected.ConnectionState, 'CONNECTED', `error code: ${connected.ConnectionErrorCode}`);
    const random = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32, CustomKeyStoreId: id }));
    assert.equal(random.Plaintext?.length, 32);
    await expectKmsError(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException', 400);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id)).ConnectionState, 'DISCONNECTED');
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('a wrong password reads FAILED INVALID_CREDENTIALS; the right one connects again', async () => {
    const { CustomKeyStoreId: id } = await kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'wrong-pin', CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: anchor, KeyStorePassword: 'not-the-pin' }));
    assert.ok(id !== undefined);
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const failed = await describeStore(id);
    assert.equal(failed.ConnectionState, 'FAILED');
    assert.equal(failed.ConnectionErrorCode, 'INVALID_CREDENTIALS');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: PIN }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id)).ConnectionState, 'CONNECTED');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  it('an unknown cluster is CloudHsmClusterNotFoundException; a bad trust anchor IncorrectTrustAnchorException', async () => {
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'nowhere', CloudHsmClusterId: 'cluster-notconfigured', TrustAnchorCertificate: anchor, KeyStorePassword: PIN })), 'CloudHsmClusterNotFoundException', 400);
    await expectKmsError(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'bad-anchor', CloudHsmClusterId: CLUSTER, TrustAnchorCertificate: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----', KeyStorePassword: PIN })), 'IncorrectTrustAnchorException', 400);
  });
});
