import { DecryptCommand, EncryptCommand, CreateKeyCommand, CreateAliasCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openBlob } from '../../src/crypto/ciphertext-blob.js';
import { encodeContext, encodeFields } from '../../src/crypto/encoding.js';
import { unwrapSecret } from '../../src/crypto/key-wrap.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { materialBinding } from '../../src/core/bindings.js';
import { kmsClient } from '../helpers/kms-client.js';
import { removeDir, startDevServer, tempDataDir } from '../helpers/server.js';

/**
 * Recovers a key version's material the way only someone holding the dev root file could, so the test
 * can look for those bytes in the database files.
 */
function recoverMaterial(dataDir: string, keyId: string): Buffer {
  const hex = readFileSync(join(dataDir, 'insecure-dev-root.key'), 'utf8').split('\n').find((l) => /^[0-9a-f]{64}$/.test(l));
  assert.ok(hex, 'dev root key file holds a key');
  const root = SecretBytes.copyOf(Buffer.from(hex, 'hex'));
  const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
  try {
    const dk = db.prepare<[], { version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version LIMIT 1').get();
    assert.ok(dk);
    const domainKey = unwrapSecret(root, dk.wrapped, Buffer.concat([encodeFields(['arca.root-wrap.v1']), encodeFields(['arca.domain-key.v1', dk.version])]));
    assert.ok(domainKey, 'domain key unwraps under the dev root');
    const v = db
      .prepare<[string], { domain_key_version: number; wrapped_material: Buffer }>('SELECT domain_key_version, wrapped_material FROM key_versions WHERE key_id = ? AND version = 1')
      .get(keyId);
    assert.ok(v);
    const material = unwrapSecret(domainKey, v.wrapped_material, Buffer.concat([materialBinding(keyId, 1), encodeFields([v.domain_key_version])]));
    assert.ok(material, 'material unwraps under the domain key');
    return Buffer.from(material.expose());
  } finally {
    db.close();
  }
}

function scanFor(files: string[], needle: Buffer): string[] {
  const forms = [needle, Buffer.from(needle.toString('hex')), Buffer.from(needle.toString('base64'))];
  return files.filter((f) => existsSync(f)).filter((f) => {
    const bytes = readFileSync(f);
    return forms.some((form) => bytes.includes(form));
  });
}

describe('persistence across restarts', () => {
  const dataDir = tempDataDir();
  after(() => removeDir(dataDir));

  it('keeps keys, aliases, credentials and decryptability across a restart, with no plaintext material on disk', async () => {
    const first = await startDevServer({ dataDir });
    const kms = kmsClient(first);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'survives restarts' }));
    assert.ok(KeyMetadata?.KeyId && KeyMetadata.Arn);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/persist', TargetKeyId: KeyMetadata.KeyId }));
    const plaintext = Buffer.from('acknowledged before the restart');
    const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/persist', Plaintext: plaintext, EncryptionContext: { tenant: 'a' } }));
    assert.ok(enc.CiphertextBlob);

    // While the server runs (WAL live) and after it stops, the material is nowhere on disk in the clear.
    const files = ['arca.db', 'arca.db-wal', 'arca.db-shm'].map((f) => join(dataDir, f));
    const material = recoverMaterial(dataDir, KeyMetadata.KeyId);
    assert.equal(material.length, 32);
    const opened = openBlob(SecretBytes.copyOf(material), Buffer.from(enc.CiphertextBlob), encodeContext({ tenant: 'a' }));
    assert.ok(opened, 'the recovered bytes really are the key material (they decrypt the ciphertext)');
    assert.deepEqual(opened.expose(), plaintext);
    assert.deepEqual(scanFor(files, material), [], 'key material found in plaintext in the SQLite files');
    assert.deepEqual(scanFor(files, plaintext), [], 'request plaintext found in the SQLite files');

    assert.equal(await first.stop(), 0, 'clean exit on SIGTERM');
    assert.deepEqual(scanFor(files, material), []);

    const second = await startDevServer({ dataDir });
    try {
      assert.deepEqual(second.credentials, { ...first.credentials, endpoint: second.endpoint }, 'the same admin access key after restart');
      assert.doesNotMatch(second.output(), /\(created\)/, 'no second admin is created');
      const kms2 = kmsClient(second);
      const described = await kms2.send(new DescribeKeyCommand({ KeyId: 'alias/persist' }));
      assert.equal(described.KeyMetadata?.Arn, KeyMetadata.Arn);
      assert.equal(described.KeyMetadata?.Description, 'survives restarts');
      const dec = await kms2.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'a' } }));
      assert.equal(Buffer.from(dec.Plaintext ?? []).toString(), plaintext.toString());
      assert.equal(dec.KeyId, KeyMetadata.Arn);
    } finally {
      await second.stop();
    }
  });

  it('loses no acknowledged write when the process is killed (SIGKILL)', async () => {
    const dir = tempDataDir();
    try {
      const server = await startDevServer({ dataDir: dir });
      const kms = kmsClient(server);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await kms.send(new CreateKeyCommand({ Description: `k${i}` }))).KeyMetadata?.KeyId ?? '');
      const blob = (await kms.send(new EncryptCommand({ KeyId: ids[4], Plaintext: Buffer.from('x') }))).CiphertextBlob;
      await server.kill();
      const again = await startDevServer({ dataDir: dir });
      try {
        const kms2 = kmsClient(again);
        for (const id of ids) assert.equal((await kms2.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata?.KeyId, id);
        const dec = await kms2.send(new DecryptCommand({ CiphertextBlob: blob }));
        assert.equal(Buffer.from(dec.Plaintext ?? []).toString(), 'x');
      } finally {
        await again.stop();
      }
    } finally {
      removeDir(dir);
    }
  });
});
