import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accessKeyRecord, at, createKey, grantRecord, KEY, principalRecord, T0, userArn, withStore, type StoreFactory } from './fixture.js';

/** The PrincipalStore port (core/ports.ts): principals, access keys, principal tags and identity policies. */
export function principalStoreContract(factory: StoreFactory): void {
  describe('PrincipalStore: principals', () => {
    it('finds a created principal by id and by name; undefined when unknown', withStore(factory, async (s) => {
      const alice = principalRecord('alice');
      await s.principals.createPrincipal(alice);
      assert.deepEqual(await s.principals.getPrincipal(alice.id), alice);
      assert.deepEqual(await s.principals.findPrincipalByName('alice'), alice);
      assert.equal(await s.principals.getPrincipal('AIDANOBODY'), undefined);
      assert.equal(await s.principals.findPrincipalByName('nobody'), undefined);
    }));

    it('rejects a taken name or id and keeps the first principal', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice', 'AIDA1'));
      await assert.rejects(s.principals.createPrincipal(principalRecord('alice', 'AIDA2')));
      await assert.rejects(s.principals.createPrincipal({ ...principalRecord('bob', 'AIDA1') }));
      assert.equal(await s.principals.getPrincipal('AIDA2'), undefined);
      assert.equal(await s.principals.findPrincipalByName('bob'), undefined);
      assert.equal((await s.principals.findPrincipalByName('alice'))?.id, 'AIDA1');
    }));

    it('lists principals by name, a page at a time, with the last name of a page as the marker', withStore(factory, async (s) => {
      for (const name of ['carol', 'alice', 'bob']) await s.principals.createPrincipal(principalRecord(name));
      const first = await s.principals.listPrincipals(undefined, 2);
      assert.deepEqual(first.items.map((p) => p.name), ['alice', 'bob']);
      assert.equal(first.next, 'bob');
      const second = await s.principals.listPrincipals(first.next, 2);
      assert.deepEqual(second.items.map((p) => p.name), ['carol']);
      assert.equal(second.next, undefined);
    }));

    it('deleting a principal removes its access keys, tags and policies, and nobody else\'s', withStore(factory, async (s) => {
      for (const name of ['alice', 'bob']) {
        const p = principalRecord(name);
        await s.principals.createPrincipal(p);
        await s.principals.createAccessKey(accessKeyRecord(`AKIA${name.toUpperCase()}`, p.id));
        await s.principals.putPrincipalTags(p.id, [{ key: 'team', value: name }]);
        await s.principals.putPrincipalPolicy(p.id, 'p', '{}', T0);
      }
      await s.principals.deletePrincipal('AIDAALICE');
      assert.equal(await s.principals.getPrincipal('AIDAALICE'), undefined);
      assert.equal(await s.principals.getAccessKey('AKIAALICE'), undefined);
      assert.deepEqual(await s.principals.listPrincipalTags('AIDAALICE'), []);
      assert.deepEqual(await s.principals.listPrincipalPolicies('AIDAALICE'), []);
      assert.equal((await s.principals.getAccessKey('AKIABOB'))?.principalId, 'AIDABOB');
      assert.deepEqual(await s.principals.listPrincipalTags('AIDABOB'), [{ key: 'team', value: 'bob' }]);
      assert.equal((await s.principals.listPrincipalPolicies('AIDABOB')).length, 1);
    }));

    it('binds key-policy and grant references to an ARN nobody held to the first principal created with it, and never rebinds them', withStore(factory, async (s) => {
      await createKey(s);
      await s.keys.putPolicyPrincipals(KEY, { [userArn('alice')]: null, [userArn('bob')]: 'AIDABOB' });
      await s.grants.createGrant(grantRecord({ retiringPrincipal: userArn('alice') }));
      await s.principals.createPrincipal(principalRecord('alice', 'AIDAALICE1'));
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), { [userArn('alice')]: 'AIDAALICE1', [userArn('bob')]: 'AIDABOB' });
      const bound = (await s.grants.grantsForKey(KEY))[0];
      assert.deepEqual([bound?.granteePrincipalId, bound?.retiringPrincipalId], ['AIDAALICE1', 'AIDAALICE1']);
      // A deleted and recreated principal of the same name has a new id and inherits nothing (DESIGN §3).
      await s.principals.deletePrincipal('AIDAALICE1');
      await s.principals.createPrincipal(principalRecord('alice', 'AIDAALICE2'));
      assert.equal((await s.keys.getPolicyPrincipals(KEY))[userArn('alice')], 'AIDAALICE1');
      assert.equal((await s.grants.grantsForKey(KEY))[0]?.granteePrincipalId, 'AIDAALICE1');
      assert.equal((await s.principals.findPrincipalByName('alice'))?.id, 'AIDAALICE2');
    }));

    it('binds only the references to its own ARN, and only the unbound side of a grant', withStore(factory, async (s) => {
      await createKey(s);
      await s.grants.createGrant(grantRecord({ granteePrincipal: userArn('bob'), granteePrincipalId: 'AIDABOB0', retiringPrincipal: userArn('alice') }));
      await s.principals.createPrincipal(principalRecord('alice'));
      const g = (await s.grants.grantsForKey(KEY))[0];
      assert.deepEqual([g?.granteePrincipalId, g?.retiringPrincipalId], ['AIDABOB0', 'AIDAALICE']);
      await s.principals.createPrincipal(principalRecord('carol'));
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), {});
    }));
  });

  describe('PrincipalStore: access keys, tags, policies', () => {
    it('keeps access keys: round trip, listed by creation time, status updated, deleted', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      const late = accessKeyRecord('AKIA2', 'AIDAALICE', { createdAt: at(2) });
      const early = accessKeyRecord('AKIA1', 'AIDAALICE', { createdAt: at(1) });
      await s.principals.createAccessKey(late);
      await s.principals.createAccessKey(early);
      assert.deepEqual(await s.principals.getAccessKey('AKIA1'), early);
      assert.deepEqual((await s.principals.listAccessKeys('AIDAALICE')).map((k) => k.accessKeyId), ['AKIA1', 'AKIA2']);
      await s.principals.updateAccessKeyStatus('AKIA2', 'Inactive');
      assert.equal((await s.principals.getAccessKey('AKIA2'))?.status, 'Inactive');
      await s.principals.deleteAccessKey('AKIA1');
      assert.equal(await s.principals.getAccessKey('AKIA1'), undefined);
      assert.deepEqual((await s.principals.listAccessKeys('AIDAALICE')).map((k) => k.accessKeyId), ['AKIA2']);
      assert.deepEqual(await s.principals.listAccessKeys('AIDANOBODY'), []);
      await assert.rejects(s.principals.createAccessKey(accessKeyRecord('AKIA2', 'AIDAALICE')));
    }));

    it('putPrincipalTags replaces existing tag keys and adds others; listed by tag key; removed by key', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.putPrincipalTags('AIDAALICE', [{ key: 'team', value: 'a' }, { key: 'env', value: 'dev' }]);
      await s.principals.putPrincipalTags('AIDAALICE', [{ key: 'env', value: 'prod' }]);
      assert.deepEqual(await s.principals.listPrincipalTags('AIDAALICE'), [{ key: 'env', value: 'prod' }, { key: 'team', value: 'a' }]);
      await s.principals.removePrincipalTags('AIDAALICE', ['team', 'absent']);
      assert.deepEqual(await s.principals.listPrincipalTags('AIDAALICE'), [{ key: 'env', value: 'prod' }]);
    }));

    it('keeps identity policies by name: put replaces, listed by name, delete says whether there was one', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.putPrincipalPolicy('AIDAALICE', 'b', '{"v":1}', T0);
      await s.principals.putPrincipalPolicy('AIDAALICE', 'a', '{"v":2}', T0);
      await s.principals.putPrincipalPolicy('AIDAALICE', 'b', '{"v":3}', at(1));
      assert.deepEqual(await s.principals.listPrincipalPolicies('AIDAALICE'), [
        { name: 'a', document: '{"v":2}', updatedAt: T0 },
        { name: 'b', document: '{"v":3}', updatedAt: at(1) },
      ]);
      assert.equal(await s.principals.deletePrincipalPolicy('AIDAALICE', 'a'), true);
      assert.equal(await s.principals.deletePrincipalPolicy('AIDAALICE', 'a'), false);
      assert.deepEqual((await s.principals.listPrincipalPolicies('AIDAALICE')).map((p) => p.name), ['b']);
    }));

    it('a failed unit of work leaves no principal, access key, tag, policy or bound reference', withStore(factory, async (s) => {
      await createKey(s);
      await s.keys.putPolicyPrincipals(KEY, { [userArn('alice')]: null });
      await assert.rejects(
        s.withTransaction(async () => {
          await s.principals.createPrincipal(principalRecord('alice'));
          await s.principals.createAccessKey(accessKeyRecord('AKIA1', 'AIDAALICE'));
          await s.principals.putPrincipalTags('AIDAALICE', [{ key: 't', value: 'v' }]);
          await s.principals.putPrincipalPolicy('AIDAALICE', 'p', '{}', T0);
          throw new Error('rolled back');
        }),
      );
      assert.equal(await s.principals.findPrincipalByName('alice'), undefined);
      assert.equal(await s.principals.getAccessKey('AKIA1'), undefined);
      assert.deepEqual(await s.principals.listPrincipalTags('AIDAALICE'), []);
      assert.deepEqual(await s.principals.listPrincipalPolicies('AIDAALICE'), []);
      assert.deepEqual(await s.keys.getPolicyPrincipals(KEY), { [userArn('alice')]: null });
    }));
  });
}
