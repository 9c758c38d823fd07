import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WrappedRow } from '../../core/ports.js';
import { accessKeyRecord, at, createKey, KEY, keyRecord, keyVersion, principalRecord, T0, withStore, type StoreFixture } from './fixture.js';
import type { StoreFactory } from './fixture.js';

const sorted = (rows: readonly WrappedRow[]): WrappedRow[] => [...rows].sort((a, b) => `${a.kind}/${a.id}/${a.version}`.localeCompare(`${b.kind}/${b.id}/${b.version}`));

/**
 * Key material (versions 1 and 2), an access key, an unused import token and the audit signing key under
 * domain key 1; domain key 2 exists.
 */
async function wrappedSecrets(s: StoreFixture): Promise<void> {
  await s.keys.addDomainKey(2, Buffer.from('domain-key-2'));
  await createKey(s);
  await s.lifecycle.addVersion(keyVersion(KEY, 2), 'ON_DEMAND', 1);
  await s.principals.createPrincipal(principalRecord('alice'));
  await s.principals.createAccessKey(accessKeyRecord('AKIA1', 'AIDAALICE'));
  await s.keys.createKey(keyRecord({ id: 'ext', origin: 'EXTERNAL', state: 'PendingImport' }), undefined, []);
  await s.imports.putToken({
    tokenId: 't1',
    keyId: 'ext',
    wrappingKeySpec: 'RSA_2048',
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    wrappedPrivateKey: { domainKeyVersion: 1, wrapped: Buffer.from('token-key') },
    createdAt: T0,
    expiresAt: at(1),
  });
  await s.auditSigningKeys.putSigningKey(Buffer.from('audit-public'), { domainKeyVersion: 1, wrapped: Buffer.from('audit-private') });
}

/** The audit signing key's row id is the adapter's own (SQLite's row id, PostgreSQL's chain id): compared as '*'. */
const anyAuditId = (rows: readonly WrappedRow[]): WrappedRow[] => sorted(rows).map((r) => (r.kind === 'audit-signing-key' ? { ...r, id: '*' } : r));

const STALE: readonly WrappedRow[] = [
  { kind: 'access-key', id: 'AKIA1', version: 0, keyId: '', domainKeyVersion: 1, wrapped: Buffer.from('secret-AKIA1') },
  { kind: 'audit-signing-key', id: '*', version: 0, keyId: '', domainKeyVersion: 1, wrapped: Buffer.from('audit-private') },
  { kind: 'import-token', id: 't1', version: 0, keyId: 'ext', domainKeyVersion: 1, wrapped: Buffer.from('token-key') },
  { kind: 'key-material', id: KEY, version: 1, keyId: '', domainKeyVersion: 1, wrapped: keyVersion(KEY, 1).wrappedMaterial },
  { kind: 'key-material', id: KEY, version: 2, keyId: '', domainKeyVersion: 1, wrapped: keyVersion(KEY, 2).wrappedMaterial },
];

/** The RewrapStore port (core/ports.ts): every stored secret wrapped under an older domain key. */
export function rewrapStoreContract(factory: StoreFactory): void {
  describe('RewrapStore', () => {
    it('lists and counts every secret wrapped under another domain key version, of every kind', withStore(factory, async (s) => {
      await wrappedSecrets(s);
      assert.deepEqual(anyAuditId(await s.rewrap.listStale(2, 100)), STALE);
      assert.equal(await s.rewrap.countStale(2), 5);
      assert.deepEqual(await s.rewrap.listStale(1, 100), []);
      assert.equal(await s.rewrap.countStale(1), 0);
      assert.equal((await s.rewrap.listStale(2, 3)).length, 3, 'at most limit rows');
    }));

    it('replaces a wrapping only if the row is still as read, and the owner then reads the new wrapping', withStore(factory, async (s) => {
      await wrappedSecrets(s);
      for (const row of sorted(await s.rewrap.listStale(2, 100))) {
        assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from(`rewrapped-${row.id}-${row.version}`) }), true, row.kind);
        assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from('again') }), false, `${row.kind}: changed since read`);
      }
      assert.deepEqual(await s.rewrap.listStale(2, 100), []);
      assert.equal(await s.rewrap.countStale(2), 0);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 2), keyVersion(KEY, 2, { domainKeyVersion: 2, wrappedMaterial: Buffer.from(`rewrapped-${KEY}-2`) }));
      const ak = await s.principals.getAccessKey('AKIA1');
      assert.deepEqual([ak?.domainKeyVersion, ak?.wrappedSecret], [2, Buffer.from('rewrapped-AKIA1-0')]);
      assert.deepEqual((await s.imports.getToken('t1'))?.wrappedPrivateKey, { domainKeyVersion: 2, wrapped: Buffer.from('rewrapped-t1-0') });
      const audit = await s.auditSigningKeys.getSigningKey();
      assert.equal(audit?.wrapped.domainKeyVersion, 2);
      assert.match(audit?.wrapped.wrapped.toString() ?? '', /^rewrapped-.+-0$/);
      assert.deepEqual(audit?.publicKey, Buffer.from('audit-public'));
    }));

    it('leaves out used import tokens (their secret is erased) and answers false for a row that is gone', withStore(factory, async (s) => {
      await wrappedSecrets(s);
      await s.imports.importMaterial('t1', T0, keyVersion('ext', 1, { domainKeyVersion: 2 }), { keyId: 'ext', version: 1, fingerprint: Buffer.from('f'), expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', importedAt: T0 });
      assert.deepEqual(sorted(await s.rewrap.listStale(2, 100)).map((r) => r.kind), ['access-key', 'audit-signing-key', 'key-material', 'key-material']);
      await s.principals.deleteAccessKey('AKIA1');
      assert.equal(await s.rewrap.replaceWrapping(STALE[0]!, { domainKeyVersion: 2, wrapped: Buffer.from('x') }), false);
    }));

    it('a failed unit of work leaves the old wrapping', withStore(factory, async (s) => {
      await wrappedSecrets(s);
      await assert.rejects(
        s.withTransaction(async () => {
          for (const row of await s.rewrap.listStale(2, 100)) assert.equal(await s.rewrap.replaceWrapping(row, { domainKeyVersion: 2, wrapped: Buffer.from('new') }), true);
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(anyAuditId(await s.rewrap.listStale(2, 100)), STALE);
    }));
  });
}
