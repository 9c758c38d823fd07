import pkcs11js from 'pkcs11js';
import { HsmConnectionError, HsmDecryptError, type HsmClusters, type HsmKeyStoreConnection, type HsmSealed } from '../../core/hsm-keys.js';
import { randomPublicBytes } from '../../crypto/random.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { checkBeforeLogin, ckrOf, connectionCodeOf, findTokenSlot, loginShared, type HsmPkcs11Api, type HsmTokenRef, type PinPolicy } from './hsm-token-login.js';
import { loadPkcs11Module } from './pkcs11-module.js';
import { SessionPool } from './session-pool.js';

export type { HsmPkcs11Api, HsmTokenRef, PinPolicy } from './hsm-token-login.js';

/** One configured HSM cluster: the PKCS#11 module and the token that plays the cluster. */
export interface HsmClusterEntry {
  /** AWS's cluster id shape, `cluster-` and 11–16 base-32 characters (checked by the configuration). */
  readonly clusterId: string;
  /** Path of the PKCS#11 module (`/usr/lib/softhsm/libsofthsm2.so`). */
  readonly module: string;
  readonly token: HsmTokenRef;
  /** Sessions each connection opens: at most this many operations run in the token at once (default 2). */
  readonly sessions?: number | undefined;
  /** Password limits checked before C_Login, on top of the token's own (`ulMinPinLen`/`ulMaxPinLen`). */
  readonly pinPolicy?: PinPolicy | undefined;
}

export interface Pkcs11HsmClustersOptions {
  readonly clusters: readonly HsmClusterEntry[];
  /** Loads (once per process) and initializes a module; tests inject faults here. Default {@link loadPkcs11Module}. */
  readonly load?: (module: string) => HsmPkcs11Api;
}

/** A key label the call cannot use: empty or too long, already taken (generateKey), or absent (encrypt). */
export class HsmKeyLabelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HsmKeyLabelError';
  }
}

const DEFAULT_SESSIONS = 2;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MAX_LABEL = 128;

/**
 * The HSM clusters of `AWS_CLOUDHSM`-shaped custom key stores over PKCS#11 (docs/hsm-key-stores.md): each
 * configured cluster id names a module and a token. {@link connect} logs in to the token as CKU_USER with
 * the key store password (AWS's `kmsuser` password). The module is loaded at the first connect, so a
 * missing module fails that key store's connection (`INTERNAL_ERROR`) rather than the server's start.
 *
 * Error codes: unknown cluster id → `CLUSTER_NOT_FOUND`; CKR_PIN_INCORRECT/INVALID/LEN_RANGE/EXPIRED,
 * no user PIN, a password outside the PIN policy → `INVALID_CREDENTIALS`; CKR_PIN_LOCKED or the token's
 * CKF_USER_PIN_LOCKED → `USER_LOCKED_OUT`; token or slot absent, CKR_DEVICE_*, CKR_TOKEN_NOT_*,
 * CKR_SESSION_CLOSED/HANDLE_INVALID → `NETWORK_ERRORS` (the HSM cannot be reached); a module that does not
 * load, a token already logged in by another part of this process, anything else → `INTERNAL_ERROR`.
 */
export class Pkcs11HsmClusters implements HsmClusters {
  readonly #clusters: ReadonlyMap<string, HsmClusterEntry>;
  readonly #load: (module: string) => HsmPkcs11Api;

  constructor(o: Pkcs11HsmClustersOptions) {
    const clusters = new Map<string, HsmClusterEntry>();
    for (const c of o.clusters) {
      if (clusters.has(c.clusterId)) throw new Error(`the HSM cluster ${c.clusterId} is configured twice`);
      clusters.set(c.clusterId, c);
    }
    this.#clusters = clusters;
    this.#load = o.load ?? loadPkcs11Module;
  }

  has(clusterId: string): boolean {
    return this.#clusters.has(clusterId);
  }

