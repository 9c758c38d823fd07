import pkcs11js from 'pkcs11js';
import { sha256 } from '../../crypto/hash.js';
import { constantTimeEqual } from '../../crypto/kdf.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';
import type { Clock, Logger, SealableRoot, SealRecord, SealStatus, SealStore } from '../../core/ports.js';

/** The part of a loaded PKCS#11 module this root uses (a seam for fault-injection tests). */
export type Pkcs11Api = Pick<
  pkcs11js.PKCS11,
  | 'C_GetSlotList'
  | 'C_GetTokenInfo'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_GetSessionInfo'
  | 'C_Login'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_GenerateKey'
  | 'C_CreateObject'
  | 'C_DestroyObject'
  | 'C_WrapKey'
  | 'C_UnwrapKey'
  | 'C_GetAttributeValue'
>;

export interface Pkcs11RootOptions {
  readonly api: Pkcs11Api;
  /** Token by label, or by index among the slots that hold a token. */
  readonly token: { readonly label: string } | { readonly slotIndex: number };
  readonly pin: SecretBytes;
  readonly keyLabel: string;
  readonly store: SealStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

type State = 'unavailable' | 'unsealed' | 'sealed-by-operator' | 'pin-rejected';

const WRAP_FORMAT = 0x02;
const KEY_LENGTH = 32;

/** Why the root could not open: `pin` (never retried automatically) or the token being unreachable. */
class OpenFailure extends Error {
  constructor(
    readonly cause_: 'pin' | 'token',
    message: string,
  ) {
    super(message);
  }
}

function ckrOf(e: unknown): string {
  const m = /CKR_[A-Z_]+/.exec(e instanceof Error ? e.message : String(e));
  return m?.[0] ?? (e instanceof Error ? e.message : String(e));
}

/**
 * The PKCS#11 root of trust (`root: { type: pkcs11 }`, DESIGN.md §2). The root key is a sensitive,
 * non-extractable AES-256 token object; domain keys are wrapped and unwrapped inside the HSM with
 * CKM_AES_KEY_WRAP_PAD (RFC 5649; SoftHSM 2.6 has no AES-GCM wrapping). KWP has no associated data, so
 * the wrapped value is `0x02 | KWP(root, domain key ‖ SHA-256(binding))` and the binding is checked after
 * unwrapping. One long-lived, logged-in session serves every call (pkcs11js calls are synchronous, so
 * they never interleave); there is no login per operation. A rejected PIN is never retried by itself
 * (tokens lock or wipe after a few wrong PINs): only an operator's Unseal tries again. When the token
 * goes away every call fails closed as `Sealed`, and {@link Pkcs11RootOfTrust.probe} reconnects.
 */
export class Pkcs11RootOfTrust implements SealableRoot {
  readonly kind = 'pkcs11' as const;
  readonly #o: Pkcs11RootOptions;
  #record: SealRecord | undefined;
  #state: State = 'unavailable';
  #session: Buffer | undefined;
  #rootKey: Buffer | undefined;
  #lastError = '';

  private constructor(o: Pkcs11RootOptions, record: SealRecord | undefined) {
    this.#o = o;
    this.#record = record;
  }

  static async open(o: Pkcs11RootOptions): Promise<Pkcs11RootOfTrust> {
    const record = await o.store.getSealRecord();
    if (record !== undefined && record.kind !== 'pkcs11') throw new Error(`the data directory was initialized with a ${record.kind} root, not pkcs11`);
    return new Pkcs11RootOfTrust(o, record);
  }

  isSealed(): boolean {
    return this.#state !== 'unsealed';
  }

  /** Why the root is sealed, for status and logs ('' when unsealed). */
  get lastError(): string {
    return this.#state === 'unsealed' ? '' : this.#lastError;
  }

  status(): SealStatus {
    return { kind: this.kind, initialized: this.#record !== undefined, sealed: this.isSealed(), threshold: 0, shares: 0, progress: 0, reason: this.lastError || undefined };
  }

  get heldSecrets(): number {
    return 0; // the root key never leaves the token; the PIN is kept to reconnect and is not key material
  }

  /** Finds the slot, opens the session and logs in; never called in a loop after a rejected PIN. */
  #connect(): void {
    const { api, token, pin } = this.#o;
    this.#disconnect();
    const slots = api.C_GetSlotList(true);
    const slot =
      'label' in token
        ? slots.find((s) => api.C_GetTokenInfo(s).label.trim() === token.label)
        : slots[token.slotIndex];
    if (slot === undefined) throw new OpenFailure('token', `the HSM token ${'label' in token ? `'${token.label}'` : `in slot ${token.slotIndex}`} is not present`);
    const session = api.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    try {
      api.C_Login(session, pkcs11js.CKU_USER, pin.expose().toString('utf8'));
    } catch (e) {
      const code = ckrOf(e);
      if (code !== 'CKR_USER_ALREADY_LOGGED_IN') {
        api.C_CloseSession(session);
        if (code === 'CKR_PIN_INCORRECT' || code === 'CKR_PIN_LOCKED' || code === 'CKR_PIN_INVALID' || code === 'CKR_PIN_LEN_RANGE') {
          throw new OpenFailure('pin', `the HSM rejected the PIN (${code}); fix the PIN and unseal or restart: it is not retried automatically`);
        }
        throw new OpenFailure('token', `the HSM is unavailable (${code})`);
      }
    }
    this.#session = session;
  }

