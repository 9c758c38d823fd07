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
  version: 1,
  fingerprint: Buffer.from('fingerprint-1'),
  expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  validTo: undefined,
  importedAt: T0,
  description: undefined,
  rotatedAt: undefined,
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

    it('a re-import replaces the material, the expiry and the description; a Disabled key stays Disabled', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.putToken(token('t2'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      await s.keys.updateKey(KEY, { state: 'Disabled' });
      const again = imported({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(9), importedAt: at(1), description: 'second' });
      const material = keyVersion(KEY, 1, { wrappedMaterial: Buffer.from('re-imported') });
      assert.equal(await s.imports.importMaterial('t2', at(1), material, again), true);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), material);
      assert.deepEqual(await s.imports.getImport(KEY), again);
      assert.equal((await s.keys.getKey(KEY))?.state, 'Disabled');
    }));

    it('an import into a generation recorded with another fingerprint (two imports of new material racing) changes nothing', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.putToken(token('t2'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      const other = keyVersion(KEY, 1, { wrappedMaterial: Buffer.from('other material') });
      assert.equal(await s.imports.importMaterial('t2', at(1), other, imported({ fingerprint: Buffer.from('fingerprint-2'), importedAt: at(1) })), false);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.deepEqual(await s.imports.getImport(KEY), imported());
      assert.deepEqual(await s.imports.getToken('t2'), token('t2'), 'the token stays unused');
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
      assert.deepEqual(await s.imports.expiredMaterial(at(5)), [{ keyId: keyId(1), version: 1 }]);
      assert.deepEqual([...(await s.imports.expiredMaterial(at(10)))].map((e) => e.keyId).sort(), [keyId(1), keyId(3)]);
      await s.imports.deleteMaterial(keyId(1), 1);
      assert.deepEqual(await s.imports.expiredMaterial(at(10)), [{ keyId: keyId(3), version: 1 }], 'deleted material is no longer listed');
    }));

    it('deleteMaterial removes the current version and sets the key PendingImport; the import record stays', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      assert.equal(await s.imports.deleteMaterial(KEY, 1), true);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport');
      assert.deepEqual((await s.imports.getImport(KEY))?.fingerprint, Buffer.from('fingerprint-1'));
    }));

    it('deleteMaterial with expiredBy deletes only material still expired then (a re-import in between wins)', withStore(factory, async (s) => {
      await externalKey(s);
      await s.imports.putToken(token('t1'));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(5) }));
      assert.equal(await s.imports.deleteMaterial(KEY, 1, at(4)), false, 'not expired yet');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.equal((await s.keys.getKey(KEY))?.state, 'Enabled');
      assert.equal(await s.imports.deleteMaterial(KEY, 1, at(5)), true);
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
    }));

    it('generations: NEW material waits as a version above the primary, rotateToImported makes it primary; each has its own record', withStore(factory, async (s) => {
      await externalKey(s);
      for (const n of [1, 2, 3]) await s.imports.putToken(token(`t${n}`));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported({ description: 'first' }));
      const second = imported({ version: 2, fingerprint: Buffer.from('fingerprint-2'), expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(9), importedAt: at(1), description: 'second' });
      assert.equal(await s.imports.importMaterial('t2', at(1), keyVersion(KEY, 2), second), true);
      assert.equal((await s.keys.getKey(KEY))?.primaryVersion, 1, 'pending rotation: not the primary version yet');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1), 'the current material stays');
      assert.deepEqual(await s.imports.getImport(KEY), imported({ description: 'first' }), 'by default the primary version\'s record');
      assert.deepEqual(await s.imports.getImport(KEY, 2), second);
      assert.deepEqual(await s.imports.listImports(KEY), [{ ...imported({ description: 'first' }), imported: true }, { ...second, imported: true }]);
      assert.equal(await s.imports.rotateToImported(KEY, 2, 2, at(2)), false, 'the primary version is no longer the one expected');
      assert.equal(await s.imports.rotateToImported(KEY, 3, 1, at(2)), false, 'no such generation');
      assert.equal(await s.imports.rotateToImported(KEY, 2, 1, at(2)), true);
      assert.equal((await s.keys.getKey(KEY))?.primaryVersion, 2);
      assert.deepEqual(await s.imports.getImport(KEY), { ...second, rotatedAt: at(2) });
      assert.equal(await s.imports.rotateToImported(KEY, 2, 1, at(3)), false, 'already rotated');
      // A re-import of the older generation changes its record only, and it has no rotation date.
      const again = imported({ importedAt: at(3), description: 'again' });
      assert.equal(await s.imports.importMaterial('t3', at(3), keyVersion(KEY, 1, { wrappedMaterial: Buffer.from('re-imported') }), again), true);
      assert.deepEqual(await s.imports.getImport(KEY, 1), again);
      assert.deepEqual(await s.imports.getImport(KEY, 2), { ...second, rotatedAt: at(2) }, 'the other generation is untouched');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 2), keyVersion(KEY, 2));
    }));

    it('deleting one generation keeps the others; a permanently associated one sets PendingImport until every one is imported again', withStore(factory, async (s) => {
      await externalKey(s);
      for (const n of [1, 2, 3, 4]) await s.imports.putToken(token(`t${n}`));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      await s.imports.importMaterial('t2', T0, keyVersion(KEY, 2), imported({ version: 2 }));
      await s.imports.rotateToImported(KEY, 2, 1, at(1));
      assert.equal(await s.imports.deleteMaterial(KEY, 1), true, 'the NON_CURRENT generation');
      assert.equal(await s.keys.getKeyVersion(KEY, 1), undefined);
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 2), keyVersion(KEY, 2), 'the current generation stays');
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport');
      assert.deepEqual((await s.imports.listImports(KEY)).map((g) => [g.version, g.imported]), [[1, false], [2, true]]);
      await s.imports.deleteMaterial(KEY, 2);
      await s.imports.importMaterial('t3', at(2), keyVersion(KEY, 2), imported({ version: 2 }));
      assert.equal((await s.keys.getKey(KEY))?.state, 'PendingImport', 'generation 1 is still missing');
      await s.imports.importMaterial('t4', at(2), keyVersion(KEY, 1), imported());
      assert.equal((await s.keys.getKey(KEY))?.state, 'Enabled', 'every generation is imported again');
    }));

    it('a generation pending rotation: deleting it leaves the key Enabled, and new material replaces it; expiry is per generation', withStore(factory, async (s) => {
      await externalKey(s);
      for (const n of [1, 2, 3]) await s.imports.putToken(token(`t${n}`));
      await s.imports.importMaterial('t1', T0, keyVersion(KEY, 1), imported());
      await s.imports.importMaterial('t2', T0, keyVersion(KEY, 2), imported({ version: 2, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: at(5) }));
      assert.deepEqual(await s.imports.expiredMaterial(at(5)), [{ keyId: KEY, version: 2 }], 'only the expired generation');
      assert.equal(await s.imports.deleteMaterial(KEY, 2, at(5)), true);
      assert.equal((await s.keys.getKey(KEY))?.state, 'Enabled', 'material pending rotation is not permanently associated');
      assert.deepEqual(await s.keys.getKeyVersion(KEY, 1), keyVersion(KEY, 1));
      assert.deepEqual(await s.imports.expiredMaterial(at(9)), [], 'deleted material is no longer listed');
      assert.equal(await s.imports.rotateToImported(KEY, 2, 1, at(6)), false, 'no material to rotate to');
      await s.imports.importMaterial('t3', at(6), keyVersion(KEY, 3), imported({ version: 3, fingerprint: Buffer.from('fingerprint-3') }));
      assert.deepEqual((await s.imports.listImports(KEY)).map((g) => [g.version, g.imported]), [[1, true], [3, true]], 'the deleted pending generation is replaced');
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
