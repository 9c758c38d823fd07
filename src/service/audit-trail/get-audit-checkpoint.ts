import { z } from 'zod';
import { checkpointOrigin } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';

/**
 * ArcaService.GetAuditCheckpoint: the latest signed tree head (signing one now if events are not covered
 * yet) as a C2SP signed-note checkpoint (https://c2sp.org/tlog-checkpoint): `Checkpoint` is the note
 * text (origin, tree size, root hash, a blank line, the signature line; core/audit.ts writes it) —
 * verifiable by any signed-note implementation with the trail's public key.
 */
export const getAuditCheckpoint = defineOperation({
  service: 'ArcaService',
  name: 'GetAuditCheckpoint',
  description: 'Returns the latest signed tree head of the audit trail as a C2SP signed-note checkpoint.',
  effect: 'read',
  uses: ['auditTrail'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const c = await deps.auditTrail.checkpointNote();
    if (c === undefined) throw new KmsError('NotFound', 'No signed checkpoint exists yet.');
    return {
      Checkpoint: c.note,
      Origin: checkpointOrigin(c.treeHead.chainId),
      KeyName: checkpointOrigin(c.treeHead.chainId),
      PublicKey: deps.auditTrail.publicKey(),
      ChainId: c.treeHead.chainId,
      TreeSize: c.treeHead.treeSize,
      RootHash: c.treeHead.rootHash,
      Timestamp: c.treeHead.timestamp,
    };
  },
  auditRequest: () => ({}),
});
