import { CreateKeyCommand, GenerateMacCommand, GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { encodeFields } from '../../src/crypto/encoding.js';
import { unwrapSecret } from '../../src/crypto/key-wrap.js';
import { SecretBytes } from '../../src/crypto/secret-bytes.js';
import { materialBinding } from '../../src/core/bindings.js';
import { kmsClient } from '../helpers/kms-client.js';
import { removeDir, startDevServer, tempDataDir } from '../helpers/server.js';

/** The material of a key version, recovered as only a holder of the dev root file could. */
function recoverMaterial(dataDir: string, keyId: string): Buffer {
  const hex = readFileSync(join(dataDir, 'insecure-dev-root.key'), 'utf8').split('\n').find((l) => /^[0-9a-f]{64}$/.test(l));
  assert.ok(hex);
  const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
  try {
    const dk = db.prepare<[], { version: number; wrapped: Buffer }>('SELECT version, wrapped FROM domain_keys ORDER BY version LIMIT 1').get();
    assert.ok(dk);
    const domainKey = unwrapSecret(SecretBytes.copyOf(Buffer.from(hex, 'hex')), dk.wrapped, Buffer.concat([encodeFields(['arca.root-wrap.v1']), encodeFields(['arca.domain-key.v1', dk.version])]));
    assert.ok(domainKey);
    const v = db.prepare<[string], { domain_key_version: number; wrapped_material: Buffer }>('SELECT domain_key_version, wrapped_material FROM key_versions WHERE key_id = ? AND version = 1').get(keyId);
    assert.ok(v);
    const material = unwrapSecret(domainKey, v.wrapped_material, Buffer.concat([materialBinding(keyId, 1), encodeFields([v.domain_key_version])]));
    assert.ok(material);
    return Buffer.from(material.expose());
  } finally {
    db.close();
  }
}

describe('asymmetric and HMAC keys across a restart', () => {
  const dataDir = tempDataDir();
  after(() => removeDir(dataDir));

  it('keep signing for the same public key and MACing with the same key; the private key is stored only wrapped, as PKCS#8', async () => {
    let first = await startDevServer({ dataDir });
    let kms = kmsClient(first);
    const ecc = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata?.KeyId ?? '';
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_384', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata?.KeyId ?? '';
    const publicKey = Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: ecc }))).PublicKey ?? []);
    const mac = (await kms.send(new GenerateMacCommand({ KeyId: hmac, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_384' }))).Mac;
    kms.destroy();
    await first.stop();

    first = await startDevServer({ dataDir });
    kms = kmsClient(first);
    try {
      const sig = await kms.send(new SignCommand({ KeyId: ecc, Message: Buffer.from('after restart'), SigningAlgorithm: 'ECDSA_SHA_256' }));
      assert.ok(verify('sha256', Buffer.from('after restart'), createPublicKey({ key: publicKey, format: 'der', type: 'spki' }), Buffer.from(sig.Signature ?? [])));
      const again = await kms.send(new GenerateMacCommand({ KeyId: hmac, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_384' }));
      assert.deepEqual(again.Mac, mac);
    } finally {
      kms.destroy();
      await first.stop();
    }

    const pkcs8 = recoverMaterial(dataDir, ecc);
    const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    assert.deepEqual(createPublicKey(priv).export({ type: 'spki', format: 'der' }), publicKey, 'the stored material is the PKCS#8 of the public key');
    const d = Buffer.from(priv.export({ format: 'jwk' }).d ?? '', 'base64url');
    assert.equal(recoverMaterial(dataDir, hmac).length, 48);
    for (const file of ['arca.db', 'arca.db-wal'].map((f) => join(dataDir, f))) {
      if (!existsSync(file)) continue;
      const bytes = readFileSync(file);
      assert.ok(!bytes.includes(pkcs8) && !bytes.includes(d), `${file} holds no plaintext private key`);
    }
  });
});
