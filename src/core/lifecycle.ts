/**
 * The key lifecycle's vocabulary and AWS's limits: rotation settings, versions as rotations, deletion
 * windows and destruction records. Storage is behind {@link KeyLifecycleStore} in ports.ts.
 */

export const DAY_MS = 86_400_000;

/** AWS's rotation period range and default (days). The minimum can be lowered by configuration. */
export const ROTATION_PERIOD = { awsMin: 90, max: 2560, default: 365, absoluteMin: 1 } as const;

/** AWS's deletion waiting period range and default (days). */
export const PENDING_WINDOW = { min: 7, max: 30, default: 30 } as const;

/** AWS allows this many on-demand rotations per key over its lifetime. */
export const MAX_ON_DEMAND_ROTATIONS = 10;

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

/** A key's automatic-rotation settings. `nextRotationAt` is set exactly when rotation is enabled. */
export interface RotationSettings {
  readonly enabled: boolean;
  readonly periodDays: number;
  readonly nextRotationAt?: Date | undefined;
}

/** One version of a key as the lifecycle sees it: when it was made and by which kind of rotation. */
export interface KeyVersionInfo {
  readonly version: number;
  readonly createdAt: Date;
  /** Absent for version 1, which was made by CreateKey. */
  readonly rotationType?: RotationType | undefined;
}

/** What remains of a destroyed key's material: which versions were shredded, and when. */
export interface DestructionRecord {
  readonly keyId: string;
  readonly versions: readonly number[];
  readonly destroyedAt: Date;
}

/** The next automatic rotation after `from` for a period in days. */
export function nextRotation(from: Date, periodDays: number): Date {
  return new Date(from.getTime() + periodDays * DAY_MS);
}
