import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionRecord } from '../../core/session.js';
import { at, principalRecord, T0, userArn, withStore, type StoreFactory } from './fixture.js';

function sessionRecord(accessKeyId: string, principalId: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return {
    accessKeyId,
    principalId,
    kind: 'AssumedRole',
    sessionName: 'build',
    tokenHash: Buffer.alloc(32, 7),
    wrappedSecret: Buffer.from(`secret-${accessKeyId}`),
    domainKeyVersion: 1,
    issuedAt: T0,
    expiresAt: at(3600),
    tags: [{ key: 'team', value: 'payments' }],
    transitiveTagKeys: ['team'],
    sourceArn: userArn('alice'),
    ...over,
  };
}

/** The RoleSessionStore part of the PrincipalStore port (core/session.ts): trust policies and STS sessions (issue 17). */
export function roleSessionStoreContract(factory: StoreFactory): void {
  describe('PrincipalStore: trust policies and STS sessions', () => {
    it('keeps a role trust policy with its resolved principals, replaced whole by put; undefined until set', withStore(factory, async (s) => {
      const role = { ...principalRecord('deployer', 'AROADEPLOYER'), type: 'role' as const };
      await s.principals.createPrincipal(role);
      assert.equal(await s.principals.getRoleTrust(role.id), undefined);
      const first = { roleId: role.id, document: '{"v":1}', principals: { [userArn('alice')]: 'AIDAALICE', [userArn('bob')]: null }, maxSessionDuration: 3600, updatedAt: T0 };
      await s.principals.putRoleTrust(first);
      assert.deepEqual(await s.principals.getRoleTrust(role.id), first);
      const second = { roleId: role.id, document: '{"v":2}', principals: {}, maxSessionDuration: 43_200, updatedAt: at(1) };
      await s.principals.putRoleTrust(second);
      assert.deepEqual(await s.principals.getRoleTrust(role.id), second);
      await assert.rejects(s.principals.putRoleTrust({ ...first, roleId: 'AROANOBODY' }), 'a trust policy belongs to an existing principal');
    }));

    it('stores a session as given, refuses a taken access key id, and answers undefined for an unknown one', withStore(factory, async (s) => {
      await s.principals.createPrincipal(principalRecord('alice'));
      const x = sessionRecord('ASIA1', 'AIDAALICE');
      await s.principals.createSession(x);
      assert.deepEqual(await s.principals.getSession('ASIA1'), { ...x, revokedAt: undefined, mfaAuthenticatedAt: undefined });
      const mfa = sessionRecord('ASIA3', 'AIDAALICE', { kind: 'SessionToken', mfaAuthenticatedAt: at(5) });
      await s.principals.createSession(mfa);
      assert.deepEqual((await s.principals.getSession('ASIA3'))?.mfaAuthenticatedAt, at(5), 'a session keeps when MFA was proved');
      await assert.rejects(s.principals.createSession(sessionRecord('ASIA1', 'AIDAALICE', { sessionName: 'other' })));
      assert.equal((await s.principals.getSession('ASIA1'))?.sessionName, 'build');
      assert.equal(await s.principals.getSession('ASIANOBODY'), undefined);
      await assert.rejects(s.principals.createSession(sessionRecord('ASIA2', 'AIDANOBODY')), 'a session belongs to an existing principal');
    }));

    it('revokes the principal\'s sessions issued up to the instant, not later ones nor another principal\'s, once', withStore(factory, async (s) => {
      for (const name of ['alice', 'bob']) await s.principals.createPrincipal(principalRecord(name));
      await s.principals.createSession(sessionRecord('ASIAOLD', 'AIDAALICE', { issuedAt: T0 }));
      await s.principals.createSession(sessionRecord('ASIAEDGE', 'AIDAALICE', { issuedAt: at(5) }));
      await s.principals.createSession(sessionRecord('ASIALATER', 'AIDAALICE', { issuedAt: at(6) }));
      await s.principals.createSession(sessionRecord('ASIABOB', 'AIDABOB', { issuedAt: T0 }));
      assert.equal(await s.principals.revokeSessions('AIDAALICE', at(5)), 2);
      assert.deepEqual((await s.principals.getSession('ASIAOLD'))?.revokedAt, at(5));
      assert.deepEqual((await s.principals.getSession('ASIAEDGE'))?.revokedAt, at(5));
      assert.equal((await s.principals.getSession('ASIALATER'))?.revokedAt, undefined);
      assert.equal((await s.principals.getSession('ASIABOB'))?.revokedAt, undefined);
      assert.equal(await s.principals.revokeSessions('AIDAALICE', at(5)), 0, 'a revoked session keeps its first revocation');
      assert.equal(await s.principals.revokeSessions('AIDAALICE', at(9)), 1);
      assert.deepEqual((await s.principals.getSession('ASIAOLD'))?.revokedAt, at(5));
    }));

    it('deletes the sessions expired before the instant, and those of a deleted principal with its trust policy', withStore(factory, async (s) => {
      const role = { ...principalRecord('deployer', 'AROADEPLOYER'), type: 'role' as const };
      await s.principals.createPrincipal(role);
      await s.principals.createPrincipal(principalRecord('alice'));
      await s.principals.createSession(sessionRecord('ASIAGONE', 'AIDAALICE', { expiresAt: at(10) }));
      await s.principals.createSession(sessionRecord('ASIAKEPT', 'AIDAALICE', { expiresAt: at(11) }));
      assert.equal(await s.principals.deleteExpiredSessions(at(11)), 1);
      assert.equal(await s.principals.getSession('ASIAGONE'), undefined);
      assert.ok((await s.principals.getSession('ASIAKEPT')) !== undefined);
      await s.principals.putRoleTrust({ roleId: role.id, document: '{}', principals: {}, maxSessionDuration: 3600, updatedAt: T0 });
      await s.principals.createSession(sessionRecord('ASIAROLE', role.id));
      await s.principals.deletePrincipal(role.id);
      assert.equal(await s.principals.getRoleTrust(role.id), undefined);
      assert.equal(await s.principals.getSession('ASIAROLE'), undefined);
      assert.ok((await s.principals.getSession('ASIAKEPT')) !== undefined, 'another principal\'s session stays');
    }));

    it('a failed unit of work leaves no session, revocation or trust policy', withStore(factory, async (s) => {
      const role = { ...principalRecord('deployer', 'AROADEPLOYER'), type: 'role' as const };
      await s.principals.createPrincipal(role);
      await s.principals.createSession(sessionRecord('ASIAKEPT', role.id));
      await assert.rejects(
        s.withTransaction(async () => {
          await s.principals.createSession(sessionRecord('ASIANEW', role.id));
          await s.principals.revokeSessions(role.id, at(1));
          await s.principals.putRoleTrust({ roleId: role.id, document: '{}', principals: {}, maxSessionDuration: 3600, updatedAt: T0 });
          throw new Error('rolled back');
        }),
      );
      assert.equal(await s.principals.getSession('ASIANEW'), undefined);
      assert.equal((await s.principals.getSession('ASIAKEPT'))?.revokedAt, undefined);
      assert.equal(await s.principals.getRoleTrust(role.id), undefined);
    }));
  });
}
