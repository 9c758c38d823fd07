import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import Database from 'better-sqlite3';
import { CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, ListKeysCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, TagResourceCommand, type KMSClient } from '@aws-sdk/client-kms';
import { CustodyKeyPrimitives } from '../../src/custody/key-primitives.js';
import { KeyHierarchy } from '../../src/custody/key-hierarchy.js';
import { InsecureDevFileRootOfTrust } from '../../src/root/insecure-dev-file-root.js';
import { ShamirRootOfTrust } from '../../src/root/shamir/shamir-root.js';
import { callOperation } from '../../src/cli/client.js';
import { migrateStorage, MigrationRefused, verifyCopiedTrail, type StorageMigrateReport } from '../../src/server/storage-migrate.js';
import { nonEmptyTables, RUNTIME_TABLES, TARGET_TABLES } from '../../src/store/migrate/copy-to-postgres.js';
import { AUDIT_TABLES, DOMAIN_TABLES } from '../../src/store/migrate/tables.js';
import { PostgresDatabase } from '../../src/store/postgres/database.js';
import { PostgresAuditRows } from '../../src/store/postgres/postgres-audit-rows.js';
import { PostgresAuditTrail } from '../../src/store/postgres/postgres-audit-trail.js';
import { postgresStores } from '../../src/store/postgres/postgres-stores.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { approvalRequest, approvalRule } from '../../src/store/contract/approval-store.contract.js';
import { SqliteCustomKeyStoreStore } from '../../src/store/sqlite/sqlite-custom-key-store-store.js';
import { SqliteApprovalStore } from '../../src/store/sqlite/sqlite-approval-store.js';
import { SqliteAuditRows } from '../../src/store/sqlite/sqlite-audit-rows.js';
import { SqliteAuditTrail } from '../../src/store/sqlite/sqlite-audit-trail.js';
import { SqliteGrantStore } from '../../src/store/sqlite/sqlite-grant-store.js';
import { SqliteKeyImportStore } from '../../src/store/sqlite/sqlite-key-import-store.js';
import { SqliteKeyLifecycleStore } from '../../src/store/sqlite/sqlite-key-lifecycle-store.js';
import { SqliteKeyStore } from '../../src/store/sqlite/sqlite-key-store.js';
import { SqlitePrincipalStore } from '../../src/store/sqlite/sqlite-principal-store.js';
import { startInProcess } from '../helpers/in-process.js';
import { kmsClient } from '../helpers/kms-client.js';
import { DAY, TestClock } from '../helpers/lifecycle.js';
import { describeWithPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { adminCall, createTestPrincipal } from '../helpers/principals.js';
import { initialize, startSealedServer, unsealWith } from '../helpers/sealed-server.js';
import { ARCA_BIN, removeDir, tempDataDir } from '../helpers/server.js';

const PASSWORD = 'pw-Secret-4711';
const CONTEXT = { purpose: 'migration-test' };

/** A URL with a password (the test cluster trusts 127.0.0.1, so any password is accepted and must never be printed). */
const withPassword = (cluster: PostgresCluster, db: string): string => cluster.url(db).replace('postgres@', `postgres:${PASSWORD}@`);

/** A dev data directory with real data: keys of several specs, aliases, tags, a grant, a principal, a rotation, a deletion, audit. */
async function populate(dataDir: string): Promise<{ ciphertext: Buffer; keyId: string }> {
  const clock = new TestClock();
  const server = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0 });
  try {
    const kms: KMSClient = kmsClient(server);
    const app = await createTestPrincipal(server, 'app', { tags: { team: 'payments' }, policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] } });
    const main = (await kms.send(new CreateKeyCommand({ Description: 'main', Tags: [{ TagKey: 'env', TagValue: 'test' }] }))).KeyMetadata!.KeyId!;
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/main', TargetKeyId: main }));
    await kms.send(new TagResourceCommand({ KeyId: main, Tags: [{ TagKey: 'owner', TagValue: 'ops' }] }));
    const ciphertext = Buffer.from((await kms.send(new EncryptCommand({ KeyId: main, Plaintext: Buffer.from('made before the migration'), EncryptionContext: CONTEXT }))).CiphertextBlob!);
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: main }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: main }));
    await kms.send(new CreateGrantCommand({ KeyId: main, GranteePrincipal: app.arn, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: CONTEXT } }));
    for (const [KeySpec, KeyUsage] of [['RSA_2048', 'ENCRYPT_DECRYPT'], ['ECC_NIST_P256', 'SIGN_VERIFY'], ['HMAC_256', 'GENERATE_VERIFY_MAC']] as const) {
      await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }));
    }
    // A key policy naming the principal: its resolved reference is a key_policy_principals row.
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: app.arn }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    });
    const shared = (await kms.send(new CreateKeyCommand({ Description: 'shared with app', Policy }))).KeyMetadata!.KeyId!;
    // A grant to a service principal with a SourceArn constraint (ADR 0021): the grants' service columns.
    await kms.send(new CreateGrantCommand({ KeyId: shared, GranteeServicePrincipal: 'logs.amazonaws.com', RetiringServicePrincipal: 'logs.amazonaws.com', Operations: ['Encrypt'], Constraints: { SourceArn: 'arn:aws:logs:us-east-1:111122223333:log-group:app' } }));
    // Bring your own key: an import token, and imported material.
    const external = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', Description: 'imported' }))).KeyMetadata!.KeyId!;
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    const wrapped = publicEncrypt({ key: createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
    await kms.send(new ImportKeyMaterialCommand({ KeyId: external, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const pending = (await kms.send(new CreateKeyCommand({ Description: 'pending deletion' }))).KeyMetadata!.KeyId!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending, PendingWindowInDays: 30 }));
    const destroyed = (await kms.send(new CreateKeyCommand({ Description: 'destroyed' }))).KeyMetadata!.KeyId!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: destroyed, PendingWindowInDays: 7 }));
    await kms.send(new ListKeysCommand({}));
    kms.destroy();
    // A role with a trust policy, and an STS session of it (issue 17): role_trust and sts_sessions rows.
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/admin' }, Action: 'sts:AssumeRole' }] };
    await adminCall(server, 'CreatePrincipal', { PrincipalName: 'deployer', PrincipalType: 'role', AssumeRolePolicyDocument: JSON.stringify(trust) });
    const { endpoint, credentials } = server;
    await callOperation({ endpoint, region: credentials.region, credentials }, 'AWSSecurityTokenServiceV20110615.AssumeRole', { RoleArn: 'arn:aws:iam::111122223333:role/deployer', RoleSessionName: 'migrate' });
    // A virtual MFA device (issue 17, MFA): an mfa_devices row.
    await adminCall(server, 'EnableMfaDevice', { PrincipalName: 'deployer' });
    // Past the 7-day window (no more signed requests: they would carry the real time): a destruction tombstone.
    clock.advance(8 * DAY);
    await server.app.scheduler.runNow();
    assert.ok(await server.app.audit.checkpoint(), 'a signed tree head');
    return { ciphertext, keyId: main };
  } finally {
    await server.close();
  }
}

