import { unwrapSecret, wrapSecret } from '../crypto/key-wrap.js';
import { randomSecret } from '../crypto/random.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { domainKeyBinding, domainKeyWrapBinding, materialBinding } from '../core/bindings.js';
import { KmsError, sealed } from '../core/errors.js';
import type { SealedKeyring } from '../core/custody.js';
import type { KeyStore, RootOfTrust, WrappedSecret } from '../core/ports.js';

const DOMAIN_KEY_LENGTH = 32;
const MATERIAL_CACHE_LIMIT = 10_000;

/**
 * The middle of the key hierarchy (DESIGN.md §2): domain keys, unwrapped by the root of trust, wrap every
 * stored secret. Holds the unwrapped domain keys and a bounded cache of unwrapped key-version material;
 * {@link KeyHierarchy.seal} zeroes and drops all of it.
 */
export class KeyHierarchy implements SealedKeyring {
  readonly #root: RootOfTrust;
  readonly #store: Pick<KeyStore, 'listDomainKeys' | 'addDomainKey'>;
  readonly #domainKeys = new Map<number, SecretBytes>();
  #current = 0;
  readonly #material = new Map<string, SecretBytes>();
  readonly #dropListeners: ((keyId: string | undefined) => void)[] = [];

  constructor(root: RootOfTrust, store: Pick<KeyStore, 'listDomainKeys' | 'addDomainKey'>) {
    this.#root = root;
    this.#store = store;
  }

  /** Unwraps every domain key version, creating the first on a new store. */
  async open(): Promise<void> {
    let stored = await this.#store.listDomainKeys();
    if (stored.length === 0) {
      const fresh = randomSecret(DOMAIN_KEY_LENGTH);
      try {
        await this.#store.addDomainKey(1, await this.#root.wrap(fresh, domainKeyBinding(1)));
      } finally {
        fresh.dispose();
      }
      stored = await this.#store.listDomainKeys();
    }
    // `#current` is set only once every version is loaded: until then the hierarchy is not open.
    let latest = 0;
    for (const { version, wrapped } of stored) {
      this.#domainKeys.set(version, await this.#root.unwrap(wrapped, domainKeyBinding(version)));
      latest = Math.max(latest, version);
    }
    // Sealed while loading (the unwraps await): drop what was loaded rather than hold it.
    if (this.#root.isSealed()) {
      this.seal();
      throw sealed();
    }
    this.#current = latest;
  }

  /**
   * Root rotation: makes domain key version current + 1, wrapped under the root. New secrets are wrapped
   * under it at once; older versions stay loaded so that existing rows keep unwrapping until rewrapped.
   */
  async rotate(): Promise<number> {
    if (!this.isOpen) throw sealed();
    const next = this.#current + 1;
    const fresh = randomSecret(DOMAIN_KEY_LENGTH);
    try {
      await this.#store.addDomainKey(next, await this.#root.wrap(fresh, domainKeyBinding(next)));
    } catch (e) {
      fresh.dispose();
      throw e;
    }
    this.#domainKeys.set(next, fresh);
    this.#current = next;
    return next;
  }

  /**
   * Loads the domain key versions another node of a cluster added (a root rotation there) and makes the
   * newest current: called when a secret names a version not loaded, and periodically. No-op while sealed.
   */
  async loadNewerDomainKeys(): Promise<void> {
    if (!this.isOpen) return;
    for (const { version, wrapped } of await this.#store.listDomainKeys()) {
      if (this.#domainKeys.has(version)) continue;
      const key = await this.#root.unwrap(wrapped, domainKeyBinding(version));
      // Sealed (or already loaded by a concurrent call) while unwrapping: drop this copy.
      if (!this.isOpen || this.#domainKeys.has(version)) {
        key.dispose();
        continue;
      }
      this.#domainKeys.set(version, key);
      this.#current = Math.max(this.#current, version);
    }
  }

  /** The domain key version new secrets are wrapped under (0 while sealed). */
  get currentDomainKeyVersion(): number {
    return this.#current;
  }

  get isOpen(): boolean {
    return this.#current > 0 && !this.#root.isSealed();
  }

  #domainKey(version: number): SecretBytes {
    if (!this.isOpen) throw sealed();
    const key = this.#domainKeys.get(version);
    if (key === undefined) throw new KmsError('Internal', `domain key version ${version} is not loaded`);
    return key;
  }

