import assert from 'node:assert/strict';
import { constants, createPublicKey, publicEncrypt } from 'node:crypto';
import { describe, it } from 'node:test';
import { parsePrivateKey } from '../crypto/asymmetric-keys.js';
import { randomId, randomSecret } from '../crypto/random.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { importTokenBinding, materialBinding } from '../core/bindings.js';
import { KmsError } from '../core/errors.js';
import type { ImportTokenRecord, WrappingAlgorithm } from '../core/key-import.js';
import type { KeyRecord, KeySpec } from '../core/key.js';
import { CustodyKeyImporter } from './importer.js';
import { KeyHierarchy } from './key-hierarchy.js';
import { CustodyKeyProvisioner } from './provisioner.js';
import { MemoryRoot } from '../../test/helpers/memory-root.js';

/** A sealable root of trust in memory, for tests of custody only. */
const NOW = new Date('2026-01-01T00:00:00Z');

async function open() {
  const root = new MemoryRoot();
  const domainKeys: { version: number; wrapped: Buffer }[] = [];
  const hierarchy = new KeyHierarchy(root, {
    listDomainKeys: async () => domainKeys,
    addDomainKey: async (version, wrapped) => void domainKeys.push({ version, wrapped }),
  });
  await hierarchy.open();
  return { root, hierarchy, provisioner: new CustodyKeyProvisioner(hierarchy), importer: new CustodyKeyImporter(hierarchy) };
}

function record(keySpec: KeySpec, id = randomId()): KeyRecord {
  return { id, region: 'us-east-1', createdAt: NOW, description: '', keySpec, keyUsage: 'ENCRYPT_DECRYPT', origin: 'EXTERNAL', state: 'PendingImport', primaryVersion: 1, policy: '{}' };
}

/** The SecretBytes the pipeline's disposal of a `prepare` result reaches (own enumerable members, nested). */
function secretsIn(value: unknown, depth = 0): SecretBytes[] {
  if (value instanceof SecretBytes) return [value];
  if (depth > 4 || typeof value !== 'object' || value === null || Buffer.isBuffer(value)) return [];
  return Object.values(value).flatMap((v) => secretsIn(v, depth + 1));
}

const isKmsError = (code: string, message?: string) => (e: unknown) => e instanceof KmsError && e.code === code && (message === undefined || e.message === message);

describe('KeyProvisioner: new key versions are made and wrapped in custody', () => {
  it('a new version is wrapped bound to its key and version: it unwraps as fresh material only there', async () => {
    const { hierarchy, provisioner } = await open();
    const key = record('SYMMETRIC_DEFAULT');
    const row = await provisioner.newVersion(key, 2, NOW);
    assert.deepEqual({ keyId: row.keyId, version: row.version, domainKeyVersion: row.domainKeyVersion, createdAt: row.createdAt }, { keyId: key.id, version: 2, domainKeyVersion: 1, createdAt: NOW });
    const wrapped = { domainKeyVersion: row.domainKeyVersion, wrapped: row.wrappedMaterial };
    assert.equal((await hierarchy.unwrap(wrapped, materialBinding(key.id, 2))).length, 32);
    await assert.rejects(hierarchy.unwrap(wrapped, materialBinding(key.id, 1)), isKmsError('Internal'));
  });

  it('prepared material carries no secret and becomes version 1 of the key id it names', async () => {
    const { hierarchy, provisioner } = await open();
    const prepared = await provisioner.prepareKey('ECC_NIST_P256');
    assert.deepEqual(secretsIn(prepared), []);
    const row = await provisioner.newVersion(record('ECC_NIST_P256', prepared.keyId), 1, NOW, prepared);
    const material = await hierarchy.unwrap({ domainKeyVersion: row.domainKeyVersion, wrapped: row.wrappedMaterial }, materialBinding(prepared.keyId, 1));
    assert.notEqual(parsePrivateKey(material, { kind: 'ec', curve: 'P-256' }), undefined);
  });

  it('refuses prepared material for another key, and a seal since prepare', async () => {
    const { root, provisioner } = await open();
    const prepared = await provisioner.prepareKey('SYMMETRIC_DEFAULT');
    await assert.rejects(provisioner.newVersion(record('SYMMETRIC_DEFAULT'), 1, NOW, prepared), isKmsError('Internal'));
    root.sealed = true;
    await assert.rejects(provisioner.newVersion(record('SYMMETRIC_DEFAULT', prepared.keyId), 1, NOW, prepared), isKmsError('Sealed'));
  });

  it('material prepared before a root rotation is stored under the current domain key', async () => {
    const { hierarchy, provisioner } = await open();
    const prepared = await provisioner.prepareKey('SYMMETRIC_DEFAULT');
    assert.equal(await hierarchy.rotate(), 2);
    const row = await provisioner.newVersion(record('SYMMETRIC_DEFAULT', prepared.keyId), 1, NOW, prepared);
    assert.equal(row.domainKeyVersion, 2);
    assert.equal((await hierarchy.unwrap({ domainKeyVersion: 2, wrapped: row.wrappedMaterial }, materialBinding(prepared.keyId, 1))).length, 32);
  });
});

