/**
 * The SQLite side of ADR 0009: principal references bound when a principal is created, grant chains
 * deleted together, and migration 0008 resolving the rows of an existing database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { GrantRecord } from '../../core/grant.js';
import type { KeyRecord } from '../../core/key.js';
import { MIGRATIONS, openDatabase, type SqliteDatabase } from './database.js';
import { SqliteGrantStore } from './sqlite-grant-store.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqlitePrincipalStore } from './sqlite-principal-store.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const T0 = new Date('2026-01-01T00:00:00Z');
const arn = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const key: KeyRecord = { id: KEY, region: 'us-east-1', createdAt: T0, description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 1, policy: '{}' };

function grant(over: Partial<GrantRecord>): GrantRecord {
  return {
    grantId: 'g'.repeat(64),
    keyId: KEY,
    name: undefined,
    granteePrincipal: arn('alice'),
    granteePrincipalId: undefined,
    retiringPrincipal: undefined,
    retiringPrincipalId: undefined,
    issuingPrincipal: arn('admin'),
    operations: ['Decrypt', 'CreateGrant'],
    constraints: undefined,
    createdAt: T0,
    expiresAt: undefined,
    parentGrantId: undefined,
    ...over,
  };
}

async function stores(db: SqliteDatabase) {
  db.prepare('INSERT INTO domain_keys (version, wrapped) VALUES (1, ?)').run(Buffer.alloc(8));
  const keys = new SqliteKeyStore(db);
  await keys.createKey(key, undefined, []);
  return { keys, principals: new SqlitePrincipalStore(db), grants: new SqliteGrantStore(db) };
}

describe('principal references on SQLite', () => {
  it('binds key-policy and grant references to an ARN nobody held to the first principal created with it, and never rebinds them', async () => {
    const { keys, principals, grants } = await stores(openDatabase(':memory:'));
    await keys.putPolicyPrincipals(KEY, { [arn('alice')]: null, [arn('bob')]: 'AIDABOB' });
    await grants.createGrant(grant({ retiringPrincipal: arn('alice') }));
    await principals.createPrincipal({ id: 'AIDAALICE1', type: 'user', name: 'alice', arn: arn('alice'), createdAt: T0 });
    assert.deepEqual(await keys.getPolicyPrincipals(KEY), { [arn('alice')]: 'AIDAALICE1', [arn('bob')]: 'AIDABOB' });
    const bound = await grants.getGrant('g'.repeat(64));
    assert.equal(bound?.granteePrincipalId, 'AIDAALICE1');
    assert.equal(bound?.retiringPrincipalId, 'AIDAALICE1');
    await principals.deletePrincipal('AIDAALICE1');
    await principals.createPrincipal({ id: 'AIDAALICE2', type: 'user', name: 'alice', arn: arn('alice'), createdAt: T0 });
    assert.equal((await keys.getPolicyPrincipals(KEY))[arn('alice')], 'AIDAALICE1');
    assert.equal((await grants.getGrant('g'.repeat(64)))?.granteePrincipalId, 'AIDAALICE1');
  });

  it('deleting a grant deletes every grant created under it, and nothing else', async () => {
    const { grants } = await stores(openDatabase(':memory:'));
    const id = (c: string) => c.repeat(64);
    await grants.createGrant(grant({ grantId: id('a') }));
    await grants.createGrant(grant({ grantId: id('b'), parentGrantId: id('a') }));
    await grants.createGrant(grant({ grantId: id('c'), parentGrantId: id('b') }));
    await grants.createGrant(grant({ grantId: id('d') }));
    await grants.deleteGrant(id('b'));
    assert.deepEqual((await grants.grantsForKey(KEY)).map((g) => g.grantId), [id('a'), id('d')]);
    await grants.deleteGrant(id('a'));
    assert.deepEqual((await grants.grantsForKey(KEY)).map((g) => g.grantId), [id('d')]);
  });

  it('migration 0008 resolves the grants and key policies of an existing database against its principals; a principal deleted before it binds to nobody, ever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'arca-0008-'));
    try {
      const path = join(dir, 'arca.db');
      const old = new Database(path);
      old.exec('CREATE TABLE schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)');
      for (const m of [...MIGRATIONS].filter((m) => m.id < '0008').sort((a, b) => (a.id < b.id ? -1 : 1))) {
        old.exec(m.sql);
        old.prepare('INSERT INTO schema_migrations (id) VALUES (?)').run(m.id);
      }
      old.prepare("INSERT INTO principals (id, type, name, arn, created_at) VALUES ('uuid-alice', 'user', 'alice', ?, 0)").run(arn('alice'));
      const policy = JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: [arn('alice'), arn('gone'), 'arn:aws:iam::111122223333:root', arn('wild*')] }, Action: 'kms:*' },
          { Effect: 'Deny', NotPrincipal: { AWS: arn('alice') }, Action: 'kms:Decrypt', Condition: { StringEquals: { 'aws:PrincipalArn': arn('other') } } },
        ],
      });
      old.prepare("INSERT INTO keys (id, seq, created_at, description, key_spec, key_usage, origin, state, primary_version, policy) VALUES (?, 1, 0, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'AWS_KMS', 'Enabled', 1, ?)").run(KEY, policy);
      old.prepare("INSERT INTO grants (grant_id, seq, key_id, grantee_principal, retiring_principal, issuing_principal, operations, created_at) VALUES ('g1', 1, ?, ?, ?, ?, '[\"Decrypt\"]', 0)").run(KEY, arn('alice'), arn('gone'), arn('admin'));
      old.close();

      const db = openDatabase(path);
      const refs = db.prepare<[], { arn: string; principal_id: string | null }>('SELECT arn, principal_id FROM key_policy_principals ORDER BY arn').all();
      assert.deepEqual(refs, [
        { arn: arn('alice'), principal_id: 'uuid-alice' },
        { arn: arn('gone'), principal_id: 'unresolved-0008' },
      ]);
      const grant = () => db.prepare<[], { grantee_principal_id: string | null; retiring_principal_id: string | null; parent_grant_id: string | null }>('SELECT grantee_principal_id, retiring_principal_id, parent_grant_id FROM grants').get();
      assert.deepEqual(grant(), { grantee_principal_id: 'uuid-alice', retiring_principal_id: 'unresolved-0008', parent_grant_id: null });
      // A principal created later under the name of one deleted before the upgrade inherits nothing.
      await new SqlitePrincipalStore(db).createPrincipal({ id: 'AIDAGONEAGAIN000000', type: 'user', name: 'gone', arn: arn('gone'), createdAt: new Date(0) });
      assert.equal(db.prepare<[], { principal_id: string }>(`SELECT principal_id FROM key_policy_principals WHERE arn = '${arn('gone')}'`).get()?.principal_id, 'unresolved-0008');
      assert.equal(grant()?.retiring_principal_id, 'unresolved-0008');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
