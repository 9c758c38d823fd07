/**
 * The regions one deployment serves (issue 20, ADR 0022): each is a namespace of keys and aliases; the
 * region of a request is its SigV4 credential scope's.
 */

/** An AWS region name's shape (`us-east-1`, `eu-central-1`, `us-gov-west-1`). */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** `any` (dev mode) accepts this many regions at most, so that a client cannot make unbounded state. */
export const MAX_ANY_REGIONS = 32;

export interface RegionSet {
  /** The region of unsigned requests and of the scheduler's own events; always served. */
  readonly home: string;
  /** The regions served besides `home`, or `any` well-formed region (`arca dev`'s default). */
  readonly others: readonly string[] | 'any';
}

/** Whether `region` is served (with `any`, every well-formed name; the caller bounds how many it keeps). */
export function servesRegion(set: RegionSet, region: string): boolean {
  if (region === set.home) return true;
  return set.others === 'any' ? REGION_PATTERN.test(region) : set.others.includes(region);
}
