import { z } from 'zod';
import { STALE_AFTER_MS } from '../../core/cluster.js';
import { defineOperation } from '../pipeline/operation.js';

/**
 * `ArcaService.ListClusterNodes`: every node of the cluster as it last reported itself (seal state,
 * scheduler leadership, version), `stale` when not heard from for {@link STALE_AFTER_MS}. Authenticated:
 * the topology is not for anonymous callers (GetSealStatus answers for the node asked only).
 */
export const listClusterNodes = defineOperation({
  service: 'ArcaService',
  name: 'ListClusterNodes',
  description: "Lists the cluster's nodes with their seal state, scheduler leadership, version and last heartbeat.",
  effect: 'read',
  uses: ['cluster'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    const nodes = await deps.cluster.nodes.list();
    return {
      ThisNode: deps.cluster.node,
      Nodes: nodes.map((n) => ({
        Name: n.node,
        Status: n.secondsSinceSeen * 1000 > STALE_AFTER_MS ? 'stale' : 'up',
        Sealed: n.sealed,
        Leader: n.leader,
        Version: n.version,
        StartedAt: n.startedAt,
        LastSeen: n.lastSeenAt,
        SecondsSinceSeen: Math.round(n.secondsSinceSeen * 10) / 10,
      })),
    };
  },
  auditRequest: () => ({}),
});
