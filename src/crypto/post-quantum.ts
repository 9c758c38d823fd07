import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SecretBytes } from './secret-bytes.js';

/**
 * ML-DSA (FIPS 204) and ML-KEM (FIPS 203) over node:crypto, which has them from Node.js 24.7 (OpenSSL
 * 3.5). Arca also runs on Node.js 20, whose node:crypto has neither: {@link runtimeSupports} says which
 * this process has, and the callers refuse post-quantum keys with a message naming the runtime. The
 * private keys are stored, like every other key pair, as PKCS#8 DER (the seed form OpenSSL writes: 32
 * bytes for ML-DSA, 64 for ML-KEM). Signing a caller's μ (EXTERNAL_MU), which node:crypto cannot do,
 * is in ml-dsa-mu.ts.
 */

export type MlDsaParameterSet = 'ml-dsa-44' | 'ml-dsa-65' | 'ml-dsa-87';
export type MlKemParameterSet = 'ml-kem-512' | 'ml-kem-768' | 'ml-kem-1024';
export type PostQuantumFamily = 'ml-dsa' | 'ml-kem';

/** The first Node.js release whose node:crypto has both ML-DSA and ML-KEM (encapsulate/decapsulate). */
export const MINIMUM_NODE_FOR_PQC = '24.7';

/** The running Node.js version (`v20.20.2`), for refusals that name it. */
export const RUNTIME_VERSION: string = process.version;

/**
 * The node:crypto functions that Node.js 24.7 added or widened, which the @types/node release this
 * project builds against (20.x) does not declare. Present at run time only on a runtime that has them.
 */
interface PostQuantumNodeCrypto {
  generateKeyPairSync(type: string): { publicKey: KeyObject; privateKey: KeyObject };
  encapsulate?: (key: KeyObject) => { sharedKey: Buffer; ciphertext: Buffer };
  decapsulate?: (key: KeyObject, ciphertext: Uint8Array) => Buffer;
}
const pq = nodeCrypto as unknown as PostQuantumNodeCrypto;

const probed = new Map<PostQuantumFamily, boolean>();

/**
 * Whether this runtime's node:crypto can do `family`: probed once, by making a key of the smallest
 * parameter set (and, for ML-KEM, finding encapsulate and decapsulate).
 */
export function runtimeSupports(family: PostQuantumFamily): boolean {
  let supported = probed.get(family);
  if (supported === undefined) {
    try {
      pq.generateKeyPairSync(family === 'ml-dsa' ? 'ml-dsa-44' : 'ml-kem-512');
      supported = family === 'ml-dsa' || (typeof pq.encapsulate === 'function' && typeof pq.decapsulate === 'function');
    } catch {
      supported = false;
    }
    probed.set(family, supported);
  }
  return supported;
}

/** A fresh ML-DSA or ML-KEM key pair (throws on a runtime without it; callers check {@link runtimeSupports} first). */
export function postQuantumKeyPair(set: MlDsaParameterSet | MlKemParameterSet): { publicKey: KeyObject; privateKey: KeyObject } {
  return pq.generateKeyPairSync(set);
}

/** The length of an ML-KEM ciphertext (FIPS 203 table 3: c = 32·(du·k + dv)). */
export const ML_KEM_CIPHERTEXT_LENGTH: Record<MlKemParameterSet, number> = { 'ml-kem-512': 768, 'ml-kem-768': 1088, 'ml-kem-1024': 1568 };

/** ML-KEM shared secrets are 32 bytes for every parameter set. */
export const ML_KEM_SHARED_SECRET_LENGTH = 32;

/** A new shared secret and its encapsulation under an ML-KEM public key (ML-KEM.Encaps, FIPS 203 §7.2). */
export function mlKemEncapsulate(publicKey: KeyObject): { readonly ciphertext: Buffer; readonly sharedSecret: SecretBytes } {
  const encapsulate = pq.encapsulate;
  if (encapsulate === undefined) throw new Error('node:crypto has no ML-KEM on this runtime');
  const { sharedKey, ciphertext } = encapsulate(publicKey);
  return { ciphertext, sharedSecret: SecretBytes.adopt(sharedKey) };
}

/**
 * The shared secret of `ciphertext` (ML-KEM.Decaps, FIPS 203 §7.3). The caller checks the length first:
 * a ciphertext of the right length never fails, since ML-KEM's implicit rejection turns a tampered one
 * into a pseudo-random secret derived from the private key's rejection seed and the ciphertext.
 */
export function mlKemDecapsulate(privateKey: KeyObject, ciphertext: Uint8Array): SecretBytes {
  const decapsulate = pq.decapsulate;
  if (decapsulate === undefined) throw new Error('node:crypto has no ML-KEM on this runtime');
  return SecretBytes.adopt(decapsulate(privateKey, ciphertext));
}
