import { canonicalEventText, recordedEventText, type AuditEvent } from '../core/audit.js';
import type { AuditRows } from '../core/audit-rows.js';
import { leafHash, type MerkleFrontier } from '../crypto/merkle.js';

/** Inserts `draft` as the next event of `frontier` (sequence, chain id, leaf hash; canonical text stored). */
export async function writeEvent(rows: AuditRows, chainId: string, draft: AuditEvent, frontier: MerkleFrontier): Promise<AuditEvent> {
  const sequence = frontier.size + 1;
  const arca = { sequence, chainId, leafHash: '' };
  const e: AuditEvent = { ...draft, arca };
  const canonical = canonicalEventText(e);
  const leaf = leafHash(Buffer.from(canonical, 'utf8'));
  arca.leafHash = leaf.toString('hex');
  // Stored canonical (verifiers then hash the text as it is): no second serialization either.
  const body = recordedEventText(canonical, chainId, arca.leafHash) ?? JSON.stringify(e);
  await rows.insertEvent({ sequence, event: e, leafHash: leaf, body });
  const completed: [number, number, Buffer][] = [];
  frontier.append(leaf, (level, index, hash) => void completed.push([level, index, hash]));
  // One after another: a PostgreSQL unit runs on one client, which must not get a query while another runs.
  for (const [level, index, hash] of completed) await rows.insertNode(level, index, hash);
  return e;
}
