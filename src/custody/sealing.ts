import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { AdminCredentials, InitializeResult, SealControl } from '../core/custody.js';
import { KmsError } from '../core/errors.js';
import type { Keyring, KeyStore, Logger, RewrapStore, SealableRoot, SealStatus } from '../core/ports.js';
import type { KeyHierarchy } from './key-hierarchy.js';
import { Rewrapper } from './rewrap.js';

export interface SealingDeps {
  readonly root: SealableRoot;
  readonly hierarchy: KeyHierarchy;
  readonly keys: Pick<KeyStore, 'listDomainKeys'>;
  /**
   * Creates the initial administrator (and its policy) once the first domain key exists; the service's
   * bootstrap, handed in by the composition root (custody does not import the service).
   */
  readonly bootstrapAdmin: (keyring: Keyring) => Promise<AdminCredentials>;
  readonly logger: Logger;
  /** Called on seal after the hierarchy is zeroed: drop every other cache derived from secrets (SigV4 signing keys). */
  readonly onSeal: readonly (() => void)[];
  /** Called (and awaited) after each unseal opened the hierarchy: catch-up jobs (due rotations, destructions). */
  readonly onUnseal?: readonly (() => Promise<void>)[] | undefined;
  /** Where the secrets wrapped under domain keys live, for the rewrap after a root rotation. */
  readonly rewrap?: RewrapStore | undefined;
}

export type { InitializeResult };

/**
 * The seal life cycle of a sealed root of trust (DESIGN.md §2): initialize, unseal (then open the key
 * hierarchy), seal (zero the root, the domain keys and every cache), rekey. The operations
 * GetSealStatus, Unseal, Seal, InitializeRoot and Rekey are thin wrappers around this.
 */
export class SealController implements SealControl {
  readonly #d: SealingDeps;
  #opening: Promise<void> | undefined;
  #initializing = false;
  readonly #rewrapper: Rewrapper | undefined;

  constructor(deps: SealingDeps) {
    this.#d = deps;
    this.#rewrapper = deps.rewrap === undefined ? undefined : new Rewrapper(deps.rewrap, deps.hierarchy, deps.logger);
  }

  status(): SealStatus {
    const s = this.#d.root.status();
    // Unsealed means usable: the root is open AND the domain keys are loaded.
    return { ...s, sealed: s.sealed || !this.#d.hierarchy.isOpen };
  }

  async currentStatus(): Promise<SealStatus> {
    await this.#d.root.reload?.();
    return this.status();
  }

  /**
   * Creates the root of trust, the first domain key and the initial administrator, then seals again:
   * the operator unseals with the shares, like any later start. Only while uninitialized.
   */
  async initialize(shares: number, threshold: number): Promise<InitializeResult> {
    const d = this.#d;
    await d.root.reload?.();
    if (d.root.status().initialized || this.#initializing) throw new KmsError('InvalidSealState', 'The root of trust is already initialized.');
    this.#initializing = true;
    try {
      if ((await d.keys.listDomainKeys()).length > 0) {
        throw new KmsError('InvalidSealState', 'The store already holds domain keys wrapped under another root; initialize an empty data directory.');
      }
      const out = await d.root.initialize(shares, threshold);
      try {
        await d.hierarchy.open();
        const admin = await d.bootstrapAdmin(d.hierarchy);
        d.logger.info('root of trust initialized', { kind: d.root.kind, shares, threshold, admin: admin.principalArn });
        // An HSM root stays open: run what every unseal runs (the audit signer above all: without it no
        // tree head is signed and no backup can be made until a restart).
        if (d.root.probe !== undefined) for (const hook of d.onUnseal ?? []) await hook().catch((e: unknown) => d.logger.error('a post-unseal job failed', { error: String(e) }));
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
    await this.#d.root.reload?.();
    const status = await this.#d.root.submitShare(share ?? new Uint8Array());
    if (!status.sealed) await this.openHierarchy();
    return this.status();
  }

  /** Loads the domain keys once the root is unsealed (also used by roots that unseal themselves, e.g. an HSM). */
  async openHierarchy(): Promise<void> {
    const d = this.#d;
    if (d.hierarchy.isOpen) return;
    this.#opening ??= d.hierarchy.open().then(
      async () => {
        this.#opening = undefined;
        d.logger.info('unsealed', { kind: d.root.kind });
        void this.#rewrapper?.start(); // finishes a rewrap a seal or restart interrupted
        for (const hook of d.onUnseal ?? []) await hook().catch((e: unknown) => d.logger.error('a post-unseal job failed', { error: String(e) }));
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

  /**
   * Root rotation (`arca operator rotate-root`): a new domain key version, current at once; the secrets
   * under older versions are rewrapped in the background while the service keeps serving.
   */
  async rotateRoot(): Promise<{ readonly domainKeyVersion: number; readonly stale: number }> {
    const d = this.#d;
    const domainKeyVersion = await d.hierarchy.rotate();
    const stale = (await this.#rewrapper?.remaining()) ?? 0;
    d.logger.info('root rotation: new domain key version', { domainKeyVersion, stale });
    void this.#rewrapper?.start();
    return { domainKeyVersion, stale };
  }

  /** Waits for the background rewrap (if running) and reports how many rows still wait. For tests and status. */
  async rewrapRemaining(wait = false): Promise<number> {
    if (wait) await this.#rewrapper?.start();
    return (await this.#rewrapper?.remaining()) ?? 0;
  }

  async rekey(currentShares: readonly Uint8Array[], shares: number, threshold: number): Promise<SecretBytes[]> {
    return this.#d.root.rekey(currentShares, shares, threshold);
  }
}
