import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CustomKeyStoreKeyLink, CustomKeyStoreRecord } from '../../core/custom-key-stores.js';
import { KmsError } from '../../core/errors.js';
import type { HsmKeyStoreConnection } from '../../core/hsm-keys.js';
import { checkCustomKeyStoreParams, customKeyStoreMembers, destroyCustomKeyStoreKey, type CustomKeyStoreJobDeps } from './custom-key-store-key.js';

const hsmStore: CustomKeyStoreRecord = {
  id: 'cks-00000000000000001', region: 'us-east-1', name: 'hsm', type: 'AWS_CLOUDHSM', createdAt: new Date(0), connect: true,
  hsm: { clusterId: 'cluster-1a23b4cdefg', trustAnchorCertificate: '' }, secret: { domainKeyVersion: 1, wrapped: Buffer.alloc(1) },
};

/** An HSM session whose only working call is destroyKey. */
function sessionWith(destroyKey: (label: string) => Promise<boolean>): HsmKeyStoreConnection {
  const unused = async (): Promise<never> => {
    throw new Error('not used');
  };
  return { generateKey: unused, hasKey: unused, encrypt: unused, decrypt: unused, destroyKey, close: async () => undefined };
}

function fakes(session: Pick<HsmKeyStoreConnection, 'destroyKey'> | undefined) {
  const links = new Map<string, CustomKeyStoreKeyLink>([['k1', { keyId: 'k1', storeId: hsmStore.id, externalKeyId: 'k1' }]]);
  const warnings: Record<string, unknown>[] = [];
  const destroyed: string[] = [];
  const deps: CustomKeyStoreJobDeps = {
    store: { keyLink: async (id) => links.get(id), getStore: async (id) => (id === hsmStore.id ? hsmStore : undefined), unlinkKey: async (id) => void links.delete(id) },
    hsmSession: () => session && sessionWith(async (label) => (destroyed.push(label), session.destroyKey(label))),
  };
  const logger = { debug: () => undefined, info: () => undefined, warn: (_m: string, f?: Record<string, unknown>) => void warnings.push(f ?? {}), error: () => undefined };
  return { deps, links, warnings, destroyed, logger };
}

describe('keys in custom key stores: CreateKey parameters, metadata members, destruction', () => {
  it('refuses the parameter combinations AWS refuses, before any store is read', () => {
    const base = { keySpec: 'SYMMETRIC_DEFAULT' as const, keyUsage: 'ENCRYPT_DECRYPT' as const, multiRegion: false };
    const code = (req: Parameters<typeof checkCustomKeyStoreParams>[0]) => {
      try {
        checkCustomKeyStoreParams(req);
        return 'ok';
      } catch (e) {
        return e instanceof KmsError ? e.code : 'other';
      }
    };
    assert.equal(code({ ...base, origin: 'AWS_KMS' }), 'ok');
    assert.equal(code({ ...base, origin: 'AWS_KMS', customKeyStoreId: hsmStore.id }), 'ValidationFailed');
    assert.equal(code({ ...base, origin: 'EXTERNAL', xksKeyId: 'x' }), 'ValidationFailed');
    assert.equal(code({ ...base, origin: 'AWS_CLOUDHSM' }), 'ValidationFailed');
    assert.equal(code({ ...base, origin: 'AWS_CLOUDHSM', customKeyStoreId: hsmStore.id, xksKeyId: 'x' }), 'ValidationFailed');
    assert.equal(code({ ...base, origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: hsmStore.id }), 'ValidationFailed');
    assert.equal(code({ ...base, origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: hsmStore.id, xksKeyId: 'x' }), 'ok');
    assert.equal(code({ ...base, origin: 'EXTERNAL_KEY_STORE', customKeyStoreId: hsmStore.id, xksKeyId: 'x', multiRegion: true }), 'UnsupportedOperation');
    assert.equal(code({ ...base, origin: 'AWS_CLOUDHSM', customKeyStoreId: hsmStore.id, keySpec: 'RSA_2048' }), 'UnsupportedOperation');
  });

  it('shows CustomKeyStoreId with CloudHsmClusterId or XksKeyConfiguration', () => {
    assert.deepEqual(customKeyStoreMembers(hsmStore, 'k1'), { CustomKeyStoreId: hsmStore.id, CloudHsmClusterId: 'cluster-1a23b4cdefg' });
    const xks = { ...hsmStore, type: 'EXTERNAL_KEY_STORE' as const, hsm: undefined };
    assert.deepEqual(customKeyStoreMembers(xks, 'ext-1'), { CustomKeyStoreId: hsmStore.id, XksKeyConfiguration: { Id: 'ext-1' } });
    assert.deepEqual(customKeyStoreMembers(undefined, 'ext-1'), {});
  });

  it('destroys the HSM key of a destroyed key when the store is connected, and unlinks it', async () => {
    const t = fakes({ destroyKey: async () => true });
    assert.deepEqual(await destroyCustomKeyStoreKey(t.deps, 'k1', t.logger), { customKeyStoreId: hsmStore.id, hsmKeyDestroyed: true });
    assert.deepEqual(t.destroyed, ['k1']);
    assert.equal(t.links.size, 0);
    assert.deepEqual(t.warnings, []);
  });

  it('leaves orphaned key material when the store is not connected (as AWS does): warned, reported, unlinked anyway', async () => {
    const t = fakes(undefined);
    assert.deepEqual(await destroyCustomKeyStoreKey(t.deps, 'k1', t.logger), { customKeyStoreId: hsmStore.id, hsmKeyDestroyed: false });
    assert.equal(t.links.size, 0);
    assert.equal(t.warnings[0]?.['label'], 'k1');
    const failing = fakes({ destroyKey: async () => { throw new Error('token gone'); } });
    assert.deepEqual(await destroyCustomKeyStoreKey(failing.deps, 'k1', failing.logger), { customKeyStoreId: hsmStore.id, hsmKeyDestroyed: false });
    assert.deepEqual(await destroyCustomKeyStoreKey(failing.deps, 'no-link', failing.logger), {});
  });
});
