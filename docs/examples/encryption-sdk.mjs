// Envelope encryption with the AWS Encryption SDK for JavaScript, wrapping each data key under two Arca
// keys. Run `npm start` first, then:
//   source .arca-dev/credentials.env && node docs/examples/encryption-sdk.mjs
import { buildClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node';
import { KMS } from '@aws-sdk/client-kms';

// The keyring needs the aggregated `KMS` client (methods, not commands), pointed at Arca.
const kms = new KMS({ endpoint: process.env.ARCA_ENDPOINT });
const clientProvider = () => kms;

// The Encryption SDK compares key ARNs byte for byte: reference keys by ARN, not alias.
const first = (await kms.createKey({ Description: 'esdk generator' })).KeyMetadata.Arn;
const second = (await kms.createKey({ Description: 'esdk second key' })).KeyMetadata.Arn;

const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
const keyring = new KmsKeyringNode({ generatorKeyId: first, keyIds: [second], clientProvider });
const { result } = await encrypt(keyring, Buffer.from('hello from the Encryption SDK'), {
  encryptionContext: { purpose: 'example' },
});

// Either key alone can decrypt the message.
const onlySecond = new KmsKeyringNode({ keyIds: [second], clientProvider });
const { plaintext, messageHeader } = await decrypt(onlySecond, result);
console.log(plaintext.toString(), messageHeader.encryptionContext.purpose);
