import { z } from 'zod';
import type { TreeHead } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { AuditTrail } from '../../core/ports.js';
import { defineOperation } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';
import { chainIdMember, trailFor } from './chain-trail.js';

const treeSize = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

function wireHead(h: TreeHead) {
  return { TreeSize: h.treeSize, RootHash: h.rootHash, Timestamp: h.timestamp, Signature: h.signature };
}

async function headOf(trail: AuditTrail, size: number | undefined, atLeast: number): Promise<TreeHead> {
  if (size !== undefined) {
    const head = await trail.treeHead(size);
    if (head === undefined) throw new KmsError('NotFound', `No signed tree head of size ${size} exists.`);
    if (size < atLeast) throw new KmsError('ValidationFailed', `The tree head of size ${size} does not cover sequence ${atLeast}.`);
    return head;
  }
  let latest = await trail.latestTreeHead();
  if (latest === undefined || latest.treeSize < atLeast) latest = await trail.checkpoint();
  if (latest === undefined || latest.treeSize < atLeast) throw new KmsError('NotFound', 'No signed tree head covers the requested event yet.');
  return latest;
}

/**
 * ArcaService.GetAuditProof: an RFC 9162 inclusion proof of one event (by EventId or Sequence) in a signed
 * tree head (TreeSize, default the latest, signing one now if needed), and/or a consistency proof from the
 * tree head of FirstTreeSize to it, on this node's chain or `ChainId`'s. Hashes are hex; the public key is bytes (the transport encodes them), signatures as stored.
 */
export const getAuditProof = defineOperation({
  service: 'ArcaService',
  name: 'GetAuditProof',
  description: 'Returns an inclusion proof of an audit event and/or a consistency proof between two signed tree heads.',
  effect: 'read',
  uses: ['auditTrail', 'auditChains'] as const,
  input: z
    .object({ EventId: str(1, 64).optional().describe('The event to prove included, by its event ID (or give Sequence).'), Sequence: treeSize.optional().describe('The event to prove included, by its sequence number (or give EventId).'), TreeSize: treeSize.optional().describe('The size of the signed tree head to prove against (the latest by default).'), FirstTreeSize: treeSize.optional().describe('Also proves that the tree of this size is a prefix of the tree head (a consistency proof).'), ChainId: chainIdMember })
    .refine((i) => i.EventId !== undefined || i.Sequence !== undefined || i.FirstTreeSize !== undefined, 'One of EventId, Sequence or FirstTreeSize is required'),
  keys: {},
  async execute(input, _ctx, deps) {
    const trail = await trailFor(deps, input.ChainId);
    let sequence = input.Sequence;
    let event;
    if (input.EventId !== undefined) {
      event = await trail.getEvent(input.EventId);
      if (event?.arca === undefined) throw new KmsError('NotFound', `No audit event ${input.EventId} exists.`);
      if (sequence !== undefined && sequence !== event.arca.sequence) throw new KmsError('ValidationFailed', 'EventId and Sequence name different events.');
      sequence = event.arca.sequence;
    }
    const head = await headOf(trail, input.TreeSize, Math.max(sequence ?? 1, input.FirstTreeSize ?? 1));
    const out: Record<string, unknown> = { ChainId: head.chainId, PublicKey: trail.publicKey(), TreeHead: wireHead(head) };
    if (sequence !== undefined) {
      const leaf = sequence <= head.treeSize ? await trail.leafHash(sequence) : undefined;
      if (leaf === undefined) throw new KmsError('NotFound', `No audit event with sequence ${sequence} exists.`);
      if (event === undefined) event = (await trail.entriesInRange(sequence, sequence))[0]?.event;
      out['Sequence'] = sequence;
      out['LeafIndex'] = sequence - 1;
      out['LeafHash'] = leaf.toString('hex');
      if (event !== undefined) out['Event'] = event;
      out['InclusionProof'] = (await trail.inclusionProof(sequence, head.treeSize)).map((h) => h.toString('hex'));
    }
    if (input.FirstTreeSize !== undefined) {
      const first = await headOf(trail, input.FirstTreeSize, 1);
      if (first.treeSize > head.treeSize) throw new KmsError('ValidationFailed', `FirstTreeSize ${first.treeSize} is larger than TreeSize ${head.treeSize}.`);
      out['FirstTreeHead'] = wireHead(first);
      out['ConsistencyProof'] = (await trail.consistencyProof(first.treeSize, head.treeSize)).map((h) => h.toString('hex'));
    }
    return out;
  },
  auditRequest: (i) => ({ eventId: i.EventId, sequence: i.Sequence, treeSize: i.TreeSize, firstTreeSize: i.FirstTreeSize, chainId: i.ChainId }),
});
