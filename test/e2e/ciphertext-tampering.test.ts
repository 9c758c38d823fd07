/**
 * Tampered key-id bytes in a symmetric ciphertext blob (issue 12, item 6), end to end through
 * @aws-sdk/client-kms: the header's key id is not authenticated until that key opens the blob, so
 * - a key id naming no key is the one opaque InvalidCiphertextException, never NotFound (Decrypt and
 *   ReEncrypt's source), for every caller allowed to learn it;
 * - a caller without rights gets the same AccessDenied whether the named key is missing or forbidden
 *   (authorization comes before any decryption: no authenticity oracle on keys the caller may not use);
 * - a KeyId that differs from the header is IncorrectKeyException whatever the header names (a
 *   comparison of the caller's own bytes; docs/ciphertext-format.md).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, type KMSClient, ReEncryptCommand } from '@aws-sdk/client-kms';
import { uuidToBytes } from '../../src/crypto/encoding.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { expectKmsError, kmsClient } from '../helpers/kms-client.js';
import { createTestPrincipal, type TestPrincipal } from '../helpers/principals.js';

const ACCOUNT = '111122223333';
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const rootDelegation = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };

let server: InProcessServer;
let admin: KMSClient;
let user: TestPrincipal;
let describer: TestPrincipal;
let keyA: string;
let keyB: string;
let forbidden: string;
let blob: Buffer;

const idOf = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

/** The blob with its header's key id (bytes 1–16) replaced by `keyId`. */
function withKeyId(source: Buffer, keyId: string): Buffer {
  const out = Buffer.from(source);
  uuidToBytes(keyId).copy(out, 1);
  return out;
}

before(async () => {
  server = await startInProcess();
  admin = kmsClient(server);
  user = await createTestPrincipal(server, 'blob-user');
  // Identity policies allow Decrypt, ReEncrypt and DescribeKey everywhere: this caller may learn that a key does not exist.
  describer = await createTestPrincipal(server, 'blob-describer', { policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:ReEncrypt*', 'kms:DescribeKey'], Resource: '*' }] } });
  const create = async (statements: object[]) => {
    const arn = (await admin.send(new CreateKeyCommand({ Policy: policy(...statements) }))).KeyMetadata?.Arn;
    assert.ok(arn);
    return arn;
  };
  const userMay = { Effect: 'Allow', Principal: { AWS: user.arn }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*'], Resource: '*' };
  keyA = await create([rootDelegation, userMay]);
  keyB = await create([rootDelegation, userMay]);
  // Names neither the account root nor the test principals: nobody but the admin may use it.
  forbidden = await create([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: 'kms:*', Resource: '*' }]);
  blob = Buffer.from((await admin.send(new EncryptCommand({ KeyId: keyA, Plaintext: Buffer.from('tamper me') }))).CiphertextBlob ?? []);
});

after(async () => {
  await server.close();
});

describe('a ciphertext whose key-id bytes name no key', () => {
  it('Decrypt answers InvalidCiphertextException, not NotFound, to a caller who may use any key', async () => {
    const tampered = withKeyId(blob, randomUUID());
    await expectKmsError(admin.send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException');
    await expectKmsError(describer.client().send(new DecryptCommand({ CiphertextBlob: tampered })), 'InvalidCiphertextException');
  });

  it("ReEncrypt answers InvalidCiphertextException for its source blob", async () => {
    const tampered = withKeyId(blob, randomUUID());
    await expectKmsError(admin.send(new ReEncryptCommand({ CiphertextBlob: tampered, DestinationKeyId: keyB })), 'InvalidCiphertextException');
    await expectKmsError(describer.client().send(new ReEncryptCommand({ CiphertextBlob: tampered, DestinationKeyId: keyB })), 'InvalidCiphertextException');
  });

  it('every byte of the key id is covered: flipping any one is InvalidCiphertextException', async () => {
    for (let at = 1; at <= 16; at++) {
      const flipped = Buffer.from(blob);
      flipped[at] = (flipped[at] ?? 0) ^ 0x40;
      await expectKmsError(admin.send(new DecryptCommand({ CiphertextBlob: flipped })), 'InvalidCiphertextException');
    }
  });
});

describe('a ciphertext whose key-id bytes name another existing key', () => {
  it('one the caller may use: InvalidCiphertextException (the header does not authenticate under it)', async () => {
    const moved = withKeyId(blob, idOf(keyB));
    await expectKmsError(admin.send(new DecryptCommand({ CiphertextBlob: moved })), 'InvalidCiphertextException');
    await expectKmsError(user.client().send(new DecryptCommand({ CiphertextBlob: moved })), 'InvalidCiphertextException');
    await expectKmsError(user.client().send(new ReEncryptCommand({ CiphertextBlob: moved, DestinationKeyId: keyA })), 'InvalidCiphertextException');
  });

  it('a caller without rights gets the same AccessDenied for a forbidden key and for a missing one', async () => {
    const missingId = randomUUID();
    for (const send of [
      (b: Buffer) => user.client().send(new DecryptCommand({ CiphertextBlob: b })),
      (b: Buffer) => user.client().send(new ReEncryptCommand({ CiphertextBlob: b, DestinationKeyId: keyA })),
    ]) {
      const a = await expectKmsError(send(withKeyId(blob, idOf(forbidden))), 'AccessDeniedException');
      const b = await expectKmsError(send(withKeyId(blob, missingId)), 'AccessDeniedException');
      assert.equal(a.message.replace(idOf(forbidden), 'KEY'), b.message.replace(missingId, 'KEY'));
      assert.equal(a.$metadata.httpStatusCode, b.$metadata.httpStatusCode);
    }
  });
});

describe('Decrypt with a KeyId', () => {
  it('IncorrectKeyException when the header names another key, whether that key exists or not', async () => {
    for (const named of [idOf(keyB), randomUUID()]) {
      await expectKmsError(admin.send(new DecryptCommand({ CiphertextBlob: withKeyId(blob, named), KeyId: keyA })), 'IncorrectKeyException');
      await expectKmsError(admin.send(new ReEncryptCommand({ CiphertextBlob: withKeyId(blob, named), SourceKeyId: keyA, DestinationKeyId: keyB })), 'IncorrectKeyException');
    }
  });

  it('the untouched blob still decrypts, with or without the KeyId', async () => {
    for (const input of [{ CiphertextBlob: blob }, { CiphertextBlob: blob, KeyId: keyA }]) {
      const out = await user.client().send(new DecryptCommand(input));
      assert.equal(Buffer.from(out.Plaintext ?? []).toString(), 'tamper me');
    }
  });
});
