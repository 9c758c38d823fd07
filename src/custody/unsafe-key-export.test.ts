import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { randomId } from '../crypto/random.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { materialBinding } from '../core/bindings.js';
import { KmsError } from '../core/errors.js';
import type { KeyRecord, KeySpec, Origin, StoredKeyVersion } from '../core/key.js';
import { CustodyKeyImporter } from './importer.js';
import { KeyHierarchy } from './key-hierarchy.js';
import { unsafeExportMaterial } from './unsafe-key-export.js';
import { MemoryRoot } from '../../test/helpers/memory-root.js';

const NOW = new Date('2026-01-01T00:00:00Z');
const isKmsError = (code: string) => (e: unknown) => e instanceof KmsError && e.code === code;

async function open() {
  const root = new MemoryRoot();
  const domainKeys: { version: number; wrapped: Buffer }[] = [];
  const hierarchy = new KeyHierarchy(root, { listDomainKeys: async () => domainKeys, addDomainKey: async (version, wrapped) => void domainKeys.push({ version, wrapped }) });
  await hierarchy.open();
  const versions = new Map<string, StoredKeyVersion>();
  const deps = { keys: { getKeyVersion: async (id: string, v: number) => versions.get(`${id}#${v}`) }, hierarchy, imports: { listImports: async () => [] }, clock: { now: () => NOW } };
  return { hierarchy, versions, deps, importer: new CustodyKeyImporter(hierarchy) };
}

function record(keySpec: KeySpec, origin: Origin = 'EXTERNAL'): KeyRecord {
  return { id: randomId(), region: 'us-east-1', createdAt: NOW, description: '', keySpec, keyUsage: keySpec.startsWith('HMAC') ? 'GENERATE_VERIFY_MAC' : 'ENCRYPT_DECRYPT', origin, state: 'Enabled', primaryVersion: 1, policy: '{}' };
}

describe('registered material and its export (ADR 0027)', () => {
  it('acceptRegistered wraps the given material as the version, bound to the key; the caller keeps its copy', async () => {
    const t = await open();
    const key = record('SYMMETRIC_DEFAULT');
    const bytes = randomBytes(32);
    const material = SecretBytes.copyOf(bytes);
    const accepted = await t.importer.acceptRegistered(key, material, NOW, 1);
    assert.ok(!material.disposed, 'custody does not dispose what the caller owns');
    assert.equal(accepted.version.version, 1);
    assert.equal(accepted.fingerprint.length, 32);
    const unwrapped = await t.hierarchy.unwrap({ domainKeyVersion: accepted.version.domainKeyVersion, wrapped: accepted.version.wrappedMaterial }, materialBinding(key.id, 1));
    assert.ok(unwrapped.expose().equals(bytes));
    await assert.rejects(t.hierarchy.unwrap({ domainKeyVersion: accepted.version.domainKeyVersion, wrapped: accepted.version.wrappedMaterial }, materialBinding(randomId(), 1)), isKmsError('Internal'));
  });

  it('acceptRegistered refuses material that does not fit the key spec', async () => {
    const t = await open();
    await assert.rejects(t.importer.acceptRegistered(record('SYMMETRIC_DEFAULT'), SecretBytes.copyOf(randomBytes(16)), NOW), isKmsError('IncorrectKeyMaterial'));
    await assert.rejects(t.importer.acceptRegistered(record('HMAC_256'), SecretBytes.copyOf(randomBytes(16)), NOW), isKmsError('IncorrectKeyMaterial'));
  });

  it('unsafeExportMaterial returns a copy of the primary material (disposing it leaves the cached material intact)', async () => {
    const t = await open();
    const key = record('HMAC_384');
    const bytes = randomBytes(48);
    const accepted = await t.importer.acceptRegistered(key, SecretBytes.copyOf(bytes), NOW);
    t.versions.set(`${key.id}#1`, accepted.version);
    const handle = { record: key, arn: `arn:aws:kms:us-east-1:111122223333:key/${key.id}` };
    const first = await unsafeExportMaterial(t.deps, handle);
    assert.ok(first.expose().equals(bytes));
    first.dispose();
    const second = await unsafeExportMaterial(t.deps, handle);
    assert.ok(second.expose().equals(bytes), 'the cached material was not zeroed by the caller');
    second.dispose();
  });

  it('unsafeExportMaterial refuses keys in custom key stores and asymmetric keys, and a sealed hierarchy', async () => {
    const t = await open();
    for (const origin of ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const) {
      const key = record('SYMMETRIC_DEFAULT', origin);
      await assert.rejects(unsafeExportMaterial(t.deps, { record: key, arn: 'arn' }), isKmsError('UnsupportedOperation'), origin);
    }
    await assert.rejects(unsafeExportMaterial(t.deps, { record: { ...record('RSA_2048'), keyUsage: 'SIGN_VERIFY' }, arn: 'arn' }), isKmsError('UnsupportedOperation'));
    const key = record('SYMMETRIC_DEFAULT');
    const accepted = await t.importer.acceptRegistered(key, SecretBytes.copyOf(randomBytes(32)), NOW);
    t.versions.set(`${key.id}#1`, accepted.version);
    t.hierarchy.seal();
    await assert.rejects(unsafeExportMaterial(t.deps, { record: key, arn: 'arn' }), isKmsError('Sealed'));
  });
});
