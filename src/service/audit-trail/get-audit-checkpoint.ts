import { z } from 'zod';
import { checkpointOrigin } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { chainIdMember, trailFor } from './chain-trail.js';

/**
 * ArcaService.GetAuditCheckpoint: the latest signed tree head (signing one now if events are not covered
 * yet) as a C2SP signed-note checkpoint (https://c2sp.org/tlog-checkpoint): `Checkpoint` is the note
 * text (origin, tree size, root hash, a blank line, the signature line; core/audit.ts writes it) —
 * verifiable by any signed-note implementation with the trail's public key. `ChainId`: another node's chain,
 * whose latest stored head is answered (only its own node signs one).
 */
export const getAuditCheckpoint = defineOperation({
  service: 'ArcaService',
  name: 'GetAuditCheckpoint',
  description: 'Returns the latest signed tree head of the audit trail as a C2SP signed-note checkpoint.',
  effect: 'read',
  uses: ['auditTrail', 'auditChains'] as const,
  input: z.object({ ChainId: chainIdMember }),
  keys: {},
  async execute(input, _ctx, deps) {
    const trail = await trailFor(deps, input.ChainId);
    const c = await trail.checkpointNote();
    if (c === undefined) throw new KmsError('NotFound', 'No signed checkpoint exists yet.');
    return {
      Checkpoint: c.note,
      Origin: checkpointOrigin(c.treeHead.chainId),
      KeyName: checkpointOrigin(c.treeHead.chainId),
      PublicKey: trail.publicKey(),
      ChainId: c.treeHead.chainId,
      TreeSize: c.treeHead.treeSize,
      RootHash: c.treeHead.rootHash,
      Timestamp: c.treeHead.timestamp,
    };
  },
  auditRequest: (i) => ({ chainId: i.ChainId }),
});