  async wrap(secret: SecretBytes, binding: Uint8Array): Promise<WrappedSecret> {
    const version = this.#current;
    const key = this.#domainKey(version);
    return { domainKeyVersion: version, wrapped: wrapSecret(key, secret, domainKeyWrapBinding(binding, version)) };
  }

  async unwrap(secret: WrappedSecret, binding: Uint8Array): Promise<SecretBytes> {
    if (this.isOpen && !this.#domainKeys.has(secret.domainKeyVersion)) await this.loadNewerDomainKeys();
    const key = this.#domainKey(secret.domainKeyVersion);
    const plain = unwrapSecret(key, secret.wrapped, domainKeyWrapBinding(binding, secret.domainKeyVersion));
    if (plain === undefined) throw new KmsError('Internal', 'a stored secret failed to unwrap (wrong binding or corrupted row)');
    return plain;
  }

  /**
   * The unwrapped material of a key version, from the cache or by `load`ing and unwrapping it. The cache
   * holds the only copy: callers must not dispose what this returns.
   */
  async material(keyId: string, version: number, load: () => Promise<WrappedSecret | undefined>): Promise<SecretBytes | undefined> {
    const id = `${keyId}#${version}`;
    const hit = this.#material.get(id);
    if (hit !== undefined) {
      this.#domainKey(this.#current); // refuses while sealed, even on a cache hit
      return hit;
    }
    const wrapped = await load();
    if (wrapped === undefined) return undefined;
    const plain = await this.unwrap(wrapped, materialBinding(keyId, version));
    if (this.#material.size >= MATERIAL_CACHE_LIMIT) {
      const oldest = this.#material.keys().next().value;
      if (oldest !== undefined) this.#drop(oldest);
    }
    this.#material.set(id, plain);
    return plain;
  }

  /** Zeroes one cached version (also on eviction), and tells the derived caches to drop that key. */
  #drop(id: string): void {
    this.#material.get(id)?.dispose();
    this.#material.delete(id);
    const keyId = id.slice(0, id.lastIndexOf('#'));
    for (const listener of this.#dropListeners) listener(keyId);
  }

  /**
   * Registers a cache derived from key material (parsed private keys): told the key id whose material was
   * dropped (evicted or forgotten), or `undefined` when everything was (seal). So a derived cache never
   * holds more than this one does, and the sweeps over {@link cachedKeyIds} reach it too.
   */
  onDrop(listener: (keyId: string | undefined) => void): void {
    this.#dropListeners.push(listener);
  }

  /** Drops a key's cached material (disable, delete, destroy), and what was derived from it. */
  forgetKey(keyId: string): void {
    for (const id of [...this.#material.keys()]) if (id.startsWith(`${keyId}#`)) this.#drop(id);
    for (const listener of this.#dropListeners) listener(keyId);
  }

  /** The ids of the keys with cached material (for sweeps that drop material of keys changed elsewhere). */
  cachedKeyIds(): string[] {
    return [...new Set([...this.#material.keys()].map((id) => id.slice(0, id.lastIndexOf('#'))))];
  }

  /** Zeroes and drops every domain key and cached material. */
  seal(): void {
    for (const id of [...this.#material.keys()]) this.#drop(id);
    for (const key of this.#domainKeys.values()) key.dispose();
    this.#domainKeys.clear();
    this.#current = 0;
    for (const listener of this.#dropListeners) listener(undefined);
  }

  /** For tests that pin the seal invariant: how many secrets are held in memory. */
  get heldSecrets(): number {
    return this.#material.size + this.#domainKeys.size;
  }
}
