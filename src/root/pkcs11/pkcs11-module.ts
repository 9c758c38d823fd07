import pkcs11js from 'pkcs11js';

const loaded = new Map<string, pkcs11js.PKCS11>();

/**
 * Loads and initializes a PKCS#11 module once per process (C_Initialize is process-wide; a second
 * initialization of the same library answers CKR_CRYPTOKI_ALREADY_INITIALIZED, which is fine). The root
 * of trust and the HSM key stores each use the part of the module they need (`Pkcs11Api`, `HsmPkcs11Api`).
 */
export function loadPkcs11Module(path: string): pkcs11js.PKCS11 {
  const hit = loaded.get(path);
  if (hit !== undefined) return hit;
  const mod = new pkcs11js.PKCS11();
  mod.load(path);
  try {
    // CKF_OS_LOCKING_OK: the module is called from several threads at once (C_Encrypt/C_DecryptAsync on
    // libuv's pool while the event loop uses other sessions). Initialized without it (NULL), SoftHSM2
    // assumes one thread, takes no locks, and crashes the process under concurrent use.
    mod.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (e) {
    if (!(e instanceof Error && e.message.includes('CKR_CRYPTOKI_ALREADY_INITIALIZED'))) throw e;
  }
  loaded.set(path, mod);
  return mod;
}
