import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AuditEvent } from '../../core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../crypto/ed25519.js';
import { verifyCheckpointIndependently } from '../../../test/helpers/c2sp-note.js';
import { consistencyProof, inclusionProof, verifyConsistency, verifyInclusion } from '../../crypto/merkle.js';
import { openDatabase, type SqliteDatabase } from './database.js';
import { sqliteAuditWriter } from '../../server/audit-wiring.js';
import { SqliteAuditTrail } from './sqlite-audit-trail.js';
import { testAuditEvent } from '../../../test/helpers/audit-events.js';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

function event(i: number): AuditEvent {
  return testAuditEvent(i, { userAgent: 'merkle-nodes-test' });
}

async function trailOf(db: SqliteDatabase, n: number, every = 1000) {
  const log = await sqliteAuditWriter(db, { clock, checkpointEvery: every });
  const pair = generateEd25519();
  const sign = (m: Uint8Array): Buffer => ed25519Sign(pair.privateKeyDer, m);
  log.attachSigner({ publicKey: pair.publicKey, sign });
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(event(i + 1))));
  const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => log.checkpoint(), sign, []);
  return { log, trail, pair };
}

/** Interior nodes of a tree of n leaves: n − (number of perfect subtrees on its right edge). */
const popcount = (n: number): number => n.toString(2).replaceAll('0', '').length;

const leavesOf = (db: SqliteDatabase): Buffer[] => db.prepare<[], { leaf_hash: Buffer }>('SELECT leaf_hash FROM audit_events ORDER BY seq').all().map((r) => r.leaf_hash);

describe('stored Merkle nodes (audit_tree_nodes)', () => {
  it('the writer stores the interior hashes with the events; proofs from them equal the proofs over every leaf', async () => {
    const db = openDatabase(':memory:');
    const { trail } = await trailOf(db, 333);
    const leaves = leavesOf(db);
    const nodes = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_tree_nodes').get()?.n;
    assert.equal(nodes, 333 - popcount(333)); // one node per leaf on average
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 333 }), fc.integer({ min: 1, max: 333 }), fc.integer({ min: 0, max: 333 }), async (size, seq, first) => {
        const s = ((seq - 1) % size) + 1;
        const f = first % (size + 1);
        assert.deepEqual(await trail.inclusionProof(s, size), inclusionProof(leaves, s - 1, size));
        assert.deepEqual(await trail.consistencyProof(f, size), consistencyProof(leaves, f, size));
      }),
      { numRuns: 200 },
    );
    db.close();
  });

  it('a proof reads the stored nodes, not every leaf: corrupting old leaf hashes does not change a proof of a later event', async () => {
    const db = openDatabase(':memory:');
    const { trail } = await trailOf(db, 1000);
    const head = await trail.checkpoint();
    assert.ok(head !== undefined);
    db.prepare('UPDATE audit_events SET leaf_hash = zeroblob(32) WHERE seq <= 512').run();
    const leaf = await trail.leafHash(1000);
    assert.ok(leaf !== undefined);
    const root = Buffer.from(head.rootHash, 'hex');
    assert.equal(verifyInclusion(leaf, 999, 1000, await trail.inclusionProof(1000, 1000), root), true);
    db.close();
  });

  it('an existing trail (events stored before the nodes existed) gets its nodes built at open, and keeps growing consistently', async () => {
    const db = openDatabase(':memory:');
    const { log, pair } = await trailOf(db, 300, 100);
    const oldHead = (await log.checkpoint()) ?? (await new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => undefined, () => undefined, []).latestTreeHead());
    assert.ok(oldHead !== undefined);
    db.exec('DELETE FROM audit_tree_nodes'); // as migration 0009 leaves a trail written before it
    const { log: reopened, trail } = await trailOf(db, 0);
    assert.equal(reopened.size, 300);
    assert.equal(db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM audit_tree_nodes').get()?.n, 300 - popcount(300));
    await Promise.all([301, 302, 303].map((i) => reopened.append(event(i))));
    const head = (await reopened.checkpoint());
    assert.ok(head !== undefined && head.treeSize === 303);
    const proof = await trail.consistencyProof(oldHead.treeSize, 303);
    assert.equal(verifyConsistency(oldHead.treeSize, 303, Buffer.from(oldHead.rootHash, 'hex'), Buffer.from(head.rootHash, 'hex'), proof), true);
    assert.deepEqual(await trail.inclusionProof(2, 303), inclusionProof(leavesOf(db), 1, 303));
    db.close();
  });
});

describe('C2SP signed-note checkpoints', () => {
  it('every new tree head has a checkpoint that verifies by the spec; a changed byte does not verify', async () => {
    const db = openDatabase(':memory:');
    const { trail, log, pair } = await trailOf(db, 5);
    const c = await trail.checkpointNote();
    assert.ok(c !== undefined);
    const parsed = verifyCheckpointIndependently(c.note, pair.publicKey);
    assert.deepEqual([parsed.size, parsed.root.toString('hex'), parsed.origin], [5, c.treeHead.rootHash, `arca.local/audit/${log.chainId}`]);
    assert.throws(() => verifyCheckpointIndependently(c.note.replace('\n5\n', '\n6\n'), pair.publicKey));
    db.close();
  });

  it('a tree head signed before checkpoints existed keeps its signature and gets its checkpoint signed on demand', async () => {
    const db = openDatabase(':memory:');
    const { trail, log, pair } = await trailOf(db, 7);
    const head = (await log.checkpoint());
    assert.ok(head !== undefined);
    db.exec('UPDATE audit_tree_heads SET checkpoint_signature = NULL');
    const c = await trail.checkpointNote();
    assert.ok(c !== undefined);
    assert.deepEqual(c.treeHead, head);
    assert.equal(verifyCheckpointIndependently(c.note, pair.publicKey).size, 7);
    db.close();
  });
});
