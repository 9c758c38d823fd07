/**
 * An in-memory implementation of the HSM port (src/core/hsm-keys.ts) for custom key store tests: each
 * cluster is a "token" of labelled AES-256 keys that never leave it, AES-256-GCM in node:crypto, a
 * password per cluster. A wrong password fails with HsmConnectionError INVALID_CREDENTIALS, an unknown
 * cluster with CLUSTER_NOT_FOUND; a closed connection refuses every call, as a logged-out session would.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HsmConnectionError, HsmDecryptError, type HsmClusters, type HsmKeyStoreConnection, type HsmSealed } from '../../src/core/hsm-keys.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';

interface Token {
  password: string;
  readonly keys: Map<string, Buffer>;
}

export class MemoryHsmClusters implements HsmClusters {
  readonly #tokens = new Map<string, Token>();
  /** Sessions currently open, for tests that check sealing closes them. */
  openSessions = 0;

  /** Adds a cluster whose `kmsuser` password is `password`. */
  addCluster(clusterId: string, password: string): this {
    this.#tokens.set(clusterId, { password, keys: new Map() });
    return this;
  }

  /** Changes a cluster's password (the next connect with the old one fails). */
  setPassword(clusterId: string, password: string): void {
    const t = this.#tokens.get(clusterId);
    if (t !== undefined) t.password = password;
  }

  /** The labels of the keys in a cluster's token. */
  labels(clusterId: string): string[] {
    return [...(this.#tokens.get(clusterId)?.keys.keys() ?? [])];
  }

  has(clusterId: string): boolean {
    return this.#tokens.has(clusterId);
  }

  async connect(clusterId: string, password: SecretBytes): Promise<HsmKeyStoreConnection> {
    const token = this.#tokens.get(clusterId);
    if (token === undefined) throw new HsmConnectionError('CLUSTER_NOT_FOUND', `no cluster ${clusterId}`);
    if (password.expose().toString('utf8') !== token.password) throw new HsmConnectionError('INVALID_CREDENTIALS', `the password of ${clusterId} is not accepted`);
    this.openSessions++;
    let open = true;
    const key = (label: string): Buffer => {
      if (!open) throw new Error('the HSM session is closed');
      const k = token.keys.get(label);
      if (k === undefined) throw new Error(`no key labelled ${label}`);
      return k;
    };
    return {
      generateKey: async (label) => {
        if (!open) throw new Error('the HSM session is closed');
        if (token.keys.has(label)) throw new Error(`a key labelled ${label} exists`);
        token.keys.set(label, randomBytes(32));
      },
      hasKey: async (label) => open && token.keys.has(label),
      encrypt: async (label, plaintext, aad): Promise<HsmSealed> => {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key(label), iv);
        cipher.setAAD(aad);
        const ciphertext = Buffer.concat([cipher.update(plaintext.expose()), cipher.final()]);
        return { iv, ciphertext, tag: cipher.getAuthTag() };
      },
      decrypt: async (label, sealed, aad) => {
        const decipher = createDecipheriv('aes-256-gcm', key(label), sealed.iv);
        decipher.setAAD(aad);
        decipher.setAuthTag(sealed.tag);
        try {
          return SecretBytes.adopt(Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]));
        } catch {
          throw new HsmDecryptError();
        }
      },
      destroyKey: async (label) => {
        if (!open) throw new Error('the HSM session is closed');
        return token.keys.delete(label);
      },
      close: async () => {
        if (open) this.openSessions--;
        open = false;
      },
    };
  }
}
