import { throttled } from '../../core/errors.js';
import type { KeySpec } from '../../core/key.js';
import type { Clock } from '../../core/ports.js';

/**
 * Request quotas like AWS KMS's (issue 16): token buckets per principal and per key, for each class of
 * operation. A request over any of its buckets answers `ThrottlingException` ("Rate exceeded", as AWS),
 * which SDKs retry with backoff. Checked once the caller is authenticated and its keys authorized (a
 * refused caller learns nothing about a key from a throttle), before the operation runs.
 */

/** AWS's request-quota classes, as Arca groups them. */
export const QUOTA_CLASSES = ['symmetric', 'asymmetric', 'generateRandom', 'management'] as const;
export type QuotaClass = (typeof QUOTA_CLASSES)[number];

/** Requests per second for each class (absent: unlimited). The burst is one second's worth. */
export type ClassRates = Partial<Readonly<Record<QuotaClass, number>>>;

export interface QuotaConfig {
  /** Every principal's default rates. */
  readonly perPrincipal?: ClassRates | undefined;
  /** Every key's default rates (all callers together). */
  readonly perKey?: ClassRates | undefined;
  /** Rates for named principals (by ARN), replacing `perPrincipal` class by class. */
  readonly principals?: Readonly<Record<string, ClassRates>> | undefined;
  /** Rates for named keys (by key ARN or key id), replacing `perKey` class by class. */
  readonly keys?: Readonly<Record<string, ClassRates>> | undefined;
}

/** The operations AWS counts as cryptographic; their class follows the key (symmetric or asymmetric). */
const CRYPTO = new Set(['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'Sign', 'Verify', 'DeriveSharedSecret', 'Encapsulate', 'Decapsulate', 'GetPublicKey']);
/** Data key pairs count against the asymmetric quota whatever the KMS key (AWS counts them by pair spec). */
const ALWAYS_ASYMMETRIC = new Set(['GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'DeriveSharedSecret', 'Encapsulate', 'Decapsulate', 'GetPublicKey']);

/** The quota class of operation `name` on keys of `specs` (the first key decides, as the one AWS meters). */
export function quotaClass(name: string, specs: readonly KeySpec[]): QuotaClass {
  if (name === 'GenerateRandom') return 'generateRandom';
  if (ALWAYS_ASYMMETRIC.has(name)) return 'asymmetric';
  if (!CRYPTO.has(name)) return 'management';
  const spec = specs[0];
  return spec === undefined || spec === 'SYMMETRIC_DEFAULT' || spec.startsWith('HMAC_') ? 'symmetric' : 'asymmetric';
}

/** Buckets kept at most; reaching it forgets the full (idle) ones first, then all: memory stays bounded. */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  at: number;
  rate: number;
}

/** What the pipeline asks: may this caller run this operation on these keys now? */
export interface QuotaGate {
  /** Takes a token from each bucket that applies; throws `Throttled` (and takes none) when one is empty. */
  admit(request: { readonly principalArn: string; readonly operation: string; readonly keys: readonly { readonly arn: string; readonly id: string; readonly keySpec: KeySpec }[] }): void;
}

/**
 * The quotas of one node. In a cluster every node enforces its share: each rate is divided by the number
 * of nodes serving ({@link setShare}), so the cluster as a whole allows the configured rate.
 */
export class RequestQuotas implements QuotaGate {
  readonly #clock: Clock;
  #config: QuotaConfig;
  #nodes = 1;
  readonly #buckets = new Map<string, Bucket>();
  #throttled = 0;

  constructor(config: QuotaConfig, clock: Clock) {
    this.#config = config;
    this.#clock = clock;
  }

  /** Replaces the rates (hot reload); buckets keep their tokens, capped at the new bursts as they refill. */
  update(config: QuotaConfig): void {
    this.#config = config;
  }

  /** How many nodes share the configured rates (at least 1). */
  setShare(nodes: number): void {
    this.#nodes = Math.max(1, Math.floor(nodes));
  }

  /** Requests refused since the start. */
  get throttledTotal(): number {
    return this.#throttled;
  }

  admit(request: { readonly principalArn: string; readonly operation: string; readonly keys: readonly { readonly arn: string; readonly id: string; readonly keySpec: KeySpec }[] }): void {
    const c = this.#config;
    const cls = quotaClass(request.operation, request.keys.map((k) => k.keySpec));
    const limits: [string, number][] = [];
    const principalRate = c.principals?.[request.principalArn]?.[cls] ?? c.perPrincipal?.[cls];
    if (principalRate !== undefined) limits.push([`p|${request.principalArn}|${cls}`, principalRate]);
    for (const key of request.keys) {
      const keyRate = (c.keys?.[key.arn] ?? c.keys?.[key.id])?.[cls] ?? c.perKey?.[cls];
      if (keyRate !== undefined) limits.push([`k|${key.arn}|${cls}`, keyRate]);
    }
    if (limits.length === 0) return;
    const now = this.#clock.now().getTime();
    const buckets = limits.map(([id, rate]) => ({ bucket: this.#refilled(id, rate / this.#nodes, now), rate: rate / this.#nodes }));
    // All or none: a request refused by one bucket takes nothing from the others.
    if (buckets.some((b) => b.bucket.tokens < 1)) {
      this.#throttled++;
      throw throttled();
    }
    for (const b of buckets) b.bucket.tokens -= 1;
  }

  #refilled(id: string, rate: number, now: number): Bucket {
    let bucket = this.#buckets.get(id);
    const burst = Math.max(1, rate);
    if (bucket === undefined) {
      if (this.#buckets.size >= MAX_BUCKETS) this.#evict(now);
      bucket = { tokens: burst, at: now, rate };
      this.#buckets.set(id, bucket);
      return bucket;
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    bucket.rate = rate;
    return bucket;
  }

  /** Forgets the buckets that have refilled (a new one starts full: nothing is lost); all of them if none has. */
  #evict(now: number): void {
    for (const [id, b] of this.#buckets) if (b.tokens + ((now - b.at) / 1000) * b.rate >= Math.max(1, b.rate)) this.#buckets.delete(id);
    if (this.#buckets.size >= MAX_BUCKETS) this.#buckets.clear();
  }
}
