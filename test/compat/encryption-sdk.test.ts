/**
 * Compatibility: the AWS Encryption SDK for JavaScript v4 (`@aws-crypto/client-node`) with a KMS keyring
 * whose client provider points at a real `arca dev` process. The ESDK is strict about KMS responses
 * (it compares Decrypt's `KeyId` with the key ARN it stored in the message, byte for byte), so a message
 * that round-trips here proves that Arca's Encrypt, GenerateDataKey and Decrypt answer as AWS does.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode, type KmsNodeClientSupplier } from '@aws-crypto/client-node';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { kmsClient } from '../helpers/kms-client.js';
import { removeDir, startDevServer, type DevServer } from '../helpers/server.js';

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

let server: DevServer;
/** Regions the keyrings asked the client provider for: every one must be the server's. */
const regionsAsked = new Set<string>();
let clientProvider: KmsNodeClientSupplier;
let generatorArn: string;
let secondArn: string;
let unrelatedArn: string;

const CONTEXT = { purpose: 'compat-test', tenant: 'acme' };

async function createKeyArn(description: string): Promise<string> {
  const kms = kmsClient(server);
  try {
    const out = await kms.send(new CreateKeyCommand({ Description: description }));
    const arn = out.KeyMetadata?.Arn;
    assert.ok(arn !== undefined && arn.startsWith('arn:aws:kms:'), `CreateKey returned no key ARN: ${String(arn)}`);
    return arn;
  } finally {
    kms.destroy();
  }
}

before(async () => {
  server = await startDevServer();
  // The ESDK calls the client's encrypt/decrypt/generateDataKey methods, so it needs the aggregated `KMS`
  // client; getClient builds one per region from this configuration (the ESDK docs' custom provider).
  const fromConfig = getClient(KMS, {
    endpoint: server.endpoint,
    region: server.credentials.region,
    credentials: { accessKeyId: server.credentials.accessKeyId, secretAccessKey: server.credentials.secretAccessKey },
    maxAttempts: 1,
  });
  clientProvider = (region: string) => {
    regionsAsked.add(region);
    return fromConfig(region);
  };
  generatorArn = await createKeyArn('esdk generator');
  secondArn = await createKeyArn('esdk second');
  unrelatedArn = await createKeyArn('esdk unrelated');
});

after(async () => {
  if (server) {
    await server.stop();
    removeDir(server.dataDir);
  }
});

describe('AWS Encryption SDK with a KMS keyring on Arca', () => {
  const plaintext = randomBytes(10_000);
  let message: Buffer;
  let suiteId: AlgorithmSuiteIdentifier;

  before(async () => {
    const keyring = new KmsKeyringNode({ generatorKeyId: generatorArn, keyIds: [secondArn], clientProvider });
    const { result, messageHeader } = await encrypt(keyring, plaintext, { encryptionContext: CONTEXT });
    message = result;
    suiteId = messageHeader.suiteId;
    // The data key is wrapped once by GenerateDataKey under the generator and once by Encrypt under the second key.
    assert.deepEqual(
      messageHeader.encryptedDataKeys.map((edk) => [edk.providerId, edk.providerInfo]),
      [
        ['aws-kms', generatorArn],
        ['aws-kms', secondArn],
      ],
    );
  });

  it('encrypts into a key-committing, signed message that wraps the data key under both keys', () => {
    assert.equal(suiteId, AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384);
    assert.ok(message.length > plaintext.length, 'the message carries the ciphertext and its header');
    assert.equal(message.includes(plaintext.subarray(0, 64)), false, 'the plaintext does not appear in the message');
    assert.deepEqual([...regionsAsked], [server.credentials.region], 'the keyring asked for a client in the keys’ region only');
  });

  it('decrypts with a keyring of both keys, returning the plaintext and the encryption context', async () => {
    const keyring = new KmsKeyringNode({ generatorKeyId: generatorArn, keyIds: [secondArn], clientProvider });
    const { plaintext: out, messageHeader } = await decrypt(keyring, message);
    assert.deepEqual(out, plaintext);
    for (const [k, v] of Object.entries(CONTEXT)) assert.equal(messageHeader.encryptionContext[k], v, `context ${k}`);
  });

  it('decrypts with a keyring of only the second key', async () => {
    const keyring = new KmsKeyringNode({ keyIds: [secondArn], clientProvider });
    const { plaintext: out, messageHeader } = await decrypt(keyring, message);
    assert.deepEqual(out, plaintext);
    for (const [k, v] of Object.entries(CONTEXT)) assert.equal(messageHeader.encryptionContext[k], v, `context ${k}`);
  });

  it('decrypts with a keyring of only the generator key', async () => {
    const keyring = new KmsKeyringNode({ keyIds: [generatorArn], clientProvider });
    const { plaintext: out } = await decrypt(keyring, message);
    assert.deepEqual(out, plaintext);
  });

  it('fails to decrypt with a keyring of an unrelated key', async () => {
    const keyring = new KmsKeyringNode({ keyIds: [unrelatedArn], clientProvider });
    // No encrypted data key names the unrelated key, so the keyring never gets a data key.
    await assert.rejects(decrypt(keyring, message), /unencryptedDataKey has not been set/);
  });

  it('fails to decrypt a message whose body was tampered with', async () => {
    const keyring = new KmsKeyringNode({ keyIds: [secondArn], clientProvider });
    const tampered = Buffer.from(message);
    const at = tampered.length - 200;
    tampered[at] = (tampered[at] ?? 0) ^ 0x01;
    await assert.rejects(decrypt(keyring, tampered));
  });

  it('fails to decrypt when the only key that could unwrap the data key is disabled, reporting DisabledException', async () => {
    const first = await createKeyArn('esdk disabled generator');
    const second = await createKeyArn('esdk disabled second');
    const { result } = await encrypt(new KmsKeyringNode({ generatorKeyId: first, keyIds: [second], clientProvider }), Buffer.from('x'), {
      encryptionContext: CONTEXT,
    });
    const kms = kmsClient(server);
    try {
      await kms.send(new DisableKeyCommand({ KeyId: second }));
    } finally {
      kms.destroy();
    }
    await assert.rejects(decrypt(new KmsKeyringNode({ keyIds: [second], clientProvider }), result), /DisabledException/);
    const { plaintext: out } = await decrypt(new KmsKeyringNode({ keyIds: [first], clientProvider }), result);
    assert.equal(out.toString(), 'x');
  });
});
