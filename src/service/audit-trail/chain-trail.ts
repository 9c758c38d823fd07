import type { AuditTrail } from '../../core/ports.js';
import { KmsError } from '../../core/errors.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { str } from '../pipeline/schemas.js';

/** The `ChainId` input member of the audit operations (issue 14: one chain per node on PostgreSQL). */
export const chainIdMember = str(1, 64).optional().describe("The audit chain to read (ArcaService.ListAuditChains lists them); this node's chain by default.");

/**
 * The trail over chain `chainId`: this node's own trail when it is undefined or names this node's chain;
 * another node's as a read-only trail. An unknown chain id is NotFound.
 */
export async function trailFor(deps: Pick<ServiceDeps, 'auditTrail' | 'auditChains'>, chainId: string | undefined): Promise<AuditTrail> {
  if (chainId === undefined || chainId === deps.auditTrail.chainId()) return deps.auditTrail;
  const trail = await deps.auditChains.trailOf(chainId);
  if (trail === undefined) throw new KmsError('NotFound', `No audit chain ${chainId} exists.`);
  return trail;
}
