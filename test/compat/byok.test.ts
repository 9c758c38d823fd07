/**
 * Bring your own key end to end through the AWS SDK: the openssl commands of docs/byok.md wrap material
 * for each wrapping algorithm exactly as a user would run them; the imported key then encrypts and
 * decrypts (and an imported HMAC key gives the MAC computed locally from the same material). Then every
 * refusal the issue lists, with AWS's error: expired, reused and other-key tokens, wrong length, different
 * material on re-import, use after DeleteImportedKeyMaterial and after ValidTo.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createHmac, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, verify } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  EnableKeyRotationCommand,
  RotateKeyOnDemandCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  KMSClient,
  SignCommand,
  type AlgorithmSpec,
  type KeySpec,
  type KeyUsageType,
} from '@aws-sdk/client-kms';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { REPO_ROOT } from '../helpers/server.js';
import { sqliteOf } from '../helpers/in-process.js';

let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };
let server: InProcessServer;
let kms: KMSClient;
let dir: string;

before(async () => {
  server = await startInProcess({ clock });
  kms = kmsClient(server);
  dir = mkdtempSync(join(tmpdir(), 'arca-byok-'));
});
after(async () => {
  kms.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The "# wrap with ALGORITHM" blocks of docs/byok.md, as a user copies them. */
const DOC = readFileSync(join(REPO_ROOT, 'docs', 'byok.md'), 'utf8');
const WRAP_SCRIPTS = new Map([...DOC.matchAll(/```sh\n# wrap with (\w+)\n([\s\S]*?)```/g)].map((m) => [m[1] ?? '', m[2] ?? '']));

async function externalKey(KeySpec: KeySpec = 'SYMMETRIC_DEFAULT', KeyUsage: KeyUsageType = 'ENCRYPT_DECRYPT'): Promise<string> {
  const out = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec, KeyUsage }));
  assert.equal(out.KeyMetadata?.KeyState, 'PendingImport');
  assert.equal(out.KeyMetadata?.Origin, 'EXTERNAL');
  return out.KeyMetadata?.KeyId ?? assert.fail('no key id');
}

async function params(keyId: string, algorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256') {
  const out = await kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }));
  assert.ok(out.ImportToken && out.PublicKey && out.ParametersValidTo);
  return { token: out.ImportToken, publicKey: Buffer.from(out.PublicKey), validTo: out.ParametersValidTo };
}

/** Wraps with the docs' openssl commands for `algorithm`. */
function wrapWithDocs(algorithm: string, publicKey: Buffer, material: Buffer): Buffer {
  const script = WRAP_SCRIPTS.get(algorithm);
  assert.ok(script, `docs/byok.md has no block for ${algorithm}`);
  const work = mkdtempSync(join(dir, 'wrap-'));
  writeFileSync(join(work, 'WrappingPublicKey.bin'), publicKey);
  writeFileSync(join(work, 'PlaintextKeyMaterial.bin'), material);
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(join(work, 'EncryptedKeyMaterial.bin'));
}

/** A local RSAES-OAEP-SHA-256 wrap, for the refusal tests. */
function oaepWrap(publicKey: Buffer, material: Buffer): Buffer {
  return publicEncrypt({ key: createPublicKey({ key: publicKey, format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
}

const state = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;

describe('BYOK with the openssl commands of docs/byok.md', () => {
  for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const) {
    it(`${algorithm}: a symmetric key imports, becomes Enabled and encrypts/decrypts`, async () => {
      const keyId = await externalKey();
      await expectKmsError(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException');
      const p = await params(keyId, algorithm);
      assert.ok(Math.abs(p.validTo.getTime() - (clock.now().getTime() + 24 * 3600 * 1000)) < 60_000, 'the token is valid for 24 hours');
      const encrypted = wrapWithDocs(algorithm, p.publicKey, randomBytes(32));
      await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: encrypted, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
      assert.equal(await state(keyId), 'Enabled');
      const ct = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(`imported with ${algorithm}`) }));
      const pt = await kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
      assert.equal(Buffer.from(pt.Plaintext ?? []).toString(), `imported with ${algorithm}`);
    });
  }

  it('an imported HMAC_256 key computes the same MAC as the material does locally', async () => {
    const keyId = await externalKey('HMAC_256', 'GENERATE_VERIFY_MAC');
    const material = randomBytes(32);
    const p = await params(keyId, 'RSA_AES_KEY_WRAP_SHA_256');
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: wrapWithDocs('RSA_AES_KEY_WRAP_SHA_256', p.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const out = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.from('token'), MacAlgorithm: 'HMAC_SHA_256' }));
    assert.deepEqual(Buffer.from(out.Mac ?? []), createHmac('sha256', material).update('token').digest());
  });
});