/**
 * Approval rules and requests (issue 18), written through the SQLite adapter while no server runs (the
 * approval operations live in the pipeline, not in this store test): an executed request with its
 * decisions and a pending one, so both tables have rows to copy and every column a value.
 */
async function seedApprovals(dataDir: string, linkedKey?: string): Promise<void> {
  const db = openDatabase(join(dataDir, 'arca.db'));
  try {
    const approvals = new SqliteApprovalStore(db);
    await approvals.putApprovalRule(approvalRule('deletions'));
    const executed = approvalRequest(1, 0);
    await approvals.createApprovalRequest(executed);
    await approvals.decideApprovalRequest(executed.approvalId, 'Pending', { approverArn: 'arn:aws:iam::111122223333:user/bob', approverId: 'AIDABOB', decision: 'Approve', reason: 'ok', at: new Date(1) }, 'Approved');
    await approvals.markApprovalExecuted(executed.approvalId, new Date(2), 'arn:aws:iam::111122223333:user/alice');
    await approvals.createApprovalRequest(approvalRequest(2, 1));
    // A custom key store and a key's link to it (issue 21 part 2): custom_key_stores and custom_key_store_keys rows.
    const stores = new SqliteCustomKeyStoreStore(db);
    await stores.createStore({
      id: 'cks-0123456789abcdef0', region: 'us-east-1', name: 'migrated-xks', type: 'EXTERNAL_KEY_STORE', createdAt: new Date(3), connect: true,
      xks: { uriEndpoint: 'https://xks.example.com', uriPath: '/kms/xks/v1', connectivity: 'PUBLIC_ENDPOINT', accessKeyId: 'ABCDEFGHIJKLMNOPQRST' },
      secret: { domainKeyVersion: 1, wrapped: Buffer.from('not-a-real-wrapped-secret') },
    });
    if (linkedKey !== undefined) await stores.linkKey({ keyId: linkedKey, storeId: 'cks-0123456789abcdef0', externalKeyId: 'external-1' });
  } finally {
    db.close();
  }
}

