/**
 * The managed-key operations (ADR 0027) on PostgreSQL: registration (the import record written through a
 * registration token in the request's transaction), the alias rollback, the lifecycle tags and LocateKeys.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { ArcaCallError, callOperation, type ClientConfig } from '../../src/cli/client.js';
import { describeWithPostgres } from '../helpers/postgres.js';
import { initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

describeWithPostgres('managed keys on PostgreSQL (issue 22)', (cluster) => {
  const dir = tempDataDir();
  let node: SealedServer;
  let admin: ClientConfig;

  before(async () => {
    const url = cluster().url(await cluster().createDatabase());
    node = await startSealedServer(dir, { type: 'shamir' }, {}, { config: { storage: { type: 'postgres', url }, nodeName: 'mk' } });
    const init = await initialize(node, 1, 1);
    admin = init.admin;
    await unsealWith(node, init.shares);
  });
  after(async () => {
    await node.close().catch(() => undefined);
    removeDir(dir);
  });

  const call = (target: string, body: Record<string, unknown>) => callOperation(admin, target, body);
  const keyCount = async () => ((await call('TrentService.ListKeys', { Limit: 1000 }))['Keys'] as unknown[]).length;

  it('registers material that exports back and encrypts; an alias conflict leaves no key; revoke and locate work', async () => {
    const material = randomBytes(32);
    const created = await call('ArcaService.CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Material: material.toString('base64'), Exportable: true, Activate: true, Aliases: ['alias/pg-kmip'] });
    const keyId = String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    assert.equal((await call('ArcaService.ExportKeyMaterial', { KeyId: 'alias/pg-kmip' }))['Material'], material.toString('base64'));
    assert.equal(((await call('TrentService.DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Record<string, unknown>)['ExpirationModel'], 'KEY_MATERIAL_DOES_NOT_EXPIRE');
    const blob = (await call('TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('pg').toString('base64') }))['CiphertextBlob'];
    assert.equal(Buffer.from(String((await call('TrentService.Decrypt', { CiphertextBlob: blob }))['Plaintext']), 'base64').toString(), 'pg');

    const before = await keyCount();
    await assert.rejects(
      call('ArcaService.CreateManagedKey', { KeySpec: 'SYMMETRIC_DEFAULT', Material: randomBytes(32).toString('base64'), Aliases: ['alias/pg-fresh', 'alias/pg-kmip'] }),
      (e: unknown) => e instanceof ArcaCallError && e.type === 'AlreadyExistsException',
    );
    assert.equal(await keyCount(), before, 'no key left behind');
    const aliases = ((await call('TrentService.ListAliases', {}))['Aliases'] as { AliasName: string }[]).map((a) => a.AliasName);
    assert.ok(!aliases.includes('alias/pg-fresh'));

    await call('ArcaService.RevokeKey', { KeyId: keyId, RevocationReason: 'KeyCompromise' });
    const described = await call('ArcaService.DescribeManagedKey', { KeyId: keyId });
    assert.equal(described['Lifecycle'], 'Compromised');
    assert.deepEqual((await call('ArcaService.LocateKeys', { Lifecycle: 'Compromised' }))['KeyIds'], [keyId]);
    assert.deepEqual((await call('ArcaService.LocateKeys', { Exportable: true, Aliases: ['alias/pg-kmip'] }))['KeyIds'], [keyId]);
  });
});
