import { KmsError } from '../../core/errors.js';
import { dataKeyPairInput } from './data-key-pair.js';
import { defineOperation } from '../pipeline/operation.js';
import { contextForAudit, keyMaterialOf } from './symmetric.js';

export const generateDataKeyPair = defineOperation({
  service: 'TrentService',
  name: 'GenerateDataKeyPair',
  description: 'Returns a new asymmetric data key pair: the public key, and the private key in plaintext and encrypted under a KMS key.',
  effect: 'use',
  uses: ['primitives'] as const,
  input: dataKeyPairInput,
  conditions: (c) => [c.encryptionContext((i) => i.EncryptionContext), c.scalar('kms:DataKeyPairSpec', (i) => i.KeyPairSpec)],
  keys: { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } },
  dryRun: (i) => i.DryRun === true,
  async check(input, ctx, deps) {
    if (input.Recipient !== undefined) throw new KmsError('UnsupportedOperation', 'Recipient (Nitro Enclaves attestation) is not supported.');
    deps.primitives.checkDataKeyPair(ctx.keys.key, input.KeyPairSpec, 'GenerateDataKeyPair');
  },
  async execute(input, ctx, deps) {
    const key = ctx.keys.key;
    const pair = await deps.primitives.dataKeyPair(key, input.KeyPairSpec, input.EncryptionContext, 'GenerateDataKeyPair');
    return {
      PrivateKeyCiphertextBlob: pair.privateKeyCiphertextBlob,
      PrivateKeyPlaintext: pair.privateKeyPlaintext,
      PublicKey: pair.publicKey,
      KeyId: key.arn,
      KeyPairSpec: input.KeyPairSpec,
      ...keyMaterialOf(key, pair.privateKeyCiphertextBlob),
    };
  },
  auditRequest: (i) => ({ keyId: i.KeyId, keyPairSpec: i.KeyPairSpec, encryptionContext: contextForAudit(i.EncryptionContext) }),
  auditResponse: (o) => ({ keyId: o.KeyId }),
});