describeWithPostgres('arca storage migrate (SQLite data directory -> PostgreSQL)', (cluster) => {
  let dataDir = '';
  let ciphertext: Buffer = Buffer.alloc(0);
  let mainKey = '';
  const dirs: string[] = [];
  before(async () => {
    dataDir = tempDataDir('arca-migrate-');
    dirs.push(dataDir);
    ({ ciphertext, keyId: mainKey } = await populate(dataDir));
    await seedApprovals(dataDir, mainKey);
  });
  after(() => dirs.forEach(removeDir));

  async function openTarget(db: string): Promise<PostgresDatabase> {
    return PostgresDatabase.open({ url: cluster().url(db), pool: { max: 2 } });
  }

  it('the copy specs name every column of both schemas, and every PostgreSQL table', async () => {
    const pg = await openTarget(await cluster().createDatabase());
    const sqlite = openDatabase(':memory:');
    try {
      const pgTables = (await pg.db.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")).rows.map((r) => r.tablename);
      assert.deepEqual(pgTables.sort(), [...TARGET_TABLES, ...RUNTIME_TABLES].sort());
      const sqliteTables = sqlite.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map((r) => r.name);
      assert.deepEqual(sqliteTables.filter((t) => !TARGET_TABLES.includes(t)).sort(), ['audit_meta', 'read_generation', 'schema_migrations']);
      for (const spec of [...DOMAIN_TABLES, ...AUDIT_TABLES]) {
        const pgColumns = (await pg.db.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [spec.table])).rows.map((r) => r.column_name);
        assert.deepEqual([...Object.keys(spec.columns), ...(spec.chained ? ['chain_id'] : [])].sort(), pgColumns.sort(), `PostgreSQL ${spec.table}`);
        const sqliteColumns = sqlite.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${spec.table}')`).all().map((r) => r.name);
        // SQLite's audit_signing_keys has its single-row `id`, which becomes the chain id.
        assert.deepEqual(Object.keys(spec.columns).sort(), sqliteColumns.filter((c) => !(spec.table === 'audit_signing_keys' && c === 'id')).sort(), `SQLite ${spec.table}`);
      }
    } finally {
      sqlite.close();
      await pg.close();
    }
  });

  it('copies every table in one transaction, and the copy verifies: counts, audit trail, a sample unwrap', async () => {
    const db = await cluster().createDatabase();
    const report = await migrateStorage({ from: dataDir, to: withPassword(cluster(), db), pageSize: 3 });
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.ok(!JSON.stringify(report).includes(PASSWORD), 'the password is not in the report');
    assert.match(report.to, /postgres:\*\*\*\*@127\.0\.0\.1/);
    assert.equal(report.countsMatch, true);
    const rows = Object.fromEntries(report.tables.map((t) => [t.table, t.target]));
    // Every table has rows to copy, but the seal record (a dev data directory has none).
    for (const spec of [...DOMAIN_TABLES, ...AUDIT_TABLES].filter((t) => t.table !== 'seal_config')) assert.ok((rows[spec.table] ?? 0) > 0, `${spec.table} has rows to copy`);
    assert.ok((rows['keys'] ?? 0) >= 8 && (rows['key_versions'] ?? 0) >= 8 && (rows['principals'] ?? 0) >= 2, JSON.stringify(rows));
    assert.equal(report.audit.status, 'verified');
    assert.ok(report.audit.status === 'verified' && report.audit.report.events === rows['audit_events'] && report.audit.report.verifiedTreeSize > 0, JSON.stringify(report.audit));
    assert.equal(report.sampleDecrypt.status, 'ok');
    await assertSameStores(report, db);
  });

  /** The PostgreSQL adapters answer as the SQLite ones did, a pre-migration ciphertext decrypts, the trail continues. */
  async function assertSameStores(report: StorageMigrateReport, db: string): Promise<void> {
    const pg = await openTarget(db);
    const sqlite = openDatabase(join(dataDir, 'arca.db'));
    const root = InsecureDevFileRootOfTrust.openOrCreate(join(dataDir, 'insecure-dev-root.key'));
    const stores = postgresStores(pg);
    const hierarchy = new KeyHierarchy(root, stores.keys);
    try {
      const [sKeys, sPrincipals, sGrants] = [new SqliteKeyStore(sqlite), new SqlitePrincipalStore(sqlite), new SqliteGrantStore(sqlite)];
      const keys = await sKeys.listKeys('us-east-1', undefined, 100);
      assert.deepEqual(await stores.keys.listKeys('us-east-1', undefined, 100), keys);
      assert.ok(keys.items.some((k) => k.state === 'PendingDeletion'));
      for (const k of keys.items) {
        assert.deepEqual(await stores.lifecycle.getRotation(k.id), await new SqliteKeyLifecycleStore(sqlite).getRotation(k.id));
        assert.deepEqual(await stores.lifecycle.getDestruction(k.id), await new SqliteKeyLifecycleStore(sqlite).getDestruction(k.id));
        assert.deepEqual(await stores.imports.getImport(k.id), await new SqliteKeyImportStore(sqlite).getImport(k.id));
      }
      assert.deepEqual(await stores.keys.listAliases('us-east-1', undefined, undefined, 100), await sKeys.listAliases('us-east-1', undefined, undefined, 100));
      for (const k of keys.items) {
        assert.deepEqual(await stores.keys.listTags(k.id), await sKeys.listTags(k.id));
        assert.deepEqual(await stores.grants.grantsForKey(k.id), await sGrants.grantsForKey(k.id));
        assert.deepEqual(await stores.keys.getKeyVersion(k.id, k.primaryVersion), await sKeys.getKeyVersion(k.id, k.primaryVersion));
      }
      assert.equal((await stores.grants.grantsForKey(mainKey)).length, 1);
      const serviceGrants = await stores.grants.listServiceRetirableGrants('logs.amazonaws.com', undefined, 10);
      assert.deepEqual(serviceGrants.items.map((g) => [g.granteeServicePrincipal, g.retiringServicePrincipal, g.constraints?.sourceArn]), [['logs.amazonaws.com', 'logs.amazonaws.com', 'arn:aws:logs:us-east-1:111122223333:log-group:app']]);
      const sApprovals = new SqliteApprovalStore(sqlite);
      assert.deepEqual(await stores.approvals.listApprovalRules(), await sApprovals.listApprovalRules());
      const requests = await sApprovals.listApprovalRequests({ limit: 100 });
      assert.deepEqual(requests.map((r) => r.status).sort(), ['Executed', 'Pending']);
      assert.deepEqual(await stores.approvals.listApprovalRequests({ limit: 100 }), requests);
      const principals = await sPrincipals.listPrincipals(undefined, 100);
      assert.deepEqual(await stores.principals.listPrincipals(undefined, 100), principals);
      for (const p of principals.items) {
        assert.deepEqual(await stores.principals.listAccessKeys(p.id), await sPrincipals.listAccessKeys(p.id));
        assert.deepEqual(await stores.principals.listPrincipalPolicies(p.id), await sPrincipals.listPrincipalPolicies(p.id));
        assert.deepEqual(await stores.principals.listPrincipalTags(p.id), await sPrincipals.listPrincipalTags(p.id));
      }
      // A ciphertext made before the migration (under the main key's first version) decrypts over PostgreSQL.
      await hierarchy.open();
      const record = await stores.keys.getKey(mainKey);
      assert.ok(record !== undefined && record.primaryVersion === 2);
      const primitives = new CustodyKeyPrimitives({ keys: stores.keys, hierarchy, imports: stores.imports, clock: { now: () => new Date() } });
      const plain = await primitives.decrypter({ record, arn: `arn:aws:kms:us-east-1:111122223333:key/${mainKey}` }, { ciphertext, context: CONTEXT, operation: 'Decrypt' }).decrypt();
      assert.equal(plain.expose().toString('utf8'), 'made before the migration');
      plain.dispose();
      // The node name maps to the SQLite chain, whose Merkle frontier continues where SQLite's ended.
      const sourceRows = new SqliteAuditRows(sqlite);
      const chainId = await sourceRows.chainId();
      assert.deepEqual(report.chain, { node: chainId, chainId });
      const rows = new PostgresAuditRows(pg, chainId);
      assert.equal(await rows.chainId(), chainId);
      const [pgFrontier, sqliteFrontier] = [await rows.frontier(), await sourceRows.frontier()];
      assert.equal(pgFrontier.size, sqliteFrontier.size);
      assert.deepEqual(pgFrontier.root(), sqliteFrontier.root());
      // The PostgreSQL read side serves the same signed checkpoint, tree heads and proofs as SQLite's did.
      const publicKey = (await sourceRows.getSigningKey())!.publicKey;
      // No checkpointing and no signing here: what is served must be what was copied.
      const readSide = [() => chainId, () => publicKey, () => undefined, () => undefined, []] as const;
      const [pgTrail, sqliteTrail] = [new PostgresAuditTrail(pg, ...readSide), new SqliteAuditTrail(sqlite, ...readSide)];
      const note = await sqliteTrail.checkpointNote();
      assert.ok(note !== undefined && note.treeHead.treeSize === sqliteFrontier.size);
      assert.deepEqual(await pgTrail.checkpointNote(), note);
      assert.deepEqual(await pgTrail.treeHeads(), await sqliteTrail.treeHeads());
      const size = sqliteFrontier.size;
      assert.deepEqual(await pgTrail.inclusionProof(2, size), await sqliteTrail.inclusionProof(2, size));
      assert.deepEqual(await pgTrail.consistencyProof(3, size), await sqliteTrail.consistencyProof(3, size));
      // New keys get creation numbers after the copied ones.
      const seq = await pg.db.query<{ n: string }>("SELECT nextval(pg_get_serial_sequence('keys', 'seq')) AS n");
      assert.equal(Number(seq.rows[0]?.n), (sqlite.prepare<[], { n: number }>('SELECT MAX(seq) AS n FROM keys').get()?.n ?? 0) + 1);
    } finally {
      hierarchy.seal();
      root.seal();
      sqlite.close();
      await pg.close();
    }
  }

  it('refuses a target that is not empty, writing nothing', async () => {
    const db = await cluster().createDatabase();
    const pg = await openTarget(db);
    try {
      await pg.db.query("INSERT INTO principals (id, type, name, arn, created_at) VALUES ('p-1', 'user', 'someone', 'arn:aws:iam::111122223333:user/someone', now())");
      await assert.rejects(migrateStorage({ from: dataDir, to: cluster().url(db) }), (e) => e instanceof MigrationRefused && /not empty \(rows in principals\)/.test(e.message));
      assert.deepEqual(await nonEmptyTables(pg), ['principals']);
    } finally {
      await pg.close();
    }
  });

  it('refuses a data directory a server has open', async () => {
    const served = tempDataDir('arca-migrate-served-');
    dirs.push(served);
    const server = await startInProcess({ dataDir: served });
    const db = await cluster().createDatabase();
    try {
      await assert.rejects(migrateStorage({ from: served, to: cluster().url(db) }), (e) => e instanceof MigrationRefused && /is in use/.test(e.message));
    } finally {
      await server.close();
    }
    const pg = await openTarget(db);
    try {
      assert.deepEqual(await nonEmptyTables(pg), []);
    } finally {
      await pg.close();
    }
  });

  it('is all or nothing: a row that fails late leaves the target empty', async () => {
    const broken = tempDataDir('arca-migrate-broken-');
    dirs.push(broken);
    cpSync(dataDir, broken, { recursive: true });
    const raw = new Database(join(broken, 'arca.db'));
    raw.prepare("UPDATE principal_policies SET updated_at = 'not a time'").run();
    raw.close();
    const db = await cluster().createDatabase();
    await assert.rejects(migrateStorage({ from: broken, to: cluster().url(db), pageSize: 2 }), /principal_policies\.updated_at: not an epoch-millisecond time/);
    const pg = await openTarget(db);
    try {
      assert.deepEqual(await nonEmptyTables(pg), []);
    } finally {
      await pg.close();
    }
  });

  it('the audit check is the verifier\'s: an event changed in the target after the copy fails it', async () => {
    const db = await cluster().createDatabase();
    const report = await migrateStorage({ from: dataDir, to: cluster().url(db) });
    assert.ok(report.ok && report.chain !== undefined);
    const pg = await openTarget(db);
    const sqlite = openDatabase(join(dataDir, 'arca.db'));
    try {
      const key = (await new SqliteAuditRows(sqlite).getSigningKey())?.publicKey;
      assert.equal((await verifyCopiedTrail(pg, report.chain, key)).status, 'verified');
      await pg.db.query("UPDATE audit_events SET body = replace(body, '\"eventName\":\"CreateKey\"', '\"eventName\":\"ListKeys\"') WHERE seq = (SELECT MIN(seq) FROM audit_events WHERE event_name = 'CreateKey')");
      const check = await verifyCopiedTrail(pg, report.chain, key);
      assert.ok(check.status === 'failed' && /modified/.test(check.problem), JSON.stringify(check));
      const otherKey = Buffer.alloc(32, 7);
      assert.equal((await verifyCopiedTrail(pg, report.chain, otherKey)).status, 'failed');
    } finally {
      sqlite.close();
      await pg.close();
    }
  });

  it('sample decrypt: skipped with what to run when the root is not a dev file, failed (exit 1) under another dev root', async () => {
    const sealed = tempDataDir('arca-migrate-sealed-');
    dirs.push(sealed);
    cpSync(dataDir, sealed, { recursive: true });
    rmSync(join(sealed, 'insecure-dev-root.key'));
    const skipped = await migrateStorage({ from: sealed, to: cluster().url(await cluster().createDatabase()) });
    assert.equal(skipped.ok, true);
    assert.ok(skipped.sampleDecrypt.status === 'skipped' && skipped.sampleDecrypt.reason.includes('sample decrypt needs the root of trust: unseal the target'), JSON.stringify(skipped.sampleDecrypt));
    // Another dev root: nothing copied unwraps under it.
    InsecureDevFileRootOfTrust.openOrCreate(join(sealed, 'insecure-dev-root.key')).seal();
    const run = spawnSync(process.execPath, [ARCA_BIN, 'storage', 'migrate', '--from', sealed, '--to', cluster().url(await cluster().createDatabase())], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /Sample decrypt: FAILED: key version .* does not unwrap under the dev root/);
  });

  it('a Shamir-sealed data directory: sample decrypt is left to the operator, and the copy unseals with the same shares', async () => {
    const dir = tempDataDir('arca-migrate-shamir-');
    dirs.push(dir);
    const server = await startSealedServer(dir);
    let shares: string[];
    let keyId: string;
    let blob: string;
    try {
      const init = await initialize(server, 3, 2);
      shares = init.shares;
      await unsealWith(server, shares.slice(0, 2));
      keyId = String(((await callOperation(init.admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
      blob = String((await callOperation(init.admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from('sealed before').toString('base64') }))['CiphertextBlob']);
    } finally {
      await server.close();
    }
    const db = await cluster().createDatabase();
    const report = await migrateStorage({ from: dir, to: cluster().url(db) });
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.ok(report.sampleDecrypt.status === 'skipped' && report.sampleDecrypt.reason.startsWith('shamir root of trust: sample decrypt needs the root of trust'), JSON.stringify(report.sampleDecrypt));
    assert.equal(report.tables.find((t) => t.table === 'seal_config')?.target, 1);
    const pg = await openTarget(db);
    const stores = postgresStores(pg);
    const clock = { now: () => new Date() };
    const root = await ShamirRootOfTrust.open(stores.seal, clock);
    const hierarchy = new KeyHierarchy(root, stores.keys);
    try {
      for (const share of shares.slice(0, 2)) await root.submitShare(Buffer.from(share, 'base64'));
      assert.equal(root.isSealed(), false);
      await hierarchy.open();
      const record = await stores.keys.getKey(keyId);
      assert.ok(record !== undefined);
      const primitives = new CustodyKeyPrimitives({ keys: stores.keys, hierarchy, imports: stores.imports, clock });
      const plain = await primitives.decrypter({ record, arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}` }, { ciphertext: Buffer.from(blob, 'base64'), context: {}, operation: 'Decrypt' }).decrypt();
      assert.equal(plain.expose().toString('utf8'), 'sealed before');
      plain.dispose();
    } finally {
      hierarchy.seal();
      root.seal();
      await pg.close();
    }
  });

  it('runs from the built CLI: JSON report, then exit 2 into the now non-empty target; the password is never printed', async () => {
    const url = withPassword(cluster(), await cluster().createDatabase());
    const run = (...args: string[]) => spawnSync(process.execPath, [ARCA_BIN, 'storage', 'migrate', '--from', dataDir, '--to', url, ...args], { encoding: 'utf8' });
    const first = run('--output', 'json', '--node-name', 'node-a');
    assert.equal(first.status, 0, first.stderr + first.stdout);
    const report = JSON.parse(first.stdout) as StorageMigrateReport;
    assert.equal(report.ok, true);
    assert.equal(report.chain?.node, 'node-a');
    assert.match(report.to, /:\*\*\*\*@/);
    const second = run();
    assert.equal(second.status, 2);
    assert.match(second.stderr, /refused: the target database is not empty/);
    for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) assert.ok(!out.includes(PASSWORD), out);
    const help = spawnSync(process.execPath, [ARCA_BIN, 'storage', 'migrate', '--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--node-name/);
  });
});