  async connect(clusterId: string, password: SecretBytes): Promise<HsmKeyStoreConnection> {
    const entry = this.#clusters.get(clusterId);
    if (entry === undefined) throw new HsmConnectionError('CLUSTER_NOT_FOUND', `no HSM cluster ${clusterId} is configured`);
    let api: HsmPkcs11Api;
    try {
      api = this.#load(entry.module);
    } catch (e) {
      throw new HsmConnectionError('INTERNAL_ERROR', `cannot load the PKCS#11 module ${entry.module} of ${clusterId} (${ckrOf(e)})`);
    }
    const sessions: Buffer[] = [];
    try {
      const slot = findTokenSlot(api, entry.token, clusterId);
      checkBeforeLogin(api, slot, password, entry.pinPolicy ?? {}, clusterId);
      const count = entry.sessions ?? DEFAULT_SESSIONS;
      for (let i = 0; i < count; i++) sessions.push(api.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION));
      const release = loginShared(api, entry.module, slot, sessions[0] ?? Buffer.alloc(0), password, clusterId);
      const pool = new SessionPool(sessions, () => new HsmConnectionError('INTERNAL_ERROR', `the connection to the HSM of ${clusterId} is closed`));
      return new Pkcs11HsmConnection(clusterId, api, pool, release);
    } catch (e) {
      for (const s of sessions) closeQuietly(api, s);
      if (e instanceof HsmConnectionError) throw e;
      throw new HsmConnectionError(connectionCodeOf(ckrOf(e)), `cannot open a session on the HSM of ${clusterId} (${ckrOf(e)})`);
    }
  }
}

function closeQuietly(api: HsmPkcs11Api, session: Buffer): void {
  try {
    api.C_CloseSession(session);
  } catch {
    // the token is gone, and the session with it
  }
}

function checkLabel(label: string): void {
  if (label.length === 0 || label.length > MAX_LABEL) throw new HsmKeyLabelError(`an HSM key label is 1 to ${MAX_LABEL} characters, not ${label.length}`);
}

function gcm(iv: Buffer, aad: Uint8Array): pkcs11js.Mechanism {
  const parameter: pkcs11js.GcmParams = { type: pkcs11js.CK_PARAMS_AES_GCM, iv, ivBits: IV_BYTES * 8, aad: Buffer.from(aad), tagBits: TAG_BYTES * 8 };
  return { mechanism: pkcs11js.CKM_AES_GCM, parameter };
}

/**
 * A logged-in connection to one cluster's token. Operations borrow a session from a small pool (one
 * operation per session at a time, see {@link SessionPool}); encryption and decryption run in the token
 * on libuv's thread pool. Key labels are looked up at each call (object handles are not cached, so a key
 * destroyed elsewhere is never used through a stale handle). The IV is 12 random bytes from node:crypto's
 * CSPRNG (crypto/random.ts), passed to the token in CK_GCM_PARAMS: PKCS#11 2.40 GCM takes the IV from the
 * caller, and SoftHSM2 cannot generate one.
 */
class Pkcs11HsmConnection implements HsmKeyStoreConnection {
  readonly #clusterId: string;
  readonly #api: HsmPkcs11Api;
  readonly #pool: SessionPool;
  readonly #release: (session: Buffer) => void;
  #closing: Promise<void> | undefined;

  constructor(clusterId: string, api: HsmPkcs11Api, pool: SessionPool, release: (session: Buffer) => void) {
    this.#clusterId = clusterId;
    this.#api = api;
    this.#pool = pool;
    this.#release = release;
  }

