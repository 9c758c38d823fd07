import { KmsError } from '../../core/errors.js';
import type { SealControl } from '../../core/custody.js';
import type { SealStatus } from '../../core/ports.js';
import type { ServiceDeps } from '../pipeline/deps.js';

/** The seal controller, or UnsupportedOperation when the root of trust is not a sealed one (dev mode). */
export function sealingOf(deps: Pick<ServiceDeps, 'sealing'>): SealControl {
  if (deps.sealing === undefined) throw new KmsError('UnsupportedOperation', 'This server has no sealed root of trust (dev mode is always unsealed).');
  return deps.sealing;
}

/** A seal status as the ArcaService operations answer it. */
export function sealStatusOutput(s: SealStatus) {
  return {
    Initialized: s.initialized,
    Sealed: s.sealed,
    RootType: s.kind,
    Threshold: s.threshold,
    Shares: s.shares,
    Progress: s.progress,
    ShareSetId: s.shareSetId,
    SealedReason: s.reason,
  };
}

export type SealStatusOutput = ReturnType<typeof sealStatusOutput>;

export function auditSealStatus(o: SealStatusOutput): Record<string, unknown> {
  return { initialized: o.Initialized, sealed: o.Sealed, rootType: o.RootType, threshold: o.Threshold, progress: o.Progress };
}

/** Shares per custodian and threshold, with Arca's defaults (5 and 3) and limits (1 ≤ t ≤ n ≤ 16). */
export function checkShareParams(shares: number | undefined, threshold: number | undefined): { shares: number; threshold: number } {
  const n = shares ?? 5;
  const t = threshold ?? Math.min(3, n);
  if (t > n) throw new KmsError('ValidationFailed', `Threshold (${t}) must not exceed Shares (${n}).`);
  return { shares: n, threshold: t };
}