describe('KeyImporter: imported material is unwrapped, checked and rewrapped in custody', () => {
  async function token(algorithm: WrappingAlgorithm = 'RSAES_OAEP_SHA_256') {
    const setup = await open();
    const key = record('SYMMETRIC_DEFAULT');
    const tokenId = randomId();
    const prepared = await setup.importer.prepareWrappingKey('RSA_2048');
    const wrapping = await setup.importer.wrappingKey(key.id, tokenId, 'RSA_2048', prepared);
    const tokenRecord: ImportTokenRecord = { tokenId, keyId: key.id, wrappingKeySpec: 'RSA_2048', wrappingAlgorithm: algorithm, wrappedPrivateKey: wrapping.wrappedPrivateKey, createdAt: NOW, expiresAt: NOW };
    const encrypt = (material: Buffer) => publicEncrypt({ key: createPublicKey({ key: wrapping.publicKey, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    return { ...setup, key, tokenId, prepared, wrapping, token: tokenRecord, encrypt };
  }

  it("a prepared wrapping key's private key is where the pipeline's disposal reaches it, and is zeroed once used", async () => {
    const { prepared, hierarchy, key, tokenId, wrapping } = await token();
    const secrets = secretsIn(prepared);
    assert.equal(secrets.length, 1);
    assert.equal(secrets[0]?.disposed, true);
    // The private key is stored wrapped, bound to the key and its token.
    await hierarchy.unwrap(wrapping.wrappedPrivateKey, importTokenBinding(key.id, tokenId));
    await assert.rejects(hierarchy.unwrap(wrapping.wrappedPrivateKey, importTokenBinding(key.id, randomId())), isKmsError('Internal'));
  });

  it('accepted material becomes the wrapped primary version, with a fingerprint that a re-import must match', async () => {
    const { importer, hierarchy, key, token: t, encrypt } = await token();
    const material = randomSecret(32).expose();
    const accepted = await importer.acceptImported(key, t, encrypt(material), undefined, NOW);
    const stored = await hierarchy.unwrap({ domainKeyVersion: accepted.version.domainKeyVersion, wrapped: accepted.version.wrappedMaterial }, materialBinding(key.id, 1));
    assert.deepEqual(stored.expose(), material);
    const again = await importer.acceptImported(key, t, encrypt(material), accepted.fingerprint, NOW);
    assert.deepEqual(again.fingerprint, accepted.fingerprint);
    await assert.rejects(
      importer.acceptImported(key, t, encrypt(randomSecret(32).expose()), accepted.fingerprint, NOW),
      isKmsError('IncorrectKeyMaterial', 'The key material is not the key material previously imported into this KMS key.'),
    );
  });

  it("refuses with AWS's errors: material of the wrong size, a ciphertext that does not unwrap, an unsupported algorithm", async () => {
    const { importer, key, token: t, encrypt } = await token();
    await assert.rejects(importer.acceptImported(key, t, encrypt(Buffer.alloc(16, 1)), undefined, NOW), isKmsError('IncorrectKeyMaterial', 'The key material is not valid for key spec SYMMETRIC_DEFAULT.'));
    await assert.rejects(importer.acceptImported(key, t, Buffer.alloc(256, 7), undefined, NOW), isKmsError('InvalidCiphertext'));
    assert.equal(importer.supports('RSAES_PKCS1_V1_5'), false);
    await assert.rejects(importer.acceptImported(key, { ...t, wrappingAlgorithm: 'RSAES_PKCS1_V1_5' }, encrypt(Buffer.alloc(32, 1)), undefined, NOW), isKmsError('InvalidImportToken'));
  });
});
