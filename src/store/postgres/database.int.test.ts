import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { KmsError } from '../../core/errors.js';
import { PostgresDatabase } from './database.js';
import { migrate, MIGRATION_LOCK, MIGRATIONS } from './migrations.js';
import { PostgresKeyImportStore } from './postgres-key-import-store.js';
import { PostgresKeyLifecycleStore } from './postgres-key-lifecycle-store.js';
import { PostgresKeyStore } from './postgres-key-store.js';
import { PostgresUnitOfWork } from './postgres-unit-of-work.js';
import { isPostgresOutage } from './storage-health.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const key = (id: string) => ({
  id,
  region: 'us-east-1',
  createdAt: T0,
  description: '',
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  origin: 'AWS_KMS',
  state: 'Enabled',
  primaryVersion: 1,
  deletionDate: undefined,
  policy: '{}',
}) as const;

const count = async (db: PostgresDatabase, sql: string): Promise<number> => (await db.pool.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${sql}`)).rows[0]?.n ?? -1;

describeWithPostgres('PostgreSQL database: migrations and transactions', (cluster) => {
  const fresh = async (migrate = true): Promise<PostgresDatabase> => PostgresDatabase.open({ url: cluster().url(await cluster().createDatabase()), migrate });

  it('migrates once: concurrent openers take turns under the advisory lock, and a second run applies nothing', async () => {
    const url = cluster().url(await cluster().createDatabase());
    const dbs = await Promise.all([1, 2, 3].map(() => PostgresDatabase.open({ url, migrate: false })));
    try {
      const applied = await Promise.all(dbs.map((d) => migrate(d.pool)));
      assert.deepEqual(applied.flat().sort(), MIGRATIONS.map((m) => m.id).sort(), 'each migration applied by exactly one opener');
      assert.deepEqual(await migrate(dbs[0]!.pool), []);
      assert.equal(await count(dbs[0]!, 'schema_migrations'), MIGRATIONS.length);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
    }
  });

  it('waits while another node holds the migration lock', async () => {
    const db = await fresh(false);
    const holder = await db.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1, $2)', [...MIGRATION_LOCK]);
      let done = false;
      const running = migrate(db.pool).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(done, false, 'migrated while the lock was held');
      await holder.query('SELECT pg_advisory_unlock($1, $2)', [...MIGRATION_LOCK]);
      await running;
      assert.equal(await count(db, 'schema_migrations'), MIGRATIONS.length);
    } finally {
      holder.release();
      await db.close();
    }
  });

  it('a failing migration records nothing, keeps the earlier ones and frees the lock', async () => {
    const db = await fresh(false);
    try {
      const broken = [...MIGRATIONS, { id: '9999-broken', sql: 'CREATE TABLE half (x int); SELECT no_such_function();' }];
      await assert.rejects(migrate(db.pool, broken), /no_such_function/);
      assert.equal(await count(db, "schema_migrations WHERE id = '9999-broken'"), 0);
      assert.equal(await count(db, "pg_tables WHERE tablename = 'half'"), 0, 'the failed migration was rolled back whole');
      assert.deepEqual(await migrate(db.pool), [], 'the lock was released: a later run proceeds');
    } finally {
      await db.close();
    }
  });

  it('store methods inside run() join its transaction: invisible to others until COMMIT, undone by ROLLBACK', async () => {
    const db = await fresh();
    const keys = new PostgresKeyStore(db);
    try {
      await db.transactions.run(async () => {
        await keys.createKey(key('a'), undefined, []);
        assert.equal((await keys.getKey('a'))?.id, 'a', 'the transaction reads its own write');
        assert.equal(await count(db, "keys WHERE id = 'a'"), 0, 'another connection does not see it yet');
      });
      assert.equal(await count(db, "keys WHERE id = 'a'"), 1);
      await assert.rejects(
        db.transactions.run(async () => {
          await keys.createKey(key('b'), undefined, []);
          throw new Error('undo');
        }),
        /undo/,
      );
      assert.equal(await keys.getKey('b'), undefined);
    } finally {
      await db.close();
    }
  });

  it('a failed store method inside run() undoes only its own statements (a savepoint); the transaction goes on', async () => {
    const db = await fresh();
    const keys = new PostgresKeyStore(db);
    try {
      await db.transactions.run(async () => {
        await keys.createKey(key('a'), undefined, []);
        await assert.rejects(keys.createKey(key('b'), undefined, [{ key: 't', value: '1' }, { key: 't', value: '2' }]));
        await keys.createAlias({ region: 'us-east-1', name: 'alias/a', keyId: 'a', createdAt: T0, updatedAt: T0 });
        await assert.rejects(keys.createAlias({ region: 'us-east-1', name: 'alias/a', keyId: 'a', createdAt: T0, updatedAt: T0 }), (e) => e instanceof KmsError && e.code === 'AlreadyExists');
        await keys.putTags('a', [{ key: 'after', value: 'failures' }]);
      });
      assert.equal(await keys.getKey('b'), undefined);
      assert.deepEqual(await keys.listTags('a'), [{ key: 'after', value: 'failures' }]);
      assert.equal((await keys.getAlias('us-east-1', 'alias/a'))?.keyId, 'a');
    } finally {
      await db.close();
    }
  });

  it('refuses a statement meant for a transaction that has ended', async () => {
    const db = await fresh();
    try {
      let late: Promise<unknown> | undefined;
      await db.transactions.run(async () => {
        late = new Promise((resolve) => setTimeout(resolve, 50)).then(() => db.db.query('SELECT 1'));
      });
      await assert.rejects(late ?? Promise.resolve(), /transaction already ended/);
      assert.equal(db.transactions.inTransaction, false);
    } finally {
      await db.close();
    }
  });

  it('two nodes at once: one rotation wins over the same primary, concurrent creations all land in one order', async () => {
    const url = cluster().url(await cluster().createDatabase());
    const [a, b] = [await PostgresDatabase.open({ url }), await PostgresDatabase.open({ url })];
    try {
      const keys = new PostgresKeyStore(a);
      await keys.addDomainKey(1, Buffer.from('d'));
      await keys.createKey(key('k'), { keyId: 'k', version: 1, domainKeyVersion: 1, wrappedMaterial: Buffer.from('m1'), createdAt: T0 }, []);
      const v2 = (m: string) => ({ keyId: 'k', version: 2, domainKeyVersion: 1, wrappedMaterial: Buffer.from(m), createdAt: T0 });
      for (let round = 0; round < 5; round++) {
        const won = await Promise.all([
          new PostgresKeyLifecycleStore(a).addVersion({ ...v2('a'), version: round + 2 }, 'ON_DEMAND', round + 1),
          new PostgresKeyLifecycleStore(b).addVersion({ ...v2('b'), version: round + 2 }, 'ON_DEMAND', round + 1),
        ]);
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: exactly one node rotates`);
      }
      assert.equal((await keys.getKey('k'))?.primaryVersion, 6);
      await Promise.all(Array.from({ length: 10 }, (_, i) => new PostgresKeyStore(i % 2 ? a : b).createKey(key(`n${i}`), undefined, [])));
      assert.equal((await keys.listKeys('us-east-1', undefined, 100)).items.length, 11);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('orders text by bytes whatever the database collation', async () => {
    const name = await cluster().createDatabase();
    const db = await PostgresDatabase.open({ url: cluster().url(name) });
    const keys = new PostgresKeyStore(db);
    try {
      await keys.createKey(key('k'), undefined, [{ key: 'b', value: '' }, { key: 'B', value: '' }, { key: 'a', value: '' }, { key: '_', value: '' }]);
      assert.deepEqual((await keys.listTags('k')).map((t) => t.key), ['B', '_', 'a', 'b']);
      // The cluster is initdb'd with --locale=C; the columns must not depend on it.
      const collations = await db.pool.query<{ n: number }>(
        "SELECT COUNT(*)::int AS n FROM information_schema.columns WHERE table_name = 'tags' AND column_name = 'tag_key' AND collation_name = 'C'",
      );
      assert.equal(collations.rows[0]?.n, 1);
    } finally {
      await db.close();
    }
  });

  it('a connection the server ends between two statements of a transaction fails that transaction, never the process', async () => {
    const db = await fresh();
    try {
      // Without a listener on the checked-out client, its 'error' event is unhandled and the process dies.
      await assert.rejects(
        db.transactions.run(async () => {
          const pid = (await db.db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
          await db.pool.query('SELECT pg_terminate_backend($1)', [pid]);
          await new Promise((r) => setTimeout(r, 300)); // the termination arrives while no statement runs
          await db.db.query('SELECT 1');
        }),
      );
      assert.equal((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1, 'the pool serves again with a new connection');
    } finally {
      await db.close();
    }
  });

  it('a statement not answered within queryTimeoutMillis fails as an outage, inside a transaction too, without waiting for a ROLLBACK', async () => {
    const db = await PostgresDatabase.open({ url: cluster().url(await cluster().createDatabase()), pool: { queryTimeoutMillis: 1000 } });
    try {
      for (const run of [() => db.pool.query('SELECT pg_sleep(5)'), () => db.transactions.run(() => db.db.query('SELECT pg_sleep(5)'))]) {
        const started = Date.now();
        const error = await run().then(() => undefined, (e: unknown) => e);
        const took = Date.now() - started;
        assert.match(String(error), /Query read timeout/);
        assert.equal(isPostgresOutage(error), true);
        // A ROLLBACK queued behind the statement would wait a second timeout (2 s in all): the margin is
        // most of a timeout, not a latency target.
        assert.ok(took < 1900, `failed after ${took} ms, not at the timeout (a ROLLBACK queued behind the statement would wait another timeout)`);
      }
      assert.equal((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one, 1);
    } finally {
      await db.close();
    }
  });

  it('units queued behind one that failed because PostgreSQL is unreachable fail at once with its error; the next one tries again', async () => {
    const db = await fresh();
    try {
      const uow = new PostgresUnitOfWork(db);
      const outage = Object.assign(new Error('connection failure'), { code: '08006' });
      const ran: number[] = [];
      const first = uow.run(async () => {
        await new Promise((r) => setTimeout(r, 200));
        throw outage;
      });
      const queued = [2, 3].map((n) => uow.run(async () => void ran.push(n)));
      const outcomes = await Promise.allSettled([first, ...queued]);
      assert.deepEqual(outcomes.map((o) => (o.status === 'rejected' ? o.reason : 'ok')), [outage, outage, outage]);
      assert.equal(ran.length, 0, 'the queued units did not wait for the database in turn');
      await uow.run(async () => void ran.push(4));
      assert.deepEqual(ran, [4], 'a unit queued after the failure tries the database again');
    } finally {
      await db.close();
    }
  });

  it("migration 0008-key-material-generations turns an existing import record into the record of the key's primary version", async () => {
    const db = await fresh(false);
    try {
      await migrate(db.pool, MIGRATIONS.filter((m) => m.id < '0008'));
      const keys = new PostgresKeyStore(db);
      await keys.addDomainKey(1, Buffer.from('domain-key-1'));
      // The schema of 0007 (no region column yet): the row as that version wrote it.
      await db.pool.query("INSERT INTO keys (id, created_at, description, key_spec, key_usage, origin, state, primary_version, policy) VALUES ('k1', $1, '', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'EXTERNAL', 'Enabled', 3, '{}')", [T0]);
      await db.pool.query("INSERT INTO key_versions (key_id, version, domain_key_version, wrapped_material, created_at) VALUES ('k1', 3, 1, $1, $2)", [Buffer.from('m'), T0]);
      await db.pool.query('INSERT INTO key_imports (key_id, fingerprint, expiration_model, valid_to, imported_at, material_description) VALUES ($1, $2, $3, $4, $5, $6)', ['k1', Buffer.from('fp'), 'KEY_MATERIAL_DOES_NOT_EXPIRE', null, T0, 'kept']);
      assert.deepEqual(await migrate(db.pool), MIGRATIONS.map((m) => m.id).filter((id) => id >= '0008'));
      const record = { keyId: 'k1', version: 3, fingerprint: Buffer.from('fp'), expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', validTo: undefined, importedAt: T0, description: 'kept', rotatedAt: undefined };
      const imports = new PostgresKeyImportStore(db);
      assert.deepEqual(await imports.getImport('k1'), record);
      assert.deepEqual(await imports.listImports('k1'), [{ ...record, imported: true }]);
    } finally {
      await db.close();
    }
  });
});
