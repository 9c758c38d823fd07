// Encrypt and decrypt with the AWS SDK for JavaScript v3. Run `npm start` first, then:
//   source .arca-dev/credentials.env && node docs/examples/sdk-encrypt.mjs
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';

// Region and credentials come from AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
const kms = new KMSClient({ endpoint: process.env.ARCA_ENDPOINT });

const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'sdk example' }));
const context = { tenant: 'example' };
const { CiphertextBlob } = await kms.send(
  new EncryptCommand({ KeyId: KeyMetadata.KeyId, Plaintext: Buffer.from('hello from the SDK'), EncryptionContext: context }),
);
const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
console.log(Buffer.from(Plaintext).toString(), 'decrypted with', KeyId);
