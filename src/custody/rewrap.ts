import { accessKeySecretBinding, AUDIT_SIGNING_KEY_BINDING, customKeyStoreSecretBinding, importTokenBinding, materialBinding, mfaSecretBinding } from '../core/bindings.js';
import { assertNever, isKmsError } from '../core/errors.js';
import type { Logger, RewrapStore, WrappedRow } from '../core/ports.js';
import type { KeyHierarchy } from './key-hierarchy.js';

const BATCH = 64;

function bindingOf(row: WrappedRow): Buffer {
  switch (row.kind) {
    case 'key-material':
      return materialBinding(row.id, row.version);
    case 'access-key':
      return accessKeySecretBinding(row.id);
    case 'import-token':
      return importTokenBinding(row.keyId, row.id);
    case 'audit-signing-key':
      return AUDIT_SIGNING_KEY_BINDING;
    case 'mfa-device':
      return mfaSecretBinding(row.id);
    case 'custom-key-store':
      return customKeyStoreSecretBinding(row.id);
    default:
      return assertNever(row.kind);
  }
}

/**
 * The background half of a root rotation: rewraps every stored secret still under an older domain key
 * under the current one, in small batches that yield to requests between them, so the service never
 * stops. Each row is replaced with compare-and-set; a seal stops the run (it resumes at the next unseal).
 */
export class Rewrapper {
  readonly #store: RewrapStore;
  readonly #hierarchy: KeyHierarchy;
  readonly #logger: Logger;
  #running: Promise<number> | undefined;

  constructor(store: RewrapStore, hierarchy: KeyHierarchy, logger: Logger) {
    this.#store = store;
    this.#hierarchy = hierarchy;
    this.#logger = logger;
  }

  /** Starts a run unless one is going; resolves with the rows rewrapped by that run. Never rejects. */
  start(): Promise<number> {
    this.#running ??= this.#run().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** How many rows still wait (0 while sealed: unknown then). */
  async remaining(): Promise<number> {
    const current = this.#hierarchy.currentDomainKeyVersion;
    return current === 0 ? 0 : this.#store.countStale(current);
  }

  async #run(): Promise<number> {
    let done = 0;
    try {
      for (;;) {
        const current = this.#hierarchy.currentDomainKeyVersion;
        if (current === 0) break;
        const rows = await this.#store.listStale(current, BATCH);
        if (rows.length === 0) break;
        for (const row of rows) {
          const binding = bindingOf(row);
          const secret = await this.#hierarchy.unwrap({ domainKeyVersion: row.domainKeyVersion, wrapped: row.wrapped }, binding);
          try {
            if (await this.#store.replaceWrapping(row, await this.#hierarchy.wrap(secret, binding))) done++;
          } finally {
            secret.dispose();
          }
        }
        await new Promise<void>((resolve) => setImmediate(resolve)); // let requests run between batches
      }
      if (done > 0) this.#logger.info('root rotation: rewrapped stored secrets under the current domain key', { rewrapped: done, domainKeyVersion: this.#hierarchy.currentDomainKeyVersion });
    } catch (e) {
      if (isKmsError(e) && e.code === 'Sealed') this.#logger.warn('root rotation: rewrap paused by a seal; it resumes at the next unseal', { rewrapped: done });
      else this.#logger.error('root rotation: rewrap failed; it is retried at the next rotation or unseal', { rewrapped: done, error: e instanceof Error ? e.message : String(e) });
    }
    return done;
  }
}
