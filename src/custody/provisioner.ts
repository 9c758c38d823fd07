import { randomId } from '../crypto/random.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import { materialBinding } from '../core/bindings.js';
import type { KeyProvisioner, PreparedKey } from '../core/custody.js';
import { KmsError, sealed } from '../core/errors.js';
import type { KeyRecord, KeySpec, StoredKeyVersion } from '../core/key.js';
import type { WrappedSecret } from '../core/ports.js';
import { newKeyMaterial } from './asymmetric-material.js';
import type { KeyHierarchy } from './key-hierarchy.js';

/** The provisioner's own handle: the material already wrapped for version 1 of `keyId`. */
class WrappedPreparedKey implements PreparedKey {
  readonly keyId: string;
  readonly keySpec: KeySpec;
  /** Private: a handle is usable only through the provisioner, which checks that it names the key. */
  readonly #wrapped: WrappedSecret;

  constructor(keyId: string, keySpec: KeySpec, wrapped: WrappedSecret) {
    this.keyId = keyId;
    this.keySpec = keySpec;
    this.#wrapped = wrapped;
  }

  get wrapped(): WrappedSecret {
    return this.#wrapped;
  }
}

/**
 * New key versions, made inside custody: material is generated, wrapped under the hierarchy with
 * {@link materialBinding} and zeroed before anything leaves, so the service stores rows it cannot read.
 */
export class CustodyKeyProvisioner implements KeyProvisioner {
  readonly #hierarchy: KeyHierarchy;

  constructor(hierarchy: KeyHierarchy) {
    this.#hierarchy = hierarchy;
  }

  async prepareKey(spec: KeySpec): Promise<PreparedKey> {
    const keyId = randomId();
    return new WrappedPreparedKey(keyId, spec, await this.#wrapFresh(spec, materialBinding(keyId, 1)));
  }

  async newVersion(key: Pick<KeyRecord, 'id' | 'keySpec'>, version: number, createdAt: Date, prepared?: PreparedKey): Promise<StoredKeyVersion> {
    const binding = materialBinding(key.id, version);
    const wrapped = prepared === undefined ? await this.#wrapFresh(key.keySpec, binding) : await this.#current(this.#own(prepared, key, version), binding);
    return { keyId: key.id, version, domainKeyVersion: wrapped.domainKeyVersion, wrappedMaterial: wrapped.wrapped, createdAt };
  }

  async #wrapFresh(spec: KeySpec, binding: Uint8Array): Promise<WrappedSecret> {
    const material: SecretBytes = await newKeyMaterial(spec);
    try {
      return await this.#hierarchy.wrap(material, binding);
    } finally {
      material.dispose();
    }
  }

  /** A handle this provisioner made, for this key, spec and first version: anything else is a wiring bug. */
  #own(prepared: PreparedKey, key: Pick<KeyRecord, 'id' | 'keySpec'>, version: number): WrappedSecret {
    if (!(prepared instanceof WrappedPreparedKey) || prepared.keyId !== key.id || prepared.keySpec !== key.keySpec || version !== 1) {
      throw new KmsError('Internal', 'prepared key material does not belong to this key version');
    }
    return prepared.wrapped;
  }

  /**
   * Prepared material as if wrapped now: a seal since `prepare` refuses (as wrapping would), and a root
   * rotation since then rewraps it under the current domain key, so the new row is not stale at birth.
   */
  async #current(wrapped: WrappedSecret, binding: Uint8Array): Promise<WrappedSecret> {
    if (!this.#hierarchy.isOpen) throw sealed();
    if (wrapped.domainKeyVersion === this.#hierarchy.currentDomainKeyVersion) return wrapped;
    const material = await this.#hierarchy.unwrap(wrapped, binding);
    try {
      return await this.#hierarchy.wrap(material, binding);
    } finally {
      material.dispose();
    }
  }
}
