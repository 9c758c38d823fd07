import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { verifyConsistency, verifyInclusion } from '../../src/crypto/merkle.js';
import { verifyCheckpointIndependently } from '../helpers/c2sp-note.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { rawRequest } from '../helpers/raw-request.js';
import { sqliteOf } from '../helpers/in-process.js';

async function call(s: InProcessServer, target: string, input: unknown): Promise<Record<string, unknown>> {
  return (await rawRequest(s, { target, body: JSON.stringify(input) })).json();
}

const hex = (h: unknown): Buffer => Buffer.from(String(h), 'hex');

describe('audit proofs from stored interior hashes (issue 12, item 9)', () => {
  let s: InProcessServer;
  before(async () => {
    s = await startInProcess({ audit: { checkpointEvery: 64 } });
    const keyId = String(((await call(s, 'TrentService.CreateKey', {}))['KeyMetadata'] as { KeyId: string }).KeyId);
    // Three waves: a head is signed at the commit that crosses a multiple of 64, and one wave under load may
    // commit in a single batch; the earlier waves' heads then have the later waves' events after them.
    for (let wave = 0; wave < 3; wave++) await Promise.all(Array.from({ length: 100 }, () => call(s, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: 'AAAA' })));
  });
  after(() => s.close());

  it('GetAuditProof does not read the older leaves: with their stored leaf hashes garbled, proofs of later events still verify', async () => {
    const first = await call(s, 'ArcaService.GetAuditProof', { Sequence: 100 });
    const firstHead = first['TreeHead'] as { TreeSize: number; RootHash: string };
    // A signed head with later events after it (where the heads fall depends on group-commit batches
    // and on the heads signed at unseal, so it is looked up, not assumed to be 128).
    // Any head from 64 up to 21 events before the newest head will do (a busy machine may batch a whole wave).
    const mid = (await s.app.auditTrail.treeHeads()).map((h) => h.treeSize).filter((n) => n >= 64 && n <= firstHead.TreeSize - 21).pop();
    assert.ok(mid !== undefined, `a signed head between 64 and ${firstHead.TreeSize - 21} (heads: ${(await s.app.auditTrail.treeHeads()).map((h) => h.treeSize).join(', ')})`);
    // Garble the leaf hashes up to it: a proof computed from all leaves (O(n)) would no longer match the
    // signed roots; the stored subtree hashes (written with the events) still do.
    // Leaf `mid` itself is kept: when `mid` is odd, that one leaf is the last perfect subtree of the head
    // (level 0 is the leaf's own hash), which a proof of O(log n) stored hashes legitimately reads.
    sqliteOf(s.app).prepare('UPDATE audit_events SET leaf_hash = zeroblob(32) WHERE seq < ?').run(mid);
    const later = mid + 20;
    const p = await call(s, 'ArcaService.GetAuditProof', { Sequence: later, FirstTreeSize: mid });
    const head = p['TreeHead'] as { TreeSize: number; RootHash: string };
    const proof = (p['InclusionProof'] as string[]).map(hex);
    assert.ok(head.TreeSize >= later && head.TreeSize >= firstHead.TreeSize);
    assert.ok(verifyInclusion(hex(p['LeafHash']), later - 1, head.TreeSize, proof, hex(head.RootHash)), 'inclusion');
    const firstOf = p['FirstTreeHead'] as { TreeSize: number; RootHash: string };
    assert.ok(verifyConsistency(mid, head.TreeSize, hex(firstOf.RootHash), hex(head.RootHash), (p['ConsistencyProof'] as string[]).map(hex)), 'consistency');
  });

  it('GetAuditCheckpoint returns the latest tree head as a C2SP signed note that verifies with the trail key', async () => {
    const c = await call(s, 'ArcaService.GetAuditCheckpoint', {});
    assert.equal(typeof c['Checkpoint'], 'string', JSON.stringify(c));
    const publicKey = Buffer.from(String(c['PublicKey']), 'base64');
    const parsed = verifyCheckpointIndependently(String(c['Checkpoint']), publicKey);
    assert.equal(parsed.size, c['TreeSize']);
    assert.equal(parsed.root.toString('hex'), c['RootHash']);
    assert.equal(parsed.origin, c['Origin']);
    const head = (await call(s, 'ArcaService.GetAuditProof', { FirstTreeSize: parsed.size }))['FirstTreeHead'] as { RootHash: string };
    assert.equal(head.RootHash, c['RootHash'], 'the checkpoint and the signed tree head of that size agree');
  });
});
