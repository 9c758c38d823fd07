import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';
import { chainIdMember, trailFor } from './chain-trail.js';

/**
 * ArcaService.ExportAuditLog: the trail (this node's chain, or `ChainId`'s) oldest first from FromSequence (for `arca audit export|verify`),
 * each entry `{ Sequence, LeafHash, Event? }` (no Event once retention pruned it), and on the first page
 * the chain id, the signing public key (bytes, encoded by the transport) and every signed tree head.
 */
export const exportAuditLog = defineOperation({
  service: 'ArcaService',
  name: 'ExportAuditLog',
  description: 'Exports the audit trail oldest first, with the signing public key and signed tree heads, for offline verification.',
  effect: 'read',
  uses: ['auditTrail', 'auditChains'] as const,
  input: z.object({ FromSequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('The sequence number of the first event to export (1 by default).'), Limit: z.number().int().min(1).max(1000).optional().describe('The most events to export in this response (1 to 1000).'), ChainId: chainIdMember }),
  keys: {},
  async execute(input, _ctx, deps) {
    const trail = await trailFor(deps, input.ChainId);
    const from = input.FromSequence ?? 1;
    const limit = input.Limit ?? 500;
    // An export starts with a fresh tree head, so that everything recorded until now is signed (on this
    // node's chain; another node's is exported as it signed it).
    if (from === 1) await trail.checkpoint();
    const entries = await trail.entriesInRange(from, from + limit - 1);
    const last = entries.at(-1);
    const heads = from === 1 ? await trail.treeHeads() : undefined;
    return {
      Entries: entries.map((e) => ({ Sequence: e.sequence, LeafHash: e.leafHash, ...(e.event !== undefined && { Event: e.event }) })),
      ...(entries.length === limit && last !== undefined && { NextSequence: last.sequence + 1 }),
      ...(heads !== undefined && {
        ChainId: trail.chainId(),
        PublicKey: trail.publicKey(),
        TreeHeads: heads,
      }),
    };
  },
  auditRequest: (i) => ({ fromSequence: i.FromSequence, limit: i.Limit, chainId: i.ChainId }),
});
