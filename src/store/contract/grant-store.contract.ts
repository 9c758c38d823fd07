import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { at, createKey, grantId, grantRecord, KEY, keyId, userArn, withStore, type StoreFactory } from './fixture.js';

/** The GrantStore port (core/ports.ts): grants of keys, oldest first, and grant chains deleted together. */
export function grantStoreContract(factory: StoreFactory): void {
  describe('GrantStore', () => {
    it('returns a created grant as stored, every member included; undefined when unknown', withStore(factory, async (s) => {
      await createKey(s);
      const g = grantRecord({
        name: 'n',
        granteePrincipalId: 'AIDAALICE',
        retiringPrincipal: userArn('bob'),
        retiringPrincipalId: 'AIDABOB',
        constraints: { encryptionContextSubset: { app: 'x' } },
        expiresAt: at(1),
        parentGrantId: grantId('f'),
      });
      await s.grants.createGrant(g);
      assert.deepEqual(await s.grants.getGrant(g.grantId), g);
      const plain = grantRecord({ grantId: grantId('b') });
      await s.grants.createGrant(plain);
      assert.deepEqual(await s.grants.getGrant(plain.grantId), plain);
      assert.equal(await s.grants.getGrant(grantId('9')), undefined);
    }));

    it('rejects a grant id that exists and keeps the first grant', withStore(factory, async (s) => {
      await createKey(s);
      await s.grants.createGrant(grantRecord({ name: 'first' }));
      await assert.rejects(s.grants.createGrant(grantRecord({ name: 'second' })));
      assert.equal((await s.grants.getGrant(grantId('a')))?.name, 'first');
    }));

    it('lists a key\'s grants oldest first, a page at a time, with the last grant of a page as the marker', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      // Ids out of order: the order is creation, not the id.
      for (const c of ['c', 'a', 'd', 'b']) await s.grants.createGrant(grantRecord({ grantId: grantId(c), keyId: c === 'd' ? keyId(2) : keyId(1) }));
      const first = await s.grants.listGrants(keyId(1), undefined, 2);
      assert.deepEqual(first.items.map((g) => g.grantId), [grantId('c'), grantId('a')]);
      assert.equal(first.next, grantId('a'));
      const second = await s.grants.listGrants(keyId(1), first.next, 2);
      assert.deepEqual(second.items.map((g) => g.grantId), [grantId('b')]);
      assert.equal(second.next, undefined);
      assert.deepEqual((await s.grants.grantsForKey(keyId(1))).map((g) => g.grantId), [grantId('c'), grantId('a'), grantId('b')]);
      assert.deepEqual((await s.grants.grantsForKey(keyId(2))).map((g) => g.grantId), [grantId('d')]);
      assert.deepEqual(await s.grants.grantsForKey(keyId(9)), []);
    }));

    it('an unknown marker gives an empty page', withStore(factory, async (s) => {
      await createKey(s);
      await s.grants.createGrant(grantRecord());
      assert.deepEqual(await s.grants.listGrants(KEY, grantId('9'), 10), { items: [], next: undefined });
      assert.deepEqual((await s.grants.listRetirableGrants(userArn('bob'), grantId('9'), 10)).items, []);
    }));

    it('lists the grants a principal may retire, across keys, oldest first, a page at a time', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      await s.grants.createGrant(grantRecord({ grantId: grantId('c'), keyId: keyId(1), retiringPrincipal: userArn('bob') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('a'), keyId: keyId(2), retiringPrincipal: userArn('bob') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('b'), keyId: keyId(1), retiringPrincipal: userArn('carol') }));
      const first = await s.grants.listRetirableGrants(userArn('bob'), undefined, 1);
      assert.deepEqual(first.items.map((g) => g.grantId), [grantId('c')]);
      assert.equal(first.next, grantId('c'));
      assert.deepEqual((await s.grants.listRetirableGrants(userArn('bob'), first.next, 1)).items.map((g) => g.grantId), [grantId('a')]);
    }));

    it('returns a grant to a service principal as stored: its service principals and SourceArn constraint (ADR 0021)', withStore(factory, async (s) => {
      await createKey(s);
      const source = 'arn:aws:logs:eu-west-1:111122223333:log-group:app';
      const g = grantRecord({
        granteePrincipal: 'logs.amazonaws.com',
        granteeServicePrincipal: 'logs.amazonaws.com',
        retiringServicePrincipal: 'logs.amazonaws.com',
        constraints: { sourceArn: source, encryptionContextSubset: { app: 'x' } },
      });
      await s.grants.createGrant(g);
      assert.deepEqual(await s.grants.getGrant(g.grantId), g);
      assert.deepEqual(await s.grants.grantsForKey(KEY), [g]);
      // The two kinds of retiring principal are listed apart: a service principal's name is no ARN.
      assert.deepEqual((await s.grants.listRetirableGrants('logs.amazonaws.com', undefined, 10)).items, []);
    }));

    it('lists the grants a service principal may retire, across keys, oldest first, a page at a time', withStore(factory, async (s) => {
      await createKey(s, keyId(1));
      await createKey(s, keyId(2));
      await s.grants.createGrant(grantRecord({ grantId: grantId('c'), keyId: keyId(1), retiringServicePrincipal: 'backup.arca.internal' }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('a'), keyId: keyId(2), retiringServicePrincipal: 'backup.arca.internal' }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('b'), keyId: keyId(1), retiringServicePrincipal: 'logs.amazonaws.com' }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('d'), keyId: keyId(1), retiringPrincipal: 'backup.arca.internal' }));
      const first = await s.grants.listServiceRetirableGrants('backup.arca.internal', undefined, 1);
      assert.deepEqual(first.items.map((g) => g.grantId), [grantId('c')]);
      assert.equal(first.next, grantId('c'));
      const second = await s.grants.listServiceRetirableGrants('backup.arca.internal', first.next, 1);
      assert.deepEqual(second.items.map((g) => g.grantId), [grantId('a')]);
      assert.equal(second.next, undefined);
      assert.deepEqual((await s.grants.listServiceRetirableGrants('logs.amazonaws.com', undefined, 10)).items.map((g) => g.grantId), [grantId('b')]);
      assert.deepEqual((await s.grants.listServiceRetirableGrants('backup.arca.internal', grantId('9'), 10)).items, []);
    }));

    it('deleting a grant deletes every grant created under it, and nothing else', withStore(factory, async (s) => {
      await createKey(s);
      await s.grants.createGrant(grantRecord({ grantId: grantId('a') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('b'), parentGrantId: grantId('a') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('c'), parentGrantId: grantId('b') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('e'), parentGrantId: grantId('b') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('d') }));
      await s.grants.deleteGrant(grantId('b'));
      assert.deepEqual((await s.grants.grantsForKey(KEY)).map((g) => g.grantId), [grantId('a'), grantId('d')]);
      await s.grants.deleteGrant(grantId('9'));
      await s.grants.deleteGrant(grantId('a'));
      assert.deepEqual((await s.grants.grantsForKey(KEY)).map((g) => g.grantId), [grantId('d')]);
    }));

    it('a failed unit of work undoes created and deleted grants', withStore(factory, async (s) => {
      await createKey(s);
      await s.grants.createGrant(grantRecord({ grantId: grantId('a') }));
      await s.grants.createGrant(grantRecord({ grantId: grantId('b'), parentGrantId: grantId('a') }));
      await assert.rejects(
        s.withTransaction(async () => {
          await s.grants.createGrant(grantRecord({ grantId: grantId('c') }));
          await s.grants.deleteGrant(grantId('a'));
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual((await s.grants.grantsForKey(KEY)).map((g) => g.grantId), [grantId('a'), grantId('b')]);
    }));
  });
}
