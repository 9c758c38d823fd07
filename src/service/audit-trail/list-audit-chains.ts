import { z } from 'zod';
import { defineOperation } from '../pipeline/operation.js';

/**
 * `ArcaService.ListAuditChains`: every audit chain of the store (issue 14: each node of a cluster writes
 * its own; SQLite has one), by node name, with its event count, newest signed tree head and signing
 * public key (bytes, encoded by the transport). `arca audit verify` walks it, verifying each chain
 * against its own key. Authenticated, read-only.
 */
export const listAuditChains = defineOperation({
  service: 'ArcaService',
  name: 'ListAuditChains',
  description: "Lists the store's audit chains (one per node in a cluster) with event counts, latest signed tree heads and public keys.",
  effect: 'read',
  uses: ['auditTrail', 'auditChains'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const chains = await deps.auditChains.list();
    const own = deps.auditTrail.chainId();
    return {
      ThisChainId: own,
      Chains: chains.map((c) => ({
        Node: c.node,
        ChainId: c.chainId,
        Events: c.events,
        ThisNode: c.chainId === own,
        PublicKey: c.publicKey,
        ...(c.latestTreeHead !== undefined && {
          LatestTreeHead: { TreeSize: c.latestTreeHead.treeSize, RootHash: c.latestTreeHead.rootHash, Timestamp: c.latestTreeHead.timestamp, Signature: c.latestTreeHead.signature },
        }),
      })),
    };
  },
  auditRequest: () => ({}),
});