  #disconnect(): void {
    if (this.#session !== undefined) {
      try {
        this.#o.api.C_CloseSession(this.#session);
      } catch {
        // the token is gone; the session is gone with it
      }
    }
    this.#session = undefined;
    this.#rootKey = undefined;
  }

  #findRootKey(session: Buffer): Buffer | undefined {
    const { api, keyLabel } = this.#o;
    api.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_LABEL, value: keyLabel },
    ]);
    try {
      return api.C_FindObjects(session, 2)[0];
    } finally {
      api.C_FindObjectsFinal(session);
    }
  }

  /** Connects and finds the root key: unsealed afterwards, or a `Sealed` KmsError saying why not. */
  #unsealNow(): void {
    if (this.#record === undefined) throw new KmsError('InvalidSealState', 'The root of trust is not initialized: run arca operator init first.');
    try {
      this.#connect();
      const key = this.#findRootKey(this.#session as Buffer);
      if (key === undefined) throw new OpenFailure('token', `the HSM token has no root key labelled '${this.#o.keyLabel}'`);
      this.#rootKey = key;
      this.#state = 'unsealed';
      this.#lastError = '';
    } catch (e) {
      throw this.#openFailed(e);
    }
  }

  /** Records why opening failed (a rejected PIN blocks automatic retries) and returns the caller's error. */
  #openFailed(e: unknown): KmsError {
    this.#disconnect();
    const pin = e instanceof OpenFailure && e.cause_ === 'pin';
    this.#state = pin ? 'pin-rejected' : 'unavailable';
    this.#lastError = e instanceof OpenFailure ? e.message : `the HSM is unavailable (${ckrOf(e)})`;
    return new KmsError('Sealed', `The key service is sealed: ${this.#lastError}.`);
  }

  async initialize(): Promise<SecretBytes[]> {
    if (this.#record !== undefined) throw new KmsError('InvalidSealState', 'The root of trust is already initialized.');
    const { api, keyLabel, store, clock, logger } = this.#o;
    try {
      this.#connect();
    } catch (e) {
      throw this.#openFailed(e);
    }
    const session = this.#session as Buffer;
    if (this.#findRootKey(session) === undefined) {
      api.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: KEY_LENGTH },
        { type: pkcs11js.CKA_LABEL, value: keyLabel },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_WRAP, value: true },
        { type: pkcs11js.CKA_UNWRAP, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: false },
        { type: pkcs11js.CKA_DECRYPT, value: false },
      ]);
      logger.info('created the root key in the HSM', { keyLabel });
    } else {
      logger.warn('the HSM already holds a root key with this label; using it', { keyLabel });
    }
    const record: SealRecord = { kind: 'pkcs11', shares: 0, threshold: 0, shareSetId: Buffer.alloc(0), wrappedRoot: Buffer.alloc(0), initializedAt: clock.now() };
    if (!(await store.putSealRecord(record, undefined))) throw new KmsError('InvalidSealState', 'The root of trust was initialized meanwhile (another node); nothing was changed here.');
    this.#record = record;
    this.#unsealNow();
    return [];
  }

  /** An HSM root needs no share: an operator's Unseal reconnects (and is the only retry of a rejected PIN). */
  async submitShare(): Promise<SealStatus> {
    if (!this.isSealed()) return this.status();
    this.#unsealNow();
    return this.status();
  }

  /**
   * Checks the token is still there (reconnecting when it was unavailable, unless an operator sealed or
   * the PIN was rejected) and reports whether the root is usable now.
   */
  async probe(): Promise<boolean> {
    if (this.#record === undefined || this.#state === 'sealed-by-operator' || this.#state === 'pin-rejected') return false;
    if (this.#state === 'unsealed') {
      try {
        this.#o.api.C_GetSessionInfo(this.#session as Buffer);
        return true;
      } catch (e) {
        this.#lostToken(e);
        return false;
      }
    }
    try {
      this.#unsealNow();
      this.#o.logger.info('the HSM is reachable: unsealed', { keyLabel: this.#o.keyLabel });
      return true;
    } catch {
      return false;
    }
  }

  #lostToken(e: unknown): void {
    this.#disconnect();
    this.#state = 'unavailable';
    this.#lastError = `the HSM is unavailable (${ckrOf(e)})`;
    this.#o.logger.error('lost the HSM: sealed until it returns', { error: ckrOf(e) });
  }

  seal(): void {
    this.#disconnect();
    if (this.#state === 'pin-rejected') return; // keep the reason: the PIN must be fixed first
    this.#state = 'sealed-by-operator';
    this.#lastError = 'sealed by an operator; arca operator unseal reconnects to the HSM';
  }

  async rekey(): Promise<SecretBytes[]> {
    throw new KmsError('UnsupportedOperation', 'A PKCS#11 root has no unseal shares to rekey.');
  }

  #live(): { session: Buffer; rootKey: Buffer } {
    if (this.#state !== 'unsealed' || this.#session === undefined || this.#rootKey === undefined) {
      throw new KmsError('Sealed', `The key service is sealed: ${this.#lastError || 'the HSM root is not open'}.`);
    }
    return { session: this.#session, rootKey: this.#rootKey };
  }

  /** Runs `f` against the token; a token failure seals (fail closed) and surfaces as `Sealed`. */
  #withToken<T>(f: (session: Buffer, rootKey: Buffer) => T): T {
    const { session, rootKey } = this.#live();
    try {
      return f(session, rootKey);
    } catch (e) {
      if (e instanceof KmsError) throw e;
      // Tokens report bad input vaguely (SoftHSM answers a corrupted KWP blob with CKR_GENERAL_ERROR):
      // the token is lost only if the session itself no longer answers.
      if (this.#sessionAlive(session)) throw new KmsError('Internal', `the HSM refused the operation (${ckrOf(e)})`);
      this.#lostToken(e);
      throw new KmsError('Sealed', `The key service is sealed: ${this.#lastError}.`);
    }
  }

  #sessionAlive(session: Buffer): boolean {
    try {
      this.#o.api.C_GetSessionInfo(session);
      return true;
    } catch {
      return false;
    }
  }

  async wrap(domainKey: SecretBytes, binding: Uint8Array): Promise<Buffer> {
    const { api } = this.#o;
    const payload = Buffer.concat([domainKey.expose(), sha256(binding)]);
    try {
      return this.#withToken((session, rootKey) => {
        const temp = api.C_CreateObject(session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: true },
          { type: pkcs11js.CKA_VALUE, value: payload },
        ]);
        try {
          const wrapped = api.C_WrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, rootKey, temp, Buffer.alloc(payload.length + 16));
          return Buffer.concat([Buffer.of(WRAP_FORMAT), wrapped]);
        } finally {
          api.C_DestroyObject(session, temp);
        }
      });
    } finally {
      payload.fill(0);
    }
  }

  async unwrap(wrapped: Uint8Array, binding: Uint8Array): Promise<SecretBytes> {
    const { api } = this.#o;
    if (wrapped[0] !== WRAP_FORMAT) throw new KmsError('Internal', 'a domain key is not wrapped under a PKCS#11 root');
    const value = this.#withToken((session, rootKey) => {
      let temp: Buffer;
      try {
        temp = api.C_UnwrapKey(session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, rootKey, Buffer.from(wrapped.subarray(1)), [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
        ]);
      } catch (e) {
        if (/WRAPPED_KEY|ENCRYPTED_DATA/.test(ckrOf(e)) || this.#sessionAlive(session)) throw new KmsError('Internal', `a domain key failed to unwrap under the HSM root key (${ckrOf(e)})`);
        throw e;
      }
      try {
        const [attr] = api.C_GetAttributeValue(session, temp, [{ type: pkcs11js.CKA_VALUE }]);
        return attr?.value instanceof Buffer ? attr.value : undefined;
      } finally {
        api.C_DestroyObject(session, temp);
      }
    });
    try {
      if (value === undefined || value.length !== KEY_LENGTH + 32 || !constantTimeEqual(value.subarray(KEY_LENGTH), sha256(binding))) {
        throw new KmsError('Internal', 'a domain key failed to unwrap under the HSM root key (wrong binding)');
      }
      return SecretBytes.copyOf(value.subarray(0, KEY_LENGTH));
    } finally {
      value?.fill(0);
    }
  }
}
