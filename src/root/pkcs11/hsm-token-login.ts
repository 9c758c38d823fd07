import pkcs11js from 'pkcs11js';
import { HsmConnectionError, type HsmConnectionErrorCode } from '../../core/hsm-keys.js';
import { constantTimeEqual, hmac } from '../../crypto/kdf.js';
import { randomSecret } from '../../crypto/random.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';

/** The part of a loaded PKCS#11 module an HSM key store uses (a seam for fault-injection tests). */
export type HsmPkcs11Api = Pick<
  pkcs11js.PKCS11,
  | 'C_GetSlotList'
  | 'C_GetTokenInfo'
  | 'C_OpenSession'
  | 'C_CloseSession'
  | 'C_GetSessionInfo'
  | 'C_Login'
  | 'C_Logout'
  | 'C_FindObjectsInit'
  | 'C_FindObjects'
  | 'C_FindObjectsFinal'
  | 'C_GenerateKey'
  | 'C_DestroyObject'
  | 'C_GetAttributeValue'
  | 'C_EncryptInit'
  | 'C_EncryptAsync'
  | 'C_DecryptInit'
  | 'C_DecryptAsync'
>;

/** The token of a cluster: by label, or by index among the slots that hold a token (as `root.slot`). */
export type HsmTokenRef = { readonly label: string } | { readonly slotIndex: number };

/** The `CKR_…` name of a PKCS#11 failure (pkcs11js puts it in the message), or the message itself. */
export function ckrOf(e: unknown): string {
  const m = /CKR_[A-Z_]+/.exec(e instanceof Error ? e.message : String(e));
  return m?.[0] ?? (e instanceof Error ? e.message : String(e));
}

/** Return values that mean the token or the path to it is gone, not that the request was wrong. */
const UNREACHABLE = /^CKR_(DEVICE_|TOKEN_NOT_|SESSION_CLOSED|SESSION_HANDLE_INVALID|SLOT_ID_INVALID|CRYPTOKI_NOT_INITIALIZED)/;

/**
 * How a PKCS#11 failure outside C_Login reads in AWS's words: the token (or the network to it) is
 * unreachable → `NETWORK_ERRORS`; anything else the module answered → `INTERNAL_ERROR`.
 */
export function connectionCodeOf(ckr: string): HsmConnectionErrorCode {
  return UNREACHABLE.test(ckr) ? 'NETWORK_ERRORS' : 'INTERNAL_ERROR';
}

/** C_Login's answers about the password itself; every other failure is classified by {@link connectionCodeOf}. */
const LOGIN_CODES: Readonly<Record<string, HsmConnectionErrorCode>> = {
  CKR_PIN_INCORRECT: 'INVALID_CREDENTIALS',
  CKR_PIN_INVALID: 'INVALID_CREDENTIALS',
  CKR_PIN_LEN_RANGE: 'INVALID_CREDENTIALS',
  CKR_PIN_EXPIRED: 'INVALID_CREDENTIALS',
  CKR_USER_PIN_NOT_INITIALIZED: 'INVALID_CREDENTIALS',
  CKR_PIN_LOCKED: 'USER_LOCKED_OUT',
};

/** Session states (pkcs11js exports no CKS_* constants): a user is logged in to the token. */
const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_USER_FUNCTIONS = 3;

/**
 * PKCS#11 login is per token per application, not per session: every session this process has on a
 * token shares one login state, and C_Logout on any of them logs all of them out. So the HSM key stores
 * keep one process-wide record per token (module path + slot id) of the login they made and how many
 * connections share it; the last connection to close logs out. A token that some other part of this
 * process logged in to (the PKCS#11 root of trust, docs/hsm-key-stores.md) is refused: its password
 * would go unchecked, and our logout would log the root of trust out.
 */
interface TokenLogin {
  refs: number;
  /** HMAC of the password under a per-process random key: a second connection must give the same one. */
  readonly check: Buffer;
}

const logins = new Map<string, TokenLogin>();
const CHECK_KEY = randomSecret(32);

function tokenKey(module: string, slot: Buffer): string {
  return `${module}#${slot.toString('hex')}`;
}

function fail(code: HsmConnectionErrorCode, message: string): HsmConnectionError {
  return new HsmConnectionError(code, message);
}

