/**
 * Dev mode only (`arca dev`, issue 20): emptying the state between the tests of a suite
 * (`ArcaService.Reset`, `POST /moto-api/reset`). `arca server` has no such port: its composition never
 * makes one, so the operation refuses there.
 */

/** What a reset removed. */
export interface WipeCounts {
  readonly keys: number;
  readonly principals: number;
}

/** Empties a store's keys and principals; the audit trail, the domain keys and the seal configuration stay. */
export interface DevStateStore {
  /**
   * In the caller's unit of work: deletes every key (versions, aliases, tags, policies, rotation settings,
   * destruction records, grants, import tokens and records), every approval rule and request, and every
   * principal except those in `keepPrincipalIds` (with their access keys, tags, policies, trust policies,
   * sessions and MFA devices).
   */
  wipe(keepPrincipalIds: readonly string[]): Promise<WipeCounts>;
}

/** What dev mode gives the service beyond the store: the principals a reset never removes. */
export interface DevMode {
  readonly state: DevStateStore;
  /** The bootstrap administrator's principal id (its printed credentials keep working after a reset). */
  keptPrincipalIds(): readonly string[];
}
