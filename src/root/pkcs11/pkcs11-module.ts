import pkcs11js from 'pkcs11js';
import type { Pkcs11Api } from './pkcs11-root.js';

const loaded = new Map<string, pkcs11js.PKCS11>();

/**
 * Loads and initializes a PKCS#11 module once per process (C_Initialize is process-wide; a second
 * initialization of the same library answers CKR_CRYPTOKI_ALREADY_INITIALIZED, which is fine).
 */
export function loadPkcs11Module(path: string): Pkcs11Api {
  const hit = loaded.get(path);
  if (hit !== undefined) return hit;
  const mod = new pkcs11js.PKCS11();
  mod.load(path);
  try {
    mod.C_Initialize();
  } catch (e) {
    if (!(e instanceof Error && e.message.includes('CKR_CRYPTOKI_ALREADY_INITIALIZED'))) throw e;
  }
  loaded.set(path, mod);
  return mod;
}
