import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../../core/audit.js';
import type { AuditRows } from '../../core/audit-rows.js';
import { leafHash, MerkleFrontier, rootOf } from '../../crypto/merkle.js';
import { sampleEvent, withAuditStore, type AuditStoreFactory } from './audit-fixture.js';

/** Stores events 1..n (with their interior nodes unless `nodes` is false); answers their leaf hashes. */
async function storeEvents(rows: AuditRows, n: number, nodes = true, times?: (i: number) => string): Promise<Buffer[]> {
  const f = new MerkleFrontier();
  const leaves: Buffer[] = [];
  for (let i = 1; i <= n; i++) {
    const event: AuditEvent = { ...sampleEvent(i, times?.(i)), arca: { sequence: i, chainId: 'c', leafHash: '' } };
    const leaf = leafHash(Buffer.from(`leaf ${i}`));
    const completed: [number, number, Buffer][] = [];
    f.append(leaf, nodes ? (level, index, hash) => void completed.push([level, index, hash]) : undefined);
    await rows.insertEvents([{ sequence: i, event, leafHash: leaf, body: JSON.stringify(event) }], completed);
    leaves.push(leaf);
  }
  return leaves;
}

/** The AuditRows port's contract: the rows the audit writer keeps, read back as it needs them. */
export function auditRowsContract(factory: AuditStoreFactory): void {
  describe('AuditRows', () => {
    it('keeps one chain id, created on first use', withAuditStore(factory, async ({ rows }) => {
      const id = await rows.chainId();
      assert.ok(id.length > 0);
      assert.equal(await rows.chainId(), id);
    }));

    it('stores events in sequence order: leaves after a size, list, and the frontier read back', withAuditStore(factory, async ({ uow, rows }) => {
      assert.equal((await rows.frontier()).size, 0);
      const leaves = await uow.runNow(async () => storeEvents(rows, 7));
      assert.deepEqual([...(await rows.leavesAfter(4))].map((r) => [r.sequence, r.leafHash.toString('hex')]), [5, 6, 7].map((s) => [s, leaves[s - 1]?.toString('hex')]));
      assert.deepEqual([...(await rows.leavesAfter(7))], []);
      assert.deepEqual((await rows.list(3)).map((e) => e.eventID), ['event-1', 'event-2', 'event-3']);
      const f = (await rows.frontier());
      assert.equal(f.size, 7);
      assert.deepEqual(f.root(), rootOf(leaves));
    }));

    it('rebuilds the frontier when the interior nodes are missing', withAuditStore(factory, async ({ uow, rows }) => {
      const leaves = await uow.runNow(async () => storeEvents(rows, 6, false));
      assert.deepEqual((await rows.frontier()).root(), rootOf(leaves));
      // The rebuilt nodes are stored: a stored node again refuses a duplicate.
      await assert.rejects(uow.runNow(async () => rows.insertEvents([], [[1, 0, Buffer.alloc(32)]])));
    }));

    it('stores a batch of events, their key rows and completed nodes in one call; a failing batch stores none of it', withAuditStore(factory, async ({ uow, rows }) => {
      const f = new MerkleFrontier();
      const batch = [1, 2, 3, 4].map((i) => {
        const event: AuditEvent = { ...sampleEvent(i), arca: { sequence: i, chainId: 'c', leafHash: '' } };
        return { sequence: i, event, leafHash: leafHash(Buffer.from(`leaf ${i}`)), body: JSON.stringify(event) };
      });
      const nodes: [number, number, Buffer][] = [];
      for (const r of batch) f.append(r.leafHash, (level, index, hash) => void nodes.push([level, index, hash]));
      assert.equal(nodes.length, 3, 'four leaves complete (1,0), (1,1) and (2,0)');
      await uow.runNow(async () => rows.insertEvents(batch, nodes));
      assert.deepEqual([...(await rows.leavesAfter(0))].map((r) => r.sequence), [1, 2, 3, 4]);
      assert.deepEqual((await rows.frontier()).root(), f.root());
      // Event 5 with a node that already exists: the whole batch is refused and event 5 is not kept.
      const fifth: AuditEvent = { ...sampleEvent(5), arca: { sequence: 5, chainId: 'c', leafHash: '' } };
      await assert.rejects(uow.runNow(async () => rows.insertEvents([{ sequence: 5, event: fifth, leafHash: Buffer.alloc(32), body: '{}' }], [nodes[0] as [number, number, Buffer]])));
      assert.deepEqual([...(await rows.leavesAfter(0))].map((r) => r.sequence), [1, 2, 3, 4]);
    }));

    it('refuses a second event with the same event id or sequence, changing nothing', withAuditStore(factory, async ({ uow, rows }) => {
      await uow.runNow(async () => storeEvents(rows, 1));
      const again = sampleEvent(1);
      await assert.rejects(uow.runNow(async () => rows.insertEvents([{ sequence: 2, event: again, leafHash: Buffer.alloc(32), body: '{}' }], [])));
      await assert.rejects(uow.runNow(async () => rows.insertEvents([{ sequence: 1, event: sampleEvent(2), leafHash: Buffer.alloc(32), body: '{}' }], [])));
      assert.deepEqual([...(await rows.leavesAfter(0))].map((r) => r.sequence), [1]);
    }));

    it('prune drops old bodies but keeps sequence and leaf hash', withAuditStore(factory, async ({ uow, rows }) => {
      const leaves = await uow.runNow(async () => storeEvents(rows, 4, true, (i) => `2026-01-0${i}T00:00:00.000Z`));
      assert.equal(await rows.prune('2026-01-03T00:00:00.000Z'), 2);
      assert.equal(await rows.prune('2026-01-03T00:00:00.000Z'), 0, 'already pruned');
      assert.deepEqual((await rows.list(10)).map((e) => e.eventID), ['event-3', 'event-4']);
      assert.deepEqual([...(await rows.leavesAfter(0))].map((r) => r.leafHash), leaves);
    }));

    it('tree heads: the latest size is the largest stored', withAuditStore(factory, async ({ uow, rows }) => {
      assert.equal((await rows.latestTreeHeadSize()), 0);
      const head = (n: number) => ({ treeSize: n, rootHash: Buffer.alloc(32, n), timestamp: 't', signature: Buffer.from('s'), checkpointSignature: Buffer.from('c') });
      await uow.runNow(async () => rows.insertTreeHead(head(8)));
      await uow.runNow(async () => rows.insertTreeHead(head(3)));
      assert.equal((await rows.latestTreeHeadSize()), 8);
      await assert.rejects(uow.runNow(async () => rows.insertTreeHead(head(8))));
    }));

    it('keeps one signing key', withAuditStore(factory, async ({ rows }) => {
      assert.equal((await rows.getSigningKey()), undefined);
      await rows.putSigningKey(Buffer.from('pub'), { domainKeyVersion: 2, wrapped: Buffer.from('wrapped') });
      assert.deepEqual((await rows.getSigningKey()), { publicKey: Buffer.from('pub'), wrapped: { domainKeyVersion: 2, wrapped: Buffer.from('wrapped') } });
      await assert.rejects(rows.putSigningKey(Buffer.from('other'), { domainKeyVersion: 3, wrapped: Buffer.from('x') }));
    }));

    it('clearEvents removes events and nodes; no legacy events in a fresh store', withAuditStore(factory, async ({ uow, rows }) => {
      await uow.runNow(async () => storeEvents(rows, 3));
      assert.equal((await rows.legacyEvents()), undefined);
      await uow.runNow(async () => rows.clearEvents());
      assert.deepEqual([...(await rows.leavesAfter(0))], []);
      assert.equal((await rows.frontier()).size, 0);
      await uow.runNow(async () => storeEvents(rows, 2));
      assert.equal((await rows.frontier()).size, 2);
    }));
  });
}
