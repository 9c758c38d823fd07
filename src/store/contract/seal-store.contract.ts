import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SealRecord } from '../../core/ports.js';
import { at, T0, withStore, type StoreFactory } from './fixture.js';

const record = (over: Partial<SealRecord> = {}): SealRecord => ({
  kind: 'shamir',
  shares: 5,
  threshold: 3,
  shareSetId: Buffer.from('share-set-1'),
  wrappedRoot: Buffer.from('wrapped-root-1'),
  initializedAt: T0,
  ...over,
});

/** The SealStore port (core/ports.ts): one seal record, created or replaced whole. */
export function sealStoreContract(factory: StoreFactory): void {
  describe('SealStore', () => {
    it('has no record until one is put, then returns it as stored', withStore(factory, async (s) => {
      assert.equal(await s.seal.getSealRecord(), undefined);
      assert.equal(await s.seal.putSealRecord(record(), undefined), true);
      assert.deepEqual(await s.seal.getSealRecord(), record());
    }));

    it('a put replacing the current share set (rekey) replaces the whole record', withStore(factory, async (s) => {
      await s.seal.putSealRecord(record(), undefined);
      const rekeyed = record({ kind: 'pkcs11', shares: 0, threshold: 0, shareSetId: Buffer.from('set-2'), wrappedRoot: Buffer.alloc(0), initializedAt: at(1) });
      assert.equal(await s.seal.putSealRecord(rekeyed, record().shareSetId), true);
      assert.deepEqual(await s.seal.getSealRecord(), rekeyed);
    }));

    it('compare-and-set: a second initialize, or a rekey of a share set already replaced, writes nothing', withStore(factory, async (s) => {
      assert.equal(await s.seal.putSealRecord(record(), undefined), true);
      assert.equal(await s.seal.putSealRecord(record({ shareSetId: Buffer.from('other-node'), wrappedRoot: Buffer.from('other-root') }), undefined), false);
      const rekeyed = record({ shareSetId: Buffer.from('set-2'), wrappedRoot: Buffer.from('wrapped-root-2') });
      assert.equal(await s.seal.putSealRecord(rekeyed, record().shareSetId), true);
      assert.equal(await s.seal.putSealRecord(record({ shareSetId: Buffer.from('set-3') }), record().shareSetId), false, 'a rekey from the stale set 1 lost the race');
      assert.deepEqual(await s.seal.getSealRecord(), rekeyed);
    }));

    it('a failed unit of work leaves the previous record', withStore(factory, async (s) => {
      await s.seal.putSealRecord(record(), undefined);
      await assert.rejects(
        s.withTransaction(async () => {
          await s.seal.putSealRecord(record({ shares: 7, threshold: 4 }), record().shareSetId);
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(await s.seal.getSealRecord(), record());
    }));
  });
}