/** The slot holding the cluster's token; `NETWORK_ERRORS` when it is not present. */
export function findTokenSlot(api: HsmPkcs11Api, token: HsmTokenRef, clusterId: string): Buffer {
  let slots: Buffer[];
  try {
    slots = api.C_GetSlotList(true);
  } catch (e) {
    throw fail(connectionCodeOf(ckrOf(e)), `cannot list the slots of the HSM of ${clusterId} (${ckrOf(e)})`);
  }
  const slot = 'label' in token ? slots.find((s) => api.C_GetTokenInfo(s).label.trim() === token.label) : slots[token.slotIndex];
  if (slot === undefined) throw fail('NETWORK_ERRORS', `the HSM token of ${clusterId} (${'label' in token ? `label '${token.label}'` : `slot ${token.slotIndex}`}) is not present`);
  return slot;
}

/** Limits on the password checked before C_Login, so an impossible one never spends one of the token's tries. */
export interface PinPolicy {
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
}

/**
 * Refuses a login the token would refuse anyway, without spending a try: the token reports the user
 * PIN locked (`USER_LOCKED_OUT`), has no user PIN, or the password's length is outside the token's or
 * the configured limits (`INVALID_CREDENTIALS`).
 */
export function checkBeforeLogin(api: HsmPkcs11Api, slot: Buffer, password: SecretBytes, policy: PinPolicy, clusterId: string): void {
  const info = api.C_GetTokenInfo(slot);
  if ((info.flags & pkcs11js.CKF_USER_PIN_LOCKED) !== 0) throw fail('USER_LOCKED_OUT', `the user of the HSM token of ${clusterId} is locked out (CKF_USER_PIN_LOCKED)`);
  if ((info.flags & pkcs11js.CKF_USER_PIN_INITIALIZED) === 0) throw fail('INVALID_CREDENTIALS', `the HSM token of ${clusterId} has no user PIN: initialize its user (the key store's kmsuser)`);
  const length = password.length;
  const min = Math.max(info.minPinLen, policy.minLength ?? 0);
  const max = Math.min(info.maxPinLen > 0 ? info.maxPinLen : Number.MAX_SAFE_INTEGER, policy.maxLength ?? Number.MAX_SAFE_INTEGER);
  if (length < min || length > max) throw fail('INVALID_CREDENTIALS', `the key store password does not fit the PIN policy of the HSM of ${clusterId} (${min} to ${max} bytes)`);
}

/**
 * Logs `session` in as CKU_USER with `password`, or joins the login this process's HSM key stores
 * already hold on the token (the same password is required). Returns the release: call it once with an
 * open session of the token when the connection closes; the last release logs out.
 */
export function loginShared(api: HsmPkcs11Api, module: string, slot: Buffer, session: Buffer, password: SecretBytes, clusterId: string): (session: Buffer) => void {
  const key = tokenKey(module, slot);
  const check = hmac('sha256', CHECK_KEY, password.expose());
  const held = logins.get(key);
  if (held !== undefined) {
    if (!constantTimeEqual(held.check, check)) throw fail('INVALID_CREDENTIALS', `the key store password does not match the login already open on the HSM of ${clusterId}`);
    held.refs++;
    return releaseOf(api, key, held);
  }
  const state = api.C_GetSessionInfo(session).state;
  if (state === CKS_RO_USER_FUNCTIONS || state === CKS_RW_USER_FUNCTIONS) {
    throw fail('INTERNAL_ERROR', `the HSM token of ${clusterId} is already logged in by another part of this process (the PKCS#11 root of trust?): an HSM key store needs a token of its own`);
  }
  try {
    api.C_Login(session, pkcs11js.CKU_USER, password.expose().toString('utf8'));
  } catch (e) {
    const ckr = ckrOf(e);
    throw fail(LOGIN_CODES[ckr] ?? connectionCodeOf(ckr), `the HSM of ${clusterId} refused the login (${ckr})`);
  }
  const login: TokenLogin = { refs: 1, check };
  logins.set(key, login);
  return releaseOf(api, key, login);
}

function releaseOf(api: HsmPkcs11Api, key: string, login: TokenLogin): (session: Buffer) => void {
  let released = false;
  return (session) => {
    if (released) return;
    released = true;
    login.refs--;
    if (login.refs > 0) return;
    logins.delete(key);
    try {
      api.C_Logout(session);
    } catch {
      // already logged out, or the token is gone (which logs out as well)
    }
  };
}
