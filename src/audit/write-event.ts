import { canonicalEventText, recordedEventText, type AuditEvent } from '../core/audit.js';
import type { AuditEventRow, AuditRows, MerkleNodeRow } from '../core/audit-rows.js';
import { leafHash, type MerkleFrontier } from '../crypto/merkle.js';

/**
 * Places `draft` as the next event of `frontier` (sequence, chain id, leaf hash; canonical text stored),
 * appending its leaf to `frontier` (a working copy: the writer keeps it only once the rows commit), and
 * answers the row to insert with the Merkle nodes it completed.
 */
export function stageEvent(chainId: string, draft: AuditEvent, frontier: MerkleFrontier): { readonly row: AuditEventRow; readonly nodes: MerkleNodeRow[] } {
  const sequence = frontier.size + 1;
  const arca = { sequence, chainId, leafHash: '' };
  const e: AuditEvent = { ...draft, arca };
  const canonical = canonicalEventText(e);
  const leaf = leafHash(Buffer.from(canonical, 'utf8'));
  arca.leafHash = leaf.toString('hex');
  // Stored canonical (verifiers then hash the text as it is): no second serialization either.
  const body = recordedEventText(canonical, chainId, arca.leafHash) ?? JSON.stringify(e);
  const nodes: MerkleNodeRow[] = [];
  frontier.append(leaf, (level, index, hash) => void nodes.push([level, index, hash]));
  return { row: { sequence, event: e, leafHash: leaf, body }, nodes };
}

/** Inserts `drafts` as the next events of `frontier`, in one call to the store; answers them as recorded. */
export async function writeEvents(rows: AuditRows, chainId: string, drafts: readonly AuditEvent[], frontier: MerkleFrontier): Promise<AuditEvent[]> {
  const staged = drafts.map((d) => stageEvent(chainId, d, frontier));
  await rows.insertEvents(
    staged.map((s) => s.row),
    staged.flatMap((s) => s.nodes),
  );
  return staged.map((s) => s.row.event);
}