  /** Runs `fn` on a free session; a PKCS#11 failure becomes an `HsmConnectionError` (ours pass through). */
  async #run<T>(action: string, fn: (session: Buffer) => Promise<T> | T): Promise<T> {
    try {
      return await this.#pool.use(fn);
    } catch (e) {
      if (e instanceof HsmConnectionError || e instanceof HsmDecryptError || e instanceof HsmKeyLabelError) throw e;
      const ckr = ckrOf(e);
      throw new HsmConnectionError(connectionCodeOf(ckr), `the HSM of ${this.#clusterId} could not ${action} (${ckr})`);
    }
  }

  /** The AES keys labelled `label` (more than one only if something outside Arca made them). */
  #find(session: Buffer, label: string): Buffer[] {
    const api = this.#api;
    api.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_LABEL, value: label },
    ]);
    try {
      return api.C_FindObjects(session, 16);
    } finally {
      api.C_FindObjectsFinal(session);
    }
  }

  #one(session: Buffer, label: string): Buffer | undefined {
    const keys = this.#find(session, label);
    if (keys.length > 1) throw new HsmKeyLabelError(`the HSM of ${this.#clusterId} holds ${keys.length} keys labelled '${label}'; refusing to pick one`);
    return keys[0];
  }

  async generateKey(label: string): Promise<void> {
    checkLabel(label);
    // Find and generate are synchronous calls in one turn of the event loop: two generateKey calls of this
    // process cannot both pass the check.
    await this.#run('generate a key', (session) => {
      if (this.#find(session, label).length > 0) throw new HsmKeyLabelError(`the HSM of ${this.#clusterId} already holds a key labelled '${label}'`);
      this.#api.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
        { type: pkcs11js.CKA_VALUE_LEN, value: KEY_BYTES },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_ENCRYPT, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: true },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
      ]);
    });
  }

  async hasKey(label: string): Promise<boolean> {
    checkLabel(label);
    return this.#run('look up a key', (session) => this.#find(session, label).length > 0);
  }

  /** Throws `HsmKeyLabelError` when no key has the label. */
  async encrypt(label: string, plaintext: SecretBytes, aad: Uint8Array): Promise<HsmSealed> {
    checkLabel(label);
    const input = plaintext.expose();
    return this.#run('encrypt', async (session) => {
      const key = this.#one(session, label);
      if (key === undefined) throw new HsmKeyLabelError(`the HSM of ${this.#clusterId} holds no key labelled '${label}'`);
      const iv = Buffer.from(randomPublicBytes(IV_BYTES));
      this.#api.C_EncryptInit(session, gcm(iv, aad), key);
      const out = await this.#api.C_EncryptAsync(session, input, Buffer.alloc(input.length + TAG_BYTES));
      if (out.length !== input.length + TAG_BYTES) throw new HsmConnectionError('INTERNAL_ERROR', `the HSM of ${this.#clusterId} answered ${out.length} bytes of AES-GCM output for ${input.length} bytes`);
      return { iv, ciphertext: Buffer.from(out.subarray(0, input.length)), tag: Buffer.from(out.subarray(input.length)) };
    });
  }

  /** Any refusal of the token that is not a lost connection, and a missing key, throw `HsmDecryptError`. */
  async decrypt(label: string, sealed: HsmSealed, aad: Uint8Array): Promise<SecretBytes> {
    checkLabel(label);
    if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) throw new HsmDecryptError();
    const input = Buffer.concat([sealed.ciphertext, sealed.tag]);
    return this.#run('decrypt', async (session) => {
      const key = this.#one(session, label);
      if (key === undefined) throw new HsmDecryptError();
      this.#api.C_DecryptInit(session, gcm(sealed.iv, aad), key);
      const out = Buffer.alloc(input.length);
      try {
        // SoftHSM2 answers a tag mismatch with CKR_GENERAL_ERROR, so the failure is told apart from a
        // lost token by the session, not by the return value.
        const plain = await this.#api.C_DecryptAsync(session, input, out);
        return SecretBytes.copyOf(plain);
      } catch (e) {
        const ckr = ckrOf(e);
        if (connectionCodeOf(ckr) === 'NETWORK_ERRORS' || !this.#alive(session)) throw new HsmConnectionError('NETWORK_ERRORS', `the HSM of ${this.#clusterId} could not decrypt (${ckr})`);
        throw new HsmDecryptError();
      } finally {
        out.fill(0);
      }
    });
  }

  #alive(session: Buffer): boolean {
    try {
      this.#api.C_GetSessionInfo(session);
      return true;
    } catch {
      return false;
    }
  }

  async destroyKey(label: string): Promise<boolean> {
    checkLabel(label);
    return this.#run('destroy a key', (session) => {
      const keys = this.#find(session, label);
      for (const key of keys) this.#api.C_DestroyObject(session, key);
      return keys.length > 0;
    });
  }

  /** Refuses new operations, lets the running ones finish, logs out (if no other connection shares the login) and closes the sessions. */
  close(): Promise<void> {
    this.#closing ??= this.#pool.drain().then(() => {
      const [first] = this.#pool.sessions;
      if (first !== undefined) this.#release(first);
      for (const s of this.#pool.sessions) closeQuietly(this.#api, s);
    });
    return this.#closing;
  }
}
