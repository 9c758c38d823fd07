import type { Realm } from '../core/arn.js';
import { MAX_ANY_REGIONS, servesRegion, type RegionSet } from '../core/regions.js';

/** What each region has of its own: the parts that carry the realm (ADR 0022). */
export interface RegionalPart {
  readonly authenticator: { forgetAll(): void; readonly cachedSigningKeys: number };
}

/**
 * The per-region parts of a deployment (authenticator, authorizer, pipeline, transport), made on a
 * region's first request: the home region's at once, the listed ones or, with `any`, up to
 * {@link MAX_ANY_REGIONS} well-formed ones. Everything else (stores, audit, quotas) is shared.
 */
export class RegionalParts<P extends RegionalPart> {
  readonly #set: RegionSet;
  readonly #realm: Realm;
  readonly #make: (realm: Realm) => P;
  readonly #parts = new Map<string, P>();
  readonly home: P;

  constructor(home: Realm, others: readonly string[] | 'any', make: (realm: Realm) => P) {
    this.#set = { home: home.region, others };
    this.#realm = home;
    this.#make = make;
    this.home = make(home);
    this.#parts.set(home.region, this.home);
  }

  /** The parts of `region`, made on first use; undefined for a region not served. */
  get(region: string): P | undefined {
    const known = this.#parts.get(region);
    if (known !== undefined) return known;
    if (!servesRegion(this.#set, region) || this.#parts.size >= (this.#set.others === 'any' ? MAX_ANY_REGIONS : Infinity)) return undefined;
    const made = this.#make({ ...this.#realm, region });
    this.#parts.set(region, made);
    return made;
  }

  /** Zeroes every region's cached SigV4 signing keys (seal, close). */
  forgetSigningKeys(): void {
    for (const p of this.#parts.values()) p.authenticator.forgetAll();
  }

  /** How many signing keys the regions hold (the seal invariant's test). */
  get cachedSigningKeys(): number {
    let n = 0;
    for (const p of this.#parts.values()) n += p.authenticator.cachedSigningKeys;
    return n;
  }
}