describe('BYOK of an asymmetric key', () => {
  it('an ECC_NIST_P256 private key (PKCS#8) imports with RSA_AES_KEY_WRAP_SHA_256 and signs for the local public key', async () => {
    const keyId = await externalKey('ECC_NIST_P256', 'SIGN_VERIFY');
    const local = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const p = await params(keyId, 'RSA_AES_KEY_WRAP_SHA_256');
    const pkcs8 = local.privateKey.export({ type: 'pkcs8', format: 'der' });
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: wrapWithDocs('RSA_AES_KEY_WRAP_SHA_256', p.publicKey, pkcs8), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    assert.deepEqual(Buffer.from(pub.PublicKey ?? []), local.publicKey.export({ type: 'spki', format: 'der' }));
    const sig = await kms.send(new SignCommand({ KeyId: keyId, Message: Buffer.from('imported'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    assert.ok(verify('sha256', Buffer.from('imported'), local.publicKey, Buffer.from(sig.Signature ?? [])));
    const other = await externalKey('ECC_NIST_P384', 'SIGN_VERIFY');
    const q = await params(other, 'RSA_AES_KEY_WRAP_SHA_256');
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: other, ImportToken: q.token, EncryptedKeyMaterial: wrapWithDocs('RSA_AES_KEY_WRAP_SHA_256', q.publicKey, pkcs8), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'IncorrectKeyMaterialException');
  });
});

describe('BYOK refusals', () => {
  it('a reused token and a token for another key are InvalidImportTokenException', async () => {
    const keyId = await externalKey();
    const other = await externalKey();
    const material = randomBytes(32);
    const p = await params(keyId);
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: other, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidImportTokenException');
  });

  it('material of the wrong length is IncorrectKeyMaterialException; bytes that do not unwrap are InvalidCiphertextException', async () => {
    const keyId = await externalKey();
    const p = await params(keyId);
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, randomBytes(16)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'IncorrectKeyMaterialException');
    const q = await params(keyId);
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: q.token, EncryptedKeyMaterial: randomBytes(256), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'InvalidCiphertextException');
  });

  it('DeleteImportedKeyMaterial shreds at once; only the same material re-imports, and old ciphertexts decrypt again', async () => {
    const keyId = await externalKey();
    const material = randomBytes(32);
    const p = await params(keyId);
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const ct = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') }));
    const wrapped = sqliteOf(server.app).prepare<[string], { w: Buffer }>('SELECT wrapped_material AS w FROM key_versions WHERE key_id = ?').get(keyId)?.w;
    assert.ok(wrapped && wrapped.length > 32);
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    assert.equal(await state(keyId), 'PendingImport');
    for (const file of ['arca.db', 'arca.db-wal']) {
      const path = join(server.dataDir, file);
      assert.ok(!(existsSync(path) && readFileSync(path).includes(wrapped)), `the wrapped material is still in ${file}`);
    }
    await expectKmsError(kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob })), 'KMSInvalidStateException');
    const rows = sqliteOf(server.app).prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM key_versions WHERE key_id = ?').get(keyId);
    assert.equal(rows?.n, 0, 'no stored copy of the material is left');
    const q = await params(keyId);
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: q.token, EncryptedKeyMaterial: oaepWrap(q.publicKey, randomBytes(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'IncorrectKeyMaterialException');
    const r = await params(keyId);
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: r.token, EncryptedKeyMaterial: oaepWrap(r.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    const pt = await kms.send(new DecryptCommand({ CiphertextBlob: ct.CiphertextBlob }));
    assert.equal(Buffer.from(pt.Plaintext ?? []).toString(), 'kept');
  });

  it('a key with imported material is never rotated to generated material (automatic rotation refused; on demand only to imported material)', async () => {
    const keyId = await externalKey();
    const p = await params(keyId);
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: oaepWrap(p.publicKey, randomBytes(32)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
    await expectKmsError(kms.send(new EnableKeyRotationCommand({ KeyId: keyId })), 'UnsupportedOperationException');
    // AWS rotates an EXTERNAL key on demand only to material imported for it (none here): KMSInvalidStateException.
    await expectKmsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'KMSInvalidStateException');
    const rows = sqliteOf(server.app).prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM key_versions WHERE key_id = ?').get(keyId);
    assert.equal(rows?.n, 1, 'no generated version was added');
  });

  it('ExpirationModel and ValidTo are checked; a key that is not EXTERNAL takes no import', async () => {
    const keyId = await externalKey();
    const p = await params(keyId);
    const wrapped = oaepWrap(p.publicKey, randomBytes(32));
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: wrapped })), 'ValidationException');
    await expectKmsError(kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: p.token, EncryptedKeyMaterial: wrapped, ValidTo: new Date(clock.now().getTime() - 1000) })), 'ValidationException');
    const normal = await kms.send(new CreateKeyCommand({}));
    await expectKmsError(kms.send(new GetParametersForImportCommand({ KeyId: normal.KeyMetadata?.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })), 'UnsupportedOperationException');
    await expectKmsError(kms.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' })), 'UnsupportedOperationException');
  });

  it('an expired token is ExpiredImportTokenException, and material past ValidTo is refused (clock moved forward)', async () => {
    const keyId = await externalKey();
    const stale = await params(keyId);
    const fresh = await params(keyId);
    const material = randomBytes(32);
    await kms.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: fresh.token, EncryptedKeyMaterial: oaepWrap(fresh.publicKey, material), ValidTo: new Date(clock.now().getTime() + 3600_000), ExpirationModel: 'KEY_MATERIAL_EXPIRES' }));
    await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before ValidTo') }));
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    assert.equal(described?.ExpirationModel, 'KEY_MATERIAL_EXPIRES');
    assert.ok(described?.ValidTo instanceof Date && described.ValidTo.getTime() > clock.now().getTime());
    offsetMs = 25 * 3600 * 1000;
    // A client per call: the SDK re-learns its clock offset from each response's Date header.
    const later = () => new KMSClient({ ...kmsClientConfig(), systemClockOffset: offsetMs });
    try {
      await expectKmsError(later().send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after ValidTo') })), 'KMSInvalidStateException');
      await expectKmsError(later().send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: stale.token, EncryptedKeyMaterial: oaepWrap(stale.publicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })), 'ExpiredImportTokenException');
      // The scheduler deletes expired material: the key is PendingImport again, its material rows gone.
      const run = await server.app.scheduler.runNow();
      assert.deepEqual(run.expired, [keyId]);
      assert.equal((await later().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, 'PendingImport');
      assert.deepEqual(sqliteOf(server.app).prepare('SELECT COUNT(*) AS n FROM key_versions WHERE key_id = ?').get(keyId), { n: 0 });
      // The same material can be imported again with a fresh token.
      const again = await later().send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      assert.ok(again.ImportToken && again.PublicKey);
      await later().send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: again.ImportToken, EncryptedKeyMaterial: oaepWrap(Buffer.from(again.PublicKey), material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));
      assert.equal((await later().send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState, 'Enabled');
    } finally {
      offsetMs = 0;
    }
  });
});

function kmsClientConfig() {
  return {
    endpoint: server.endpoint,
    region: server.credentials.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    maxAttempts: 1,
  };
}
