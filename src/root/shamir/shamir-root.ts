import { unwrapSecret, wrapSecret } from '../../crypto/key-wrap.js';
import { randomSecret } from '../../crypto/random.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { checkShares, combineShares, newShareSetId, parseShare, ShareError, splitSecret } from '../../crypto/shamir.js';
import { rootWrapBinding, shamirRootBinding } from '../../core/bindings.js';
import { KmsError, sealed } from '../../core/errors.js';
import type { Clock, SealableRoot, SealRecord, SealStatus, SealStore } from '../../core/ports.js';

const KEY_LENGTH = 32;

/**
 * The Shamir root of trust (`root: { type: shamir }`, DESIGN.md §2). The store holds only the root key
 * wrapped under an unseal key; the unseal key exists only while a quorum of shares is being combined,
 * and the combine is verified by unwrapping the AES-GCM-wrapped root (a below-threshold or tampered
 * combine yields wrong bytes, which fail the tag). A wrong, duplicate or mixed-set share resets progress.
 */
export class ShamirRootOfTrust implements SealableRoot {
  readonly kind = 'shamir' as const;
  readonly #store: SealStore;
  readonly #clock: Clock;
  #record: SealRecord | undefined;
  #root: SecretBytes | undefined;
  /** Shares accepted towards the current unseal (copies, zeroed on reset). */
  #pending: Buffer[] = [];
  #busy = false;

  private constructor(store: SealStore, clock: Clock, record: SealRecord | undefined) {
    this.#store = store;
    this.#clock = clock;
    this.#record = record;
  }

  /** Loads the seal record (if initialized); the root starts sealed. */
  static async open(store: SealStore, clock: Clock): Promise<ShamirRootOfTrust> {
    const record = await store.getSealRecord();
    if (record !== undefined && record.kind !== 'shamir') throw new Error(`the data directory was initialized with a ${record.kind} root, not shamir`);
    return new ShamirRootOfTrust(store, clock, record);
  }

  isSealed(): boolean {
    return this.#root === undefined;
  }

