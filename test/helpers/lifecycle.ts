import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../src/core/ports.js';
import { encodeFields } from '../../src/crypto/encoding.js';
import { unwrapSecret } from '../../src/crypto/key-wrap.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { materialBinding } from '../../src/core/bindings.js';
import type { InProcessServer } from './in-process.js';
import { rawRequest } from './raw-request.js';

export const DAY = 86_400_000;

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  #t: number;
  constructor(start = Date.now()) {
    this.#t = start;
  }
  now(): Date {
    return new Date(this.#t);
  }
  advance(ms: number): void {
    this.#t += ms;
  }
}

/** Calls an operation through the real protocol, signed at the server's (test) time. */
export async function callAt(s: Pick<InProcessServer, 'endpoint' | 'credentials'>, clock: Clock, name: string, body: Record<string, unknown>) {
  const target = name.includes('.') ? name : `TrentService.${name}`;
  const res = await rawRequest(s, { target, body: JSON.stringify(body), signingDate: clock.now() });
  return { status: res.status, json: res.json() };
}

/** The stored rows of a key's versions: the wrapped material that crypto-shredding must remove. */
export function wrappedRows(dataDir: string, keyId: string): { version: number; domainKeyVersion: number; wrapped: Buffer }[] {
  const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
  try {
    return db
      .prepare<[string], { version: number; domain_key_version: number; wrapped_material: Buffer }>(
        'SELECT version, domain_key_version, wrapped_material FROM key_versions WHERE key_id = ? ORDER BY version',
      )
      .all(keyId)
      .map((r) => ({ version: r.version, domainKeyVersion: r.domain_key_version, wrapped: Buffer.from(r.wrapped_material) }));
  } finally {
    db.close();
  }
}

/**
 * Recovers a key version's plaintext material the way only someone holding the dev root file could
 * (as in persistence.test.ts), so a test can look for those bytes on disk.
 */
export function recoverMaterial(dataDir: string, keyId: string, row: { version: number; domainKeyVersion: number; wrapped: Buffer }): Buffer {
  const hex = readFileSync(join(dataDir, 'insecure-dev-root.key'), 'utf8').split('\n').find((l) => /^[0-9a-f]{64}$/.test(l));
  assert.ok(hex, 'dev root key file holds a key');
  const root = SecretBytes.copyOf(Buffer.from(hex, 'hex'));
  const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
  try {
    const dk = db.prepare<[number], { wrapped: Buffer }>('SELECT wrapped FROM domain_keys WHERE version = ?').get(row.domainKeyVersion);
    assert.ok(dk);
    const domainKey = unwrapSecret(root, dk.wrapped, Buffer.concat([encodeFields(['arca.root-wrap.v1']), encodeFields(['arca.domain-key.v1', row.domainKeyVersion])]));
    assert.ok(domainKey, 'domain key unwraps under the dev root');
    const material = unwrapSecret(domainKey, row.wrapped, Buffer.concat([materialBinding(keyId, row.version), encodeFields([row.domainKeyVersion])]));
    assert.ok(material, 'material unwraps under the domain key');
    return Buffer.from(material.expose());
  } finally {
    db.close();
  }
}

/** The SQLite files (database, WAL, shared memory) that contain any of the needles, raw, hex or base64. */
export function filesContaining(dataDir: string, needles: readonly Buffer[]): string[] {
  const files = ['arca.db', 'arca.db-wal', 'arca.db-shm'].map((f) => join(dataDir, f)).filter((f) => existsSync(f));
  return files.filter((f) => {
    const bytes = readFileSync(f);
    return needles.some((n) => [n, Buffer.from(n.toString('hex')), Buffer.from(n.toString('base64'))].some((form) => bytes.includes(form)));
  });
}
