/**
 * The requests of the key state × operation matrix (test/e2e/key-state-matrix.test.ts): for every
 * registered operation that acts on a key, the kind of key it needs, what must exist before the key is
 * put in the state under test (a ciphertext, a signature, a grant, an import token), and a valid request.
 * Expected answers are not here: the matrix derives them from src/core/key-state.ts and the registry.
 */
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { runtimeSupports } from '../../src/crypto/post-quantum.js';
import { defaultManagedKeyPolicy } from '../../src/core/managed-key.js';

/** The CreateKey members of the key a case needs (default: a symmetric encryption key). */
export interface KeyShape {
  readonly KeySpec?: string;
  readonly KeyUsage?: string;
  readonly Origin?: string;
}

/** What a case's setup can do while its key is still in the state CreateKey left it in. */
export interface SetupApi {
  readonly keyId: string;
  readonly arn: string;
  readonly adminArn: string;
  /** Calls a TrentService operation that must succeed, and returns its answer. */
  call(name: string, body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export interface Fixture {
  readonly keyId: string;
  readonly arn: string;
  readonly adminArn: string;
  /** What the case's setup returned. */
  readonly made: Readonly<Record<string, string>>;
}

export interface Case {
  readonly key?: KeyShape;
  /** Which of the operation's key requirements the key under test fills (default 0, the first). */
  readonly slot?: number;
  readonly setup?: (api: SetupApi) => Promise<Record<string, string>>;
  readonly body: (f: Fixture) => Record<string, unknown>;
}

const b64 = (b: Buffer) => b.toString('base64');
const PLAINTEXT = b64(Buffer.from('matrix'));
const MESSAGE = b64(Buffer.from('matrix message'));
const SIGNING: KeyShape = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' };
const HMAC: KeyShape = { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' };
const AGREEMENT: KeyShape = { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' };
const EXTERNAL: KeyShape = { Origin: 'EXTERNAL' };
const KEM: KeyShape = { KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' };
/** ML-KEM keys exist only on a runtime whose node:crypto has ML-KEM (Node.js 24.7 or later). */
const ML_KEM = runtimeSupports('ml-kem');
/** The ML-KEM operations' cases, or (on an older runtime) their exemptions: never both. */
const KEM_CASES: Readonly<Record<string, Case>> = {
  Encapsulate: { key: KEM, body: (f) => ({ KeyId: f.keyId, EncapsulationAlgorithm: 'ML_KEM' }) },
  Decapsulate: {
    key: KEM,
    setup: async (a) => ({ ciphertext: String((await a.call('Encapsulate', { KeyId: a.keyId, EncapsulationAlgorithm: 'ML_KEM' }))['SharedSecretCiphertextBlob']) }),
    body: (f) => ({ KeyId: f.keyId, SharedSecretCiphertextBlob: f.made['ciphertext'], EncapsulationAlgorithm: 'ML_KEM' }),
  },
};
const PEER_PUBLIC_KEY = b64(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }));

const blob = async (a: SetupApi) => ({ blob: String((await a.call('Encrypt', { KeyId: a.keyId, Plaintext: PLAINTEXT }))['CiphertextBlob']) });
/** Another symmetric key, left Enabled: the partner of the key under test in two-key operations. */
const otherKey = async (a: SetupApi) => ((await a.call('CreateKey', {}))['KeyMetadata'] as { KeyId: string }).KeyId;
const otherBlob = async (a: SetupApi) => ({ blob: String((await a.call('Encrypt', { KeyId: await otherKey(a), Plaintext: PLAINTEXT }))['CiphertextBlob']) });
const alias = async (a: SetupApi, target: string) => {
  const name = `alias/m-${randomUUID()}`;
  await a.call('CreateAlias', { AliasName: name, TargetKeyId: target });
  return { alias: name };
};
const grant = async (a: SetupApi) => ({
  grantId: String((await a.call('CreateGrant', { KeyId: a.keyId, GranteePrincipal: a.adminArn, RetiringPrincipal: a.adminArn, Operations: ['Decrypt'] }))['GrantId']),
});

/** An import token for the key, and `material` wrapped under its wrapping key (RSAES_OAEP_SHA_256). */
async function wrapForImport(a: SetupApi, material: Buffer): Promise<{ token: string; wrapped: string }> {
  const params = await a.call('GetParametersForImport', { KeyId: a.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const wrappingKey = createPublicKey({ key: Buffer.from(String(params['PublicKey']), 'base64'), format: 'der', type: 'spki' });
  const wrapped = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
  return { token: String(params['ImportToken']), wrapped: b64(wrapped) };
}

/** Imports fresh material into the (EXTERNAL) key, and returns a second token wrapping the same material. */
async function imported(a: SetupApi): Promise<Record<string, string>> {
  const material = randomBytes(32);
  const first = await wrapForImport(a, material);
  await a.call('ImportKeyMaterial', { KeyId: a.keyId, ImportToken: first.token, EncryptedKeyMaterial: first.wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
  return wrapForImport(a, material);
}

/** Gives the key CreateManagedKey's default key policy, which delegates the managed-key actions (arca:…) too. */
async function allowManagedActions(a: SetupApi): Promise<Record<string, string>> {
  const account = a.arn.split(':')[4] ?? '';
  await a.call('PutKeyPolicy', { KeyId: a.keyId, PolicyName: 'default', Policy: defaultManagedKeyPolicy(account) });
  return {};
}

/** A key policy's kms:* does not cover arca:SimulateKeyPolicy (docs/reports.md): the setup delegates it too. */
async function allowSimulation(a: SetupApi): Promise<Record<string, string>> {
  const account = a.arn.split(':')[4] ?? '';
  const statement = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: ['kms:*', 'arca:SimulateKeyPolicy'], Resource: '*' };
  await a.call('PutKeyPolicy', { KeyId: a.keyId, PolicyName: 'default', Policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }) });
  return {};
}

/**
 * Valid requests per operation that acts on a key, by operation name: one case per key requirement
 * (`slot`) the key under test can fill; the operation's other keys, if any, are Enabled.
 */
export const CASES: Readonly<Record<string, Case | readonly Case[]>> = {
  DescribeKey: { body: (f) => ({ KeyId: f.keyId }) },
  UpdateKeyDescription: { body: (f) => ({ KeyId: f.keyId, Description: 'changed' }) },
  EnableKey: { body: (f) => ({ KeyId: f.keyId }) },
  DisableKey: { body: (f) => ({ KeyId: f.keyId }) },
  Encrypt: { body: (f) => ({ KeyId: f.keyId, Plaintext: PLAINTEXT }) },
  Decrypt: [
    { setup: blob, body: (f) => ({ CiphertextBlob: f.made['blob'] }) },
    { slot: 1, setup: blob, body: (f) => ({ CiphertextBlob: f.made['blob'], KeyId: f.keyId }) },
  ],
  // Requirements: the key the blob names, the destination key, the caller's SourceKeyId.
  ReEncrypt: [
    { setup: async (a) => ({ ...(await blob(a)), other: await otherKey(a) }), body: (f) => ({ CiphertextBlob: f.made['blob'], DestinationKeyId: f.made['other'] }) },
    { slot: 1, setup: otherBlob, body: (f) => ({ CiphertextBlob: f.made['blob'], DestinationKeyId: f.keyId }) },
    {
      slot: 2,
      setup: async (a) => ({ ...(await blob(a)), other: await otherKey(a) }),
      body: (f) => ({ CiphertextBlob: f.made['blob'], SourceKeyId: f.keyId, DestinationKeyId: f.made['other'] }),
    },
  ],
  GenerateDataKey: { body: (f) => ({ KeyId: f.keyId, KeySpec: 'AES_256' }) },
  GenerateDataKeyWithoutPlaintext: { body: (f) => ({ KeyId: f.keyId, KeySpec: 'AES_256' }) },
  // As in AWS, a data key pair's private key is encrypted under a symmetric encryption key.
  GenerateDataKeyPair: { body: (f) => ({ KeyId: f.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateDataKeyPairWithoutPlaintext: { body: (f) => ({ KeyId: f.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  Sign: { key: SIGNING, body: (f) => ({ KeyId: f.keyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }) },
  Verify: {
    key: SIGNING,
    setup: async (a) => ({ signature: String((await a.call('Sign', { KeyId: a.keyId, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }))['Signature']) }),
    body: (f) => ({ KeyId: f.keyId, Message: MESSAGE, Signature: f.made['signature'], SigningAlgorithm: 'ECDSA_SHA_256' }),
  },
  GetPublicKey: { key: SIGNING, body: (f) => ({ KeyId: f.keyId }) },
  GenerateMac: { key: HMAC, body: (f) => ({ KeyId: f.keyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }) },
  VerifyMac: {
    key: HMAC,
    setup: async (a) => ({ mac: String((await a.call('GenerateMac', { KeyId: a.keyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }))['Mac']) }),
    body: (f) => ({ KeyId: f.keyId, Message: MESSAGE, Mac: f.made['mac'], MacAlgorithm: 'HMAC_SHA_256' }),
  },
  DeriveSharedSecret: { key: AGREEMENT, body: (f) => ({ KeyId: f.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_PUBLIC_KEY }) },
  CreateAlias: { body: (f) => ({ AliasName: `alias/new-${randomUUID()}`, TargetKeyId: f.keyId }) },
  // Requirements: the alias's current key, the new target.
  UpdateAlias: [
    { setup: async (a) => ({ ...(await alias(a, a.keyId)), other: await otherKey(a) }), body: (f) => ({ AliasName: f.made['alias'], TargetKeyId: f.made['other'] }) },
    { slot: 1, setup: async (a) => alias(a, await otherKey(a)), body: (f) => ({ AliasName: f.made['alias'], TargetKeyId: f.keyId }) },
  ],
  DeleteAlias: { setup: (a) => alias(a, a.keyId), body: (f) => ({ AliasName: f.made['alias'] }) },
  ListAliases: { body: (f) => ({ KeyId: f.keyId }) },
  TagResource: { body: (f) => ({ KeyId: f.keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }) },
  UntagResource: { body: (f) => ({ KeyId: f.keyId, TagKeys: ['k'] }) },
  ListResourceTags: { body: (f) => ({ KeyId: f.keyId }) },
  GetKeyPolicy: { body: (f) => ({ KeyId: f.keyId, PolicyName: 'default' }) },
  ListKeyPolicies: { body: (f) => ({ KeyId: f.keyId }) },
  // The key's own policy again, so that the lockout safety check passes.
  PutKeyPolicy: {
    setup: async (a) => ({ policy: String((await a.call('GetKeyPolicy', { KeyId: a.keyId, PolicyName: 'default' }))['Policy']) }),
    body: (f) => ({ KeyId: f.keyId, PolicyName: 'default', Policy: f.made['policy'] }),
  },
  CreateGrant: { body: (f) => ({ KeyId: f.keyId, GranteePrincipal: f.adminArn, Operations: ['Decrypt'] }) },
  ListGrants: { body: (f) => ({ KeyId: f.keyId }) },
  RetireGrant: { setup: grant, body: (f) => ({ KeyId: f.arn, GrantId: f.made['grantId'] }) },
  RevokeGrant: { setup: grant, body: (f) => ({ KeyId: f.keyId, GrantId: f.made['grantId'] }) },
  EnableKeyRotation: { body: (f) => ({ KeyId: f.keyId, RotationPeriodInDays: 90 }) },
  DisableKeyRotation: { body: (f) => ({ KeyId: f.keyId }) },
  GetKeyRotationStatus: { body: (f) => ({ KeyId: f.keyId }) },
  RotateKeyOnDemand: { body: (f) => ({ KeyId: f.keyId }) },
  ListKeyRotations: { body: (f) => ({ KeyId: f.keyId }) },
  ScheduleKeyDeletion: { body: (f) => ({ KeyId: f.keyId, PendingWindowInDays: 7 }) },
  CancelKeyDeletion: { body: (f) => ({ KeyId: f.keyId }) },
  GetKeyLastUsage: { body: (f) => ({ KeyId: f.keyId }) },
  GetParametersForImport: { key: EXTERNAL, body: (f) => ({ KeyId: f.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }) },
  // Re-importing the material already imported (allowed, as in AWS), with a fresh token.
  ImportKeyMaterial: {
    key: EXTERNAL,
    setup: imported,
    body: (f) => ({ KeyId: f.keyId, ImportToken: f.made['token'], EncryptedKeyMaterial: f.made['wrapped'], ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
  },
  DeleteImportedKeyMaterial: { key: EXTERNAL, setup: imported, body: (f) => ({ KeyId: f.keyId }) },
  ...(ML_KEM ? KEM_CASES : {}),
  // Managed keys (ADR 0027): an untagged key is KMIP Active when Enabled, Deactivated when Disabled; both revocable.
  // A key policy's kms:* does not cover Arca's actions: the setup allows them as CreateManagedKey's default policy does.
  RevokeKey: { setup: allowManagedActions, body: (f) => ({ KeyId: f.keyId, RevocationReason: 'Unspecified' }) },
  DescribeManagedKey: { setup: allowManagedActions, body: (f) => ({ KeyId: f.keyId }) },
  // Policy simulation (issue 23) reads the key and its trail: any state but a missing key.
  SimulateKeyPolicy: { setup: allowSimulation, body: (f) => ({ KeyId: f.keyId, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:DescribeKey","Resource":"*"}]}' }) },
};

/**
 * Operations that act on a key but have no row in the matrix, each with the reason. An entry must name a
 * registered operation with a key. The ML-KEM operations are exempt only on a runtime without ML-KEM
 * (Node.js before 24.7), where no ML-KEM key can exist: CI runs the matrix on Node 24 too.
 */
export const EXEMPT: Readonly<Record<string, string>> = {
  XksGetKeyMetadata: 'the matrix server exposes no key to XKS (no xksProxy), so every XKS call is refused past the state check; the XKS states (disabled: keyStatus DISABLED, InvalidStateException) are not pinned yet',
  XksEncrypt: 'the matrix server exposes no key to XKS (no xksProxy); see XksGetKeyMetadata',
  XksDecrypt: 'the matrix server exposes no key to XKS (no xksProxy); see XksGetKeyMetadata',
  RequestKeyAccess:
    'it never answers 200 to a plain call (held by an approval rule, or refused without one), so no state is "ok" here; test/e2e/jit-access.test.ts pins its state answers: a disabled key is refused when asked and at execution, as CreateGrant is',
  ReplicateKey: 'needs a multi-Region primary key, which the matrix fixture has none of (its keys are single-Region); test/e2e/multi-region-keys.test.ts pins its answers',
  UpdatePrimaryRegion: 'needs a multi-Region primary key with a replica; test/e2e/multi-region-keys.test.ts pins its answers',
  ActivateKey:
    'only a PreActive managed key (CreateManagedKey without Activate) can be activated, and the matrix makes its keys with CreateKey (Active or Deactivated): src/service/managed-keys/managed-keys.test.ts pins its state answers',
  ExportKeyMaterial:
    'only a key made exportable by CreateManagedKey can be exported, and the matrix makes its keys with CreateKey: src/service/managed-keys/managed-keys.test.ts pins its state answers (Enabled and Disabled served, PendingDeletion refused)',
  ...(ML_KEM ? {} : Object.fromEntries(Object.keys(KEM_CASES).map((name) => [name, 'needs an ML-KEM key: Node.js 24.7 or later']))),
};

const isList = (c: Case | readonly Case[]): c is readonly Case[] => Array.isArray(c);

/** The cases of an operation (none when it has no entry). */
export function casesOf(name: string): readonly Case[] {
  const c = CASES[name];
  return c === undefined ? [] : isList(c) ? c : [c];
}
