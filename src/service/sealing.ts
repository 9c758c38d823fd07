import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { Realm } from '../core/arn.js';
import { KmsError } from '../core/errors.js';
import type { Clock, KeyStore, Logger, PrincipalStore, SealableRoot, SealStatus } from '../core/ports.js';
import { ensureAdmin, type AdminCredentials } from './bootstrap.js';
import type { KeyHierarchy } from './key-hierarchy.js';

export interface SealingDeps {
  readonly root: SealableRoot;
  readonly hierarchy: KeyHierarchy;
  readonly keys: Pick<KeyStore, 'listDomainKeys'>;
  readonly principals: PrincipalStore;
  readonly realm: Realm;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called on seal after the hierarchy is zeroed: drop every other cache derived from secrets (SigV4 signing keys). */
  readonly onSeal: readonly (() => void)[];
}

/** What `InitializeRoot` hands out, once. */
export interface InitializeResult {
  readonly shares: SecretBytes[];
  readonly admin: AdminCredentials;
}

/**
 * The seal life cycle of a sealed root of trust (DESIGN.md §2): initialize, unseal (then open the key
 * hierarchy), seal (zero the root, the domain keys and every cache), rekey. The operations
 * GetSealStatus, Unseal, Seal, InitializeRoot and Rekey are thin wrappers around this.
 */
export class SealController {
  readonly #d: SealingDeps;
  #opening: Promise<void> | undefined;
  #initializing = false;

  constructor(deps: SealingDeps) {
    this.#d = deps;
  }

  status(): SealStatus {
    const s = this.#d.root.status();
    // Unsealed means usable: the root is open AND the domain keys are loaded.
    return { ...s, sealed: s.sealed || !this.#d.hierarchy.isOpen };
  }

  /**
   * Creates the root of trust, the first domain key and the initial administrator, then seals again:
   * the operator unseals with the shares, like any later start. Only while uninitialized.
   */
  async initialize(shares: number, threshold: number): Promise<InitializeResult> {
    const d = this.#d;
    if (d.root.status().initialized || this.#initializing) throw new KmsError('InvalidSealState', 'The root of trust is already initialized.');
    this.#initializing = true;
    try {
      if ((await d.keys.listDomainKeys()).length > 0) {
        throw new KmsError('InvalidSealState', 'The store already holds domain keys wrapped under another root; initialize an empty data directory.');
      }
      const out = await d.root.initialize(shares, threshold);
      try {
        await d.hierarchy.open();
        const admin = await ensureAdmin({ principals: d.principals, keyring: d.hierarchy, realm: d.realm, clock: d.clock });
        d.logger.info('root of trust initialized', { kind: d.root.kind, shares, threshold, admin: admin.principalArn });
        return { shares: out, admin };
      } catch (e) {
        for (const s of out) s.dispose();
        throw e;
      } finally {
        // A Shamir root is sealed again (the custodians unseal, as after any start); an HSM root stays open.
        if (d.root.probe === undefined) this.seal();
      }
    } finally {
      this.#initializing = false;
    }
  }

  /** Adds one share; when the quorum is reached and verified, loads the domain keys. */
  async unseal(share: Uint8Array | undefined): Promise<SealStatus> {
    if (share === undefined && this.#d.root.probe === undefined) throw new KmsError('ValidationFailed', 'Share is required to unseal a Shamir root.');
    const status = await this.#d.root.submitShare(share ?? new Uint8Array());
    if (!status.sealed) await this.openHierarchy();
    return this.status();
  }

  /** Loads the domain keys once the root is unsealed (also used by roots that unseal themselves, e.g. an HSM). */
  async openHierarchy(): Promise<void> {
    const d = this.#d;
    if (d.hierarchy.isOpen) return;
    this.#opening ??= d.hierarchy.open().then(
      () => {
        this.#opening = undefined;
        d.logger.info('unsealed', { kind: d.root.kind });
      },
      (e: unknown) => {
        this.#opening = undefined;
        this.seal();
        throw e;
      },
    );
    return this.#opening;
  }

  /**
   * For roots that unseal themselves (an HSM), run at start and periodically: seals the hierarchy when the
   * root became unreachable (fail closed) and reopens it when the root is back.
   */
  async refresh(): Promise<void> {
    const d = this.#d;
    if (d.root.probe === undefined || !d.root.status().initialized) return;
    const up = await d.root.probe();
    if (!up) {
      const held = d.hierarchy.heldSecrets > 0;
      d.hierarchy.seal();
      for (const hook of d.onSeal) hook();
      if (held) d.logger.error('the root of trust is unreachable: sealed until it returns', { kind: d.root.kind });
    } else if (!d.hierarchy.isOpen) {
      await this.openHierarchy();
    }
  }

  /** Zeroes the root key, the domain keys, cached key material and every derived cache. Idempotent. */
  seal(): void {
    const d = this.#d;
    d.root.seal();
    d.hierarchy.seal();
    for (const hook of d.onSeal) hook();
  }

  async rekey(currentShares: readonly Uint8Array[], shares: number, threshold: number): Promise<SecretBytes[]> {
    return this.#d.root.rekey(currentShares, shares, threshold);
  }
}