  async reload(): Promise<void> {
    if (!this.isSealed() || this.#pending.length > 0 || this.#busy) return;
    const record = await this.#store.getSealRecord();
    if (record !== undefined && record.kind !== 'shamir') throw new Error(`the store was initialized with a ${record.kind} root, not shamir`);
    // Re-checked after the await: a share accepted meanwhile keeps the record it was checked against.
    if (this.isSealed() && this.#pending.length === 0 && record !== undefined) this.#record = record;
  }

  status(): SealStatus {
    const r = this.#record;
    return {
      kind: this.kind,
      initialized: r !== undefined,
      sealed: this.isSealed(),
      threshold: r?.threshold ?? 0,
      shares: r?.shares ?? 0,
      progress: this.#pending.length,
      shareSetId: r?.shareSetId.toString('hex'),
    };
  }

  async initialize(shares: number, threshold: number): Promise<SecretBytes[]> {
    if (this.#record !== undefined) throw new KmsError('InvalidSealState', 'The root of trust is already initialized.');
    const root = randomSecret(KEY_LENGTH);
    const out = await this.#storeUnder(root, shares, threshold);
    this.#root = root;
    return out;
  }

  /** Splits a fresh unseal key, wraps `root` under it and stores the record; returns the new shares. */
  async #storeUnder(root: SecretBytes, shares: number, threshold: number): Promise<SecretBytes[]> {
    if (!Number.isInteger(shares) || !Number.isInteger(threshold) || threshold < 1 || threshold > shares || shares > 16) {
      throw new KmsError('ValidationFailed', `Shares and threshold must satisfy 1 ≤ threshold ≤ shares ≤ 16 (got ${threshold} of ${shares}).`);
    }
    const unsealKey = randomSecret(KEY_LENGTH);
    try {
      const shareSetId = newShareSetId();
      const params = { shareSetId, shares, threshold };
      const record: SealRecord = { kind: 'shamir', ...params, wrappedRoot: wrapSecret(unsealKey, root, shamirRootBinding(params)), initializedAt: this.#clock.now() };
      const out = splitSecret(unsealKey, shares, threshold, shareSetId);
      if (!(await this.#store.putSealRecord(record, this.#record?.shareSetId))) {
        for (const s of out) s.dispose();
        throw new KmsError('InvalidSealState', 'Another node initialized or rekeyed the root of trust meanwhile; nothing was changed here. Check arca operator status.');
      }
      this.#record = record;
      this.#resetProgress();
      return out;
    } finally {
      unsealKey.dispose();
    }
  }

  async submitShare(share: Uint8Array): Promise<SealStatus> {
    const record = this.#record;
    if (record === undefined) throw new KmsError('InvalidSealState', 'The root of trust is not initialized: run arca operator init first.');
    if (!this.isSealed()) return this.status();
    const candidate = Buffer.from(share);
    try {
      const parsed = parseShare(candidate);
      if (!parsed.setId.equals(record.shareSetId)) {
        throw new ShareError('mixed-set', `the share belongs to share set ${parsed.setId.toString('hex')}, not the current set ${record.shareSetId.toString('hex')} (an old share from before a rekey?)`);
      }
      checkShares([...this.#pending, candidate]);
    } catch (e) {
      candidate.fill(0);
      this.#resetProgress();
      if (e instanceof ShareError) throw new KmsError('UnsealFailed', `The share was refused (${e.message}); unseal progress was reset.`);
      throw e;
    }
    this.#pending.push(candidate);
    if (this.#pending.length < record.threshold) return this.status();
    const root = this.#recover(this.#pending, record);
    this.#resetProgress();
    if (root === undefined) throw new KmsError('UnsealFailed', 'The shares do not unlock the root key (a wrong or tampered share); unseal progress was reset.');
    this.#root = root;
    return this.status();
  }

  /**
   * Unseals with the unseal key itself (what a quorum of shares combines to), as a root-of-trust recovery
   * package rebuilds it (recovery-package.ts); verified by unwrapping the stored root like a share quorum.
   * The caller keeps and disposes `unsealKey`.
   */
  unsealWithKey(unsealKey: SecretBytes): SealStatus {
    const record = this.#record;
    if (record === undefined) throw new KmsError('InvalidSealState', 'The root of trust is not initialized.');
    if (!this.isSealed()) return this.status();
    const root = unwrapSecret(unsealKey, record.wrappedRoot, shamirRootBinding(record));
    if (root === undefined) throw new KmsError('UnsealFailed', `The recovered unseal key does not unlock the root key of share set ${record.shareSetId.toString('hex')}.`);
    this.#resetProgress();
    this.#root = root;
    return this.status();
  }

  /** Combines `shares` and verifies the result by unwrapping the stored root; `undefined` when wrong. */
  #recover(shares: readonly Uint8Array[], record: SealRecord): SecretBytes | undefined {
    const unsealKey = combineShares(shares);
    try {
      return unwrapSecret(unsealKey, record.wrappedRoot, shamirRootBinding(record));
    } finally {
      unsealKey.dispose();
    }
  }

  async rekey(currentShares: readonly Uint8Array[], shares: number, threshold: number): Promise<SecretBytes[]> {
    const record = this.#record;
    if (record === undefined) throw new KmsError('InvalidSealState', 'The root of trust is not initialized.');
    if (this.#busy) throw new KmsError('InvalidSealState', 'Another rekey is in progress.');
    let root: SecretBytes | undefined;
    try {
      this.#busy = true;
      const parsed = checkShares(currentShares);
      if (parsed.some((p) => !p.setId.equals(record.shareSetId))) throw new ShareError('mixed-set', 'a share does not belong to the current share set');
      if (parsed.length < record.threshold) throw new ShareError('empty', `rekey needs ${record.threshold} current shares, got ${parsed.length}`);
      root = this.#recover(currentShares, record);
      if (root === undefined) throw new KmsError('UnsealFailed', 'The current shares do not unlock the root key; nothing was changed.');
      return await this.#storeUnder(root, shares, threshold);
    } catch (e) {
      if (e instanceof ShareError) throw new KmsError('UnsealFailed', `Rekey refused: ${e.message}; nothing was changed.`);
      throw e;
    } finally {
      this.#busy = false;
      root?.dispose();
    }
  }

  #resetProgress(): void {
    for (const s of this.#pending) s.fill(0);
    this.#pending = [];
  }

  seal(): void {
    this.#root?.dispose();
    this.#root = undefined;
    this.#resetProgress();
  }

  async wrap(domainKey: SecretBytes, binding: Uint8Array): Promise<Buffer> {
    return wrapSecret(this.#key(), domainKey, rootWrapBinding(binding));
  }

  async unwrap(wrapped: Uint8Array, binding: Uint8Array): Promise<SecretBytes> {
    const plain = unwrapSecret(this.#key(), wrapped, rootWrapBinding(binding));
    if (plain === undefined) throw new KmsError('Internal', 'a domain key failed to unwrap under the root key');
    return plain;
  }

  #key(): SecretBytes {
    if (this.#root === undefined) throw sealed();
    return this.#root;
  }

  /** For tests that pin the seal invariant: secrets held (root key, pending shares). */
  get heldSecrets(): number {
    return (this.#root === undefined ? 0 : 1) + this.#pending.length;
  }
}
