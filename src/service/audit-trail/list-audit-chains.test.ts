import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../../core/audit.js';
import { harness, type Harness } from '../../../test/helpers/operation-harness.js';
import { assertAudited, expectFailure, outsider } from '../../../test/helpers/operation-spec.js';

const arca = { service: 'ArcaService' } as const;

describe('ListAuditChains and ChainId on the audit operations, on SQLite: one chain (operation spec)', () => {
  let h: Harness;
  let chainId: string;
  before(async () => {
    h = await harness();
    await h.key();
    chainId = String((await h.ok('GetAuditCheckpoint', {}, arca))['ChainId']);
  });
  after(() => h.close());

  it("lists the store's one chain, this node's, with its public key and latest head, and records the call", async () => {
    const out = (await h.ok('ListAuditChains', {}, arca)) as { ThisChainId: string; Chains: { Node: string; ChainId: string; Events: number; ThisNode: boolean; PublicKey: Buffer; LatestTreeHead?: { TreeSize: number } }[] };
    assert.equal(out.ThisChainId, chainId);
    assert.equal(out.Chains.length, 1);
    const [c] = out.Chains;
    assert.equal(c?.ChainId, chainId);
    assert.equal(c?.ThisNode, true);
    assert.equal(c?.PublicKey.length, 32);
    assert.ok((c?.Events ?? 0) >= (c?.LatestTreeHead?.TreeSize ?? Infinity));
    assertAudited(h, { eventName: 'ListAuditChains', principal: h.admin });
  });

  it('refuses a caller without rights with AccessDenied', async () => {
    await expectFailure(h, 'ListAuditChains', {}, 'AccessDenied', { as: await outsider(h), ...arca });
  });

  it("ChainId naming this node's chain answers as without it; an unknown one is NotFound on every audit read", async () => {
    const own = (await h.ok('ExportAuditLog', { ChainId: chainId, Limit: 5 }, arca)) as { ChainId: string; Entries: unknown[] };
    assert.equal(own.ChainId, chainId);
    assert.equal(own.Entries.length, 5);
    assert.equal((await h.ok('GetAuditProof', { ChainId: chainId, Sequence: 1 }, arca))['ChainId'], chainId);
    for (const [op, input] of [['ExportAuditLog', {}], ['GetAuditCheckpoint', {}], ['GetAuditProof', { Sequence: 1 }], ['ListAuditEvents', {}]] as const) {
      assert.equal((await h.fails(op, { ...input, ChainId: 'no-such-chain' }, arca)).code, 'NotFound', op);
    }
  });

  it('AllNodes lists the one chain as ListAuditEvents does, paged with its own marker; AllNodes with ChainId is refused', async () => {
    const plain = ((await h.ok('ListAuditEvents', { Limit: 1000 }, arca))['Events'] as AuditEvent[]).map((e) => e.eventID);
    const merged: string[] = [];
    let marker: string | undefined;
    do {
      const page = await h.ok('ListAuditEvents', { AllNodes: true, Limit: 3, ...(marker !== undefined && { Marker: marker }) }, arca);
      merged.push(...(page['Events'] as AuditEvent[]).map((e) => e.eventID));
      marker = page['NextMarker'] as string | undefined;
    } while (marker !== undefined);
    // The merge pages from the newest event when it began: the plain listing's own event, then what it listed.
    assert.deepEqual(merged.slice(1), plain);
    assert.equal(h.events().find((e) => e.eventID === merged[0])?.eventName, 'ListAuditEvents');
    assert.equal((await h.fails('ListAuditEvents', { AllNodes: true, ChainId: chainId }, arca)).code, 'ValidationFailed');
    assert.equal((await h.fails('ListAuditEvents', { AllNodes: true, Marker: '5' }, arca)).code, 'InvalidMarker');
  });
});
