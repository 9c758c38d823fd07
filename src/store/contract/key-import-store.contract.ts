import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ImportTokenRecord, KeyImportRecord } from '../../core/key-import.js';
import { at, KEY, keyId, keyRecord, keyVersion, T0, withStore, type StoreFactory, type StoreFixture } from './fixture.js';

const token = (tokenId: string, over: Partial<ImportTokenRecord> = {}): ImportTokenRecord => ({
  tokenId,
  keyId: KEY,
  wrappingKeySpec: 'RSA_2048',
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  wrappedPrivateKey: { domainKeyVersion: 1, wrapped: Buffer.from(`wrapping-private-key-${tokenId}`) },
  createdAt: T0,
  expiresAt: at(1),
  usedAt: undefined,
  ...over,
});

const imported = (over: Partial<KeyImportRecord> = {}): KeyImportRecord => ({
  keyId: KEY,
  fingerprint: Buffer.from('fingerprint-1'),
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  validTo: undefined,
  importedAt: T0,
  description: undefined,
  ...over,
});

/** An EXTERNAL key awaiting its material. */
async function externalKey(s: StoreFixture, id = KEY): Promise<void> {
  await s.keys.createKey(keyRecord({ id, origin: 'EXTERNAL', state: 'PendingImport' }), undefined, []);
}

/** The KeyImportStore port (core/key-import.ts): single-use import tokens and imported material. */
export function keyImportStoreContract(factory: StoreFactory): void {
  describe('KeyImportStore', () => {
    it('returns a stored token as put; undefined when unknown', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      assert.deepEqual(await s.imports.getToken('t1'), token('t1'));
      assert.equal(await s.imports.getToken('t2'), undefined);
      assert.equal(await s.imports.getImport(KEY), undefined);
    }));

    it('importMaterial uses the token once, erasing its wrapping key, stores the version, records the import and enables the key', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      assert.equal(await s.imports.importMaterial('t1', at(0.5), keyVersion(KEY, 1), imported()), true);
      const used = await s.imports.getToken('t1');
      assert.deepEqual(used?.usedAt, at(0.5));
      assert.equal(used?.wrappedPrivateKey.wrapped.length, 0, 'a used token keeps no wrapping private key');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.deepEqual(await s.imports.getImport(KEY), imported());
      assert.equal((await s.keys.getKey(KEY))?.state, 'Enabled');
      assert.equal(await s.imports.importMaterial('t1', at(0.6), keyVersion(KEY, 1, { wrappedMaterial: Buffer.from('other') }), imported()), false, 'a used token');
      assert.equal(await s.imports.importMaterial('unknown', at(0.6), keyVersion(KEY, 1), imported()), false, 'an unknown token');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1), 'a refused import changes nothing');
    }));

    it('a re-import replaces the material, the expiry and the description but keeps the first fingerprint; a Disabled key stays Disabled', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.putToken(token('t2'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      await s.keys.updateKey(KEY, { state: 'Disabled' });
      const again = imported({ fingerprint: Buffer.from('fingerprint-2'), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(9), importedAt: at(1), description: 'second' });
      const material = keyVersion(KEY, 1, { wrappedMaterial: Buffer.from('re-imported') });
      assert.equal(await s.imports.importMaterial('t2', at(1), material, again), true);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), material);
      assert.deepEqual(await s.imports.getImport(KEY), { ...again, fingerprint: Buffer.from('fingerprint-1') });
      assert.equal((await s.keys.getKey(KEY))?.state, 'Disabled');
    }));

    it('lists keys whose imported material expired, not those awaiting import or without expiry', withStore(factory, async (s) => {
      for (const n of [1, 2, 3]) {
        await externalKey(s, keyId(n));
        await s.imports.putToken(token(`t${n}`, { keyId: keyId(n) }));
      }
      await s.imports.importMaterial('t1', T0, keyVersion(keyId(1), 1), imported({ keyId: keyId(1), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(5) }));
      await s.imports.importMaterial('t2', T0, keyVersion(keyId(2), 1), imported({ keyId: keyId(2) }));
      await s.imports.importMaterial('t3', T0, keyVersion(keyId(3), 1), imported({ keyId: keyId(3), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(9) }));
      assert.deepEqual(await s.imports.expiredMaterial(at(4)), []);
      assert.deepEqual(await s.imports.expiredMaterial(at(5)), [keyId(1)]);
      assert.deepEqual([...(await s.imports.expiredMaterial(at(10)))].sort(), [keyId(1), keyId(3)]);
      await s.imports.deleteMaterial(keyId(1));
      assert.deepEqual(await s.imports.expiredMaterial(at(10)), [keyId(3)], 'deleted material is no longer listed');
    }));

    it('deleteMaterial removes every version and sets the key PendingImport; the import record stays', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      assert.equal(await s.imports.deleteMaterial(KEY), true);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport');
      assert.deepEqual((await s.imports.getImport(KEY))?.fingerprint, Buffer.from('fingerprint-1'));
    }));

    it('deleteMaterial with expiredBy deletes only material still expired then (a re-import in between wins)', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(5) }));
      assert.equal(await s.imports.deleteMaterial(KEY, at(4)), false, 'not expired yet');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.equal((await s.keys.getKey(KEY))?.state, 'Enabled');
      assert.equal(await s.imports.deleteMaterial(KEY, at(5)), true);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
    }));

    it('a failed unit of work leaves the token unused, the key without material and no import record', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await assert.rejects(
        s.withTransaction(async () => {
          assert.equal(await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported()), true);
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(await s.imports.getToken('t1'), token('t1'));
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.equal(await s.imports.getImport(KEY), undefined);
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport');
    }));
  });
}
