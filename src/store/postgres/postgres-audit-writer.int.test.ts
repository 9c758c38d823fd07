import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeWithPostgres } from '../../../test/helpers/postgres.js';
import { AuditWriter } from '../../audit/audit-writer.js';
import { ed25519Sign, generateEd25519 } from '../../crypto/ed25519.js';
import { rootOf } from '../../crypto/merkle.js';
import { sampleEvent } from '../contract/audit-fixture.js';
import { PostgresAuditRows } from './postgres-audit-rows.js';
import { PostgresDatabase } from './database.js';
import { PostgresUnitOfWork } from './postgres-unit-of-work.js';

const clock = { now: () => new Date(Date.UTC(2026, 0, 2)) };

describeWithPostgres('AuditWriter over PostgreSQL', (cluster) => {
  let url = '';
  const opened: PostgresDatabase[] = [];
  before(async () => {
    url = cluster().url(await cluster().createDatabase());
  });
  after(() => Promise.all(opened.map((d) => d.close())));

  /** One node: its own pool on the shared database, its own chain. */
  async function node(name: string, checkpointEvery = 1_000_000): Promise<AuditWriter> {
    const pg = await PostgresDatabase.open({ url, pool: { max: 4 } });
    opened.push(pg);
    return AuditWriter.open(new PostgresUnitOfWork(pg), new PostgresAuditRows(pg, name), { clock, checkpointEvery });
  }

  it('appends inside and outside a unit commit gap-free; a reopened writer continues the same chain and tree', async () => {
    const w = await node('n1');
    const pending: Promise<unknown>[] = [];
    await w.runAudited(async () => {
      for (let i = 1; i <= 3; i++) pending.push(w.appendEvent(sampleEvent(i)));
      return { event: sampleEvent(100), keep: true };
    });
    for (let i = 4; i <= 6; i++) pending.push(w.appendEvent(sampleEvent(i)));
    await Promise.all(pending);
    const listed = await w.list();
    assert.deepEqual(listed.map((e) => e.arca?.sequence), [1, 2, 3, 4, 5, 6, 7]);
    const again = await node('n1');
    assert.equal(again.chainId, w.chainId);
    assert.equal(again.size, 7);
    const e = await again.appendEvent(sampleEvent(8));
    assert.equal(e.arca?.sequence, 8);
  });

  it('two nodes on one database keep separate chains, each with its own sequence and signed tree head', async () => {
    const [a, b] = await Promise.all([node('alpha'), node('beta')]);
    assert.notEqual(a.chainId, b.chainId);
    const { privateKeyDer, publicKey } = generateEd25519();
    for (const w of [a, b]) w.attachSigner({ publicKey, sign: (m) => ed25519Sign(privateKeyDer, m) });
    const [ra, rb] = await Promise.all([
      Promise.all(Array.from({ length: 20 }, (_, i) => a.appendEvent(sampleEvent(i + 1)))),
      Promise.all(Array.from({ length: 5 }, (_, i) => b.appendEvent(sampleEvent(i + 1)))),
    ]);
    assert.deepEqual(ra.map((e) => e.arca?.sequence), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(rb.map((e) => e.arca?.sequence), [1, 2, 3, 4, 5]);
    const head = await a.checkpoint();
    assert.equal(head?.treeSize, 20);
    assert.equal(head?.rootHash, rootOf(ra.map((e) => Buffer.from(e.arca?.leafHash ?? '', 'hex'))).toString('hex'));
    assert.equal((await b.checkpoint())?.treeSize, 5);
    privateKeyDer.dispose();
  });
});
