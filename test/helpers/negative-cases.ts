/**
 * The per-operation negative cases (STYLE.md rule 12; src/service/operation-negative-cases.test.ts runs
 * them through the in-memory harness). Every registered operation has an entry, with each case kind either
 * a row (the request and the error it must get) or an explicit "not applicable" with its reason. A new
 * operation without an entry, or with a key slot no wrong-key row covers, fails the test.
 *
 * Expected codes are Arca's domain codes (src/core/errors.ts), which api/aws maps to AWS's exceptions:
 * AccessDenied → AccessDeniedException, InvalidKeyUsage → InvalidKeyUsageException, InvalidCiphertext →
 * InvalidCiphertextException, Sealed → KMSInternalException "the service is sealed", and so on.
 */
import { constants, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, randomUUID } from 'node:crypto';
import { runtimeSupports } from '../../src/crypto/post-quantum.js';
import type { SecretBytes } from '../../src/crypto/secret-bytes.js';
import type { ErrorCode } from '../../src/core/errors.js';
import type { Harness, TypedInput } from './operation-harness.js';

/** What the cases can name: keys of each kind, and artefacts made under them while they were usable. */
export interface NegativeFixture {
  /** A symmetric encryption key, and a second one. */
  readonly sym: string;
  readonly sym2: string;
  /** ECC_NIST_P256 keys for SIGN_VERIFY and KEY_AGREEMENT; an HMAC_256 key; an EXTERNAL-origin key without material. */
  readonly sign: string;
  readonly agree: string;
  readonly hmac: string;
  readonly external: string;
  /** An ML_KEM_768 key (ENCAPSULATE_DECAPSULATE) on a runtime with ML-KEM; elsewhere the id of no key. */
  readonly kem: string;
  readonly context: Readonly<Record<string, string>>;
  /** A ciphertext under `sym` with `context`. */
  readonly blob: Buffer;
  readonly message: Buffer;
  /** An ECDSA_SHA_256 signature of `message` under `sign`; an HMAC_SHA_256 tag of it under `hmac`. */
  readonly signature: Buffer;
  readonly mac: Buffer;
  readonly peerPublicKey: Buffer;
  /** An ML-KEM ciphertext under `kem` (1088 bytes; zeros where the runtime has no ML-KEM). */
  readonly kemCiphertext: Buffer;
  /** A grant on `sym` (grantee and retiring principal: the administrator). */
  readonly grantId: string;
  readonly alias: string;
  readonly adminArn: string;
  /** A principal with an access key and an identity policy named `harness`. */
  readonly principal: string;
  readonly accessKeyId: string;
  /** An import token for `external` and 32 bytes of material wrapped under it (RSAES_OAEP_SHA_256). */
  readonly importToken: Buffer;
  readonly wrappedMaterial: Buffer;
  /** The harness's unseal share (for the seal operations). */
  readonly share: SecretBytes;
}

/** One request that must fail with `expect` (or, for the seal operations while sealed, succeed). */
export interface Row {
  readonly input: (f: NegativeFixture) => TypedInput;
  readonly expect: ErrorCode | 'success';
  /** The message AWS sends, where a recorded sample pins it (/work/shared/references). */
  readonly message?: RegExp;
}

/** A case kind that does not apply to an operation, and why. */
export interface NotApplicable {
  readonly notApplicable: string;
}

/** A wrong-key row for the key slot at `slot` (the operation's declaration order), or a reason none applies. */
export type WrongKeyRow = (Row & { readonly slot: number }) | (NotApplicable & { readonly slot: number });

export interface OperationCases {
  /** A request an authorized caller could make (sealed and denied send it; default: `{}`). */
  readonly request?: (f: NegativeFixture) => TypedInput;
  /**
   * For an operation on a key: `request` with the key (or alias) it names replaced by `missing`, which
   * names nothing (a key id, or an `alias/…` name where the request names an alias). The denied case's
   * twin (DESIGN.md §7.3): a caller without rights gets the same AccessDenied for it.
   */
  readonly unknownKey?: ((f: NegativeFixture, missing: { readonly keyId: string; readonly alias: string }) => TypedInput) | NotApplicable;
  /** A caller without rights. Default: `request` answered AccessDenied. */
  readonly denied?: NotApplicable;
  /** While sealed. Default: `request` answered Sealed. */
  readonly sealed?: Row;
  readonly wrongKey: readonly WrongKeyRow[] | NotApplicable;
  readonly tampered: Row | NotApplicable;
  readonly wrongContext: Row | NotApplicable;
}

export const na = (notApplicable: string): NotApplicable => ({ notApplicable });
export const isNotApplicable = (x: object): x is NotApplicable => 'notApplicable' in x;

const NO_KEY = na('acts on no key');
const NO_CIPHERTEXT = na('takes no ciphertext');
const NO_CONTEXT = na('takes no encryption context with a ciphertext');
const ANY_KEY = na('accepts a key of any spec, usage and origin');
/** The unknown-key twin of `request`: its `member` names nothing. */
const replacing = (request: (f: NegativeFixture) => TypedInput, member: string) => (f: NegativeFixture, missing: { keyId: string; alias: string }) => ({
  ...request(f),
  [member]: member === 'AliasName' ? missing.alias : missing.keyId,
});
/** The cases of an operation on a key of any kind that takes no ciphertext. */
const anyKey = (request: (f: NegativeFixture) => TypedInput, keyMember = 'KeyId'): OperationCases => ({ request, unknownKey: replacing(request, keyMember), wrongKey: ANY_KEY, tampered: NO_CIPHERTEXT, wrongContext: NO_CONTEXT });
/** The cases of an operation on no key. */
const keyless = (request: (f: NegativeFixture) => TypedInput = () => ({})): OperationCases => ({ request, wrongKey: NO_KEY, tampered: NO_CIPHERTEXT, wrongContext: NO_CONTEXT });
/** The cases of an operation on one key that must be of one kind: `wrong` is a key of another kind. */
const oneKey = (request: (f: NegativeFixture) => TypedInput, wrong: (f: NegativeFixture) => string, expect: ErrorCode, tampered: Row | NotApplicable = NO_CIPHERTEXT, message?: RegExp): OperationCases => ({
  request,
  unknownKey: replacing(request, 'KeyId'),
  wrongKey: [{ slot: 0, input: (f) => ({ ...request(f), KeyId: wrong(f) }), expect, ...(message !== undefined && { message }) }],
  tampered,
  wrongContext: NO_CONTEXT,
});

/** AWS's InvalidKeyUsage message: `<key-arn> key usage is <usage> which is not valid for <operation>.` */
const usage = (keyUsage: string, operation: string) => new RegExp(`^arn:aws:kms:[^ ]+:key/[0-9a-f-]{36} key usage is ${keyUsage} which is not valid for ${operation}\\.$`);

/** `b` with one bit of its byte at `at` (from the end when negative) flipped. */
export function flip(b: Buffer, at = -1): Buffer {
  const out = Buffer.from(b);
  const i = at < 0 ? out.length + at : at;
  out[i] = (out[i] ?? 0) ^ 0x01;
  return out;
}

/** `blob` with its header naming `keyId` instead (bytes 1–16, DESIGN.md §2). */
function renamed(blob: Buffer, keyId: string): Buffer {
  const out = Buffer.from(blob);
  Buffer.from(keyId.replace(/-/g, ''), 'hex').copy(out, 1);
  return out;
}

/** CreateAlias, UpdateAlias: the alias is authorized before any key, so its target is never reached. */
const ALIAS_FIRST = na('the alias is authorized first: a caller without rights on it never reaches the target key, known or not');

/** Whether this runtime has ML-KEM (Node.js 24.7 or later), so that the fixture has a real ML-KEM key. */
const ML_KEM = runtimeSupports('ml-kem');

const UNSEAL_WORKS: Row = { input: (f) => ({ Share: f.share }), expect: 'success' };

/** The XKS operations (issue 21): the harness exposes no key to XKS, so past authorization they refuse every caller (AccessDenied). */
const XKS_META = { AwsPrincipalArn: 'arn:aws:iam::123456789012:user/Alice', KmsOperation: 'Encrypt', KmsRequestId: 'negative' };
const XKS_ONLY = na('the harness has no xksProxy: every XKS call past authorization is refused AccessDenied (src/service/xks/xks-common.ts); the XKS test client pins these answers');
const xks = (request: (f: NegativeFixture) => TypedInput): OperationCases => ({ request, unknownKey: replacing(request, 'KeyId'), wrongKey: [{ slot: 0, ...XKS_ONLY }], tampered: XKS_ONLY, wrongContext: NO_CONTEXT });

export const NEGATIVE_CASES: Readonly<Record<string, OperationCases>> = {
  XksGetKeyMetadata: xks((f) => ({ XksKeyId: 'foo', KeyId: f.sym, RequestMetadata: XKS_META })),
  XksEncrypt: xks((f) => ({ XksKeyId: 'foo', KeyId: f.sym, RequestMetadata: XKS_META, Plaintext: Buffer.from('negative'), EncryptionAlgorithm: 'AES_GCM' })),
  XksDecrypt: xks((f) => ({ XksKeyId: 'foo', KeyId: f.sym, RequestMetadata: XKS_META, Ciphertext: Buffer.alloc(8), CiphertextMetadata: Buffer.alloc(20), InitializationVector: Buffer.alloc(12), AuthenticationTag: Buffer.alloc(16), EncryptionAlgorithm: 'AES_GCM' })),
  CreateKey: keyless(),
  // Managed keys (issue 22, ADR 0027): the operations the KMIP server is built on.
  CreateManagedKey: keyless(() => ({ KeySpec: 'SYMMETRIC_DEFAULT' })),
  ActivateKey: anyKey((f) => ({ KeyId: f.sym })),
  RevokeKey: anyKey((f) => ({ KeyId: f.sym2, RevocationReason: 'Unspecified' })),
  ExportKeyMaterial: {
    request: (f) => ({ KeyId: f.sym }),
    unknownKey: replacing((f) => ({ KeyId: f.sym }), 'KeyId'),
    wrongKey: [{ slot: 0, ...na("the fixture's keys have AWS's default key policy, whose kms:* does not allow arca:ExportKeyMaterial (AccessDenied first); src/service/managed-keys/managed-keys.test.ts pins the refusal of a key not made exportable") }],
    tampered: NO_CIPHERTEXT,
    wrongContext: NO_CONTEXT,
  },
  DescribeManagedKey: anyKey((f) => ({ KeyId: f.sym })),
  SimulateKeyPolicy: anyKey((f) => ({ KeyId: f.sym, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:DescribeKey","Resource":"*"}]}' })),
  LocateKeys: keyless(),
  // Custom key stores (issue 21 part 2): account-level, on no key; the store they name is checked after authorization.
  CreateCustomKeyStore: keyless(() => ({ CustomKeyStoreName: 'negative', CloudHsmClusterId: 'cluster-1234567890abcd', TrustAnchorCertificate: 'not a certificate', KeyStorePassword: 'kmsPswd1' })),
  DescribeCustomKeyStores: keyless(),
  UpdateCustomKeyStore: keyless(() => ({ CustomKeyStoreId: 'cks-1234567890abcdef0', NewCustomKeyStoreName: 'renamed' })),
  ConnectCustomKeyStore: keyless(() => ({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
  DisconnectCustomKeyStore: keyless(() => ({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
  DeleteCustomKeyStore: keyless(() => ({ CustomKeyStoreId: 'cks-1234567890abcdef0' })),
  DescribeKey: anyKey((f) => ({ KeyId: f.sym })),
  ListKeys: keyless(),
  UpdateKeyDescription: anyKey((f) => ({ KeyId: f.sym, Description: 'changed' })),
  EnableKey: anyKey((f) => ({ KeyId: f.sym })),
  DisableKey: anyKey((f) => ({ KeyId: f.sym2 })),
  Encrypt: oneKey((f) => ({ KeyId: f.sym, Plaintext: Buffer.from('negative') }), (f) => f.sign, 'InvalidKeyUsage'),
  Decrypt: {
    request: (f) => ({ CiphertextBlob: f.blob, EncryptionContext: f.context }),
    // A blob whose header names a key Arca never had.
    unknownKey: (f, missing) => ({ CiphertextBlob: renamed(f.blob, missing.keyId), EncryptionContext: f.context }),
    wrongKey: [
      // The blob's header names a signing key (checked before the bytes are tried, as AWS does).
      { slot: 0, input: (f) => ({ CiphertextBlob: renamed(f.blob, f.sign), EncryptionContext: f.context }), expect: 'InvalidKeyUsage' },
      { slot: 1, input: (f) => ({ CiphertextBlob: f.blob, EncryptionContext: f.context, KeyId: f.sign }), expect: 'InvalidKeyUsage' },
      // Another symmetric key than the one the blob names (AWS sample decrypt-invalid-key-id).
      { slot: 1, input: (f) => ({ CiphertextBlob: f.blob, EncryptionContext: f.context, KeyId: f.sym2 }), expect: 'IncorrectKey', message: /^The key ID in the request does not identify a CMK that can perform this operation\.$/ },
    ],
    tampered: { input: (f) => ({ CiphertextBlob: flip(f.blob), EncryptionContext: f.context }), expect: 'InvalidCiphertext' },
    wrongContext: { input: (f) => ({ CiphertextBlob: f.blob, EncryptionContext: { ...f.context, purpose: 'other' } }), expect: 'InvalidCiphertext' },
  },
  ReEncrypt: {
    request: (f) => ({ CiphertextBlob: f.blob, SourceEncryptionContext: f.context, DestinationKeyId: f.sym2 }),
    unknownKey: (f, missing) => ({ CiphertextBlob: renamed(f.blob, missing.keyId), SourceEncryptionContext: f.context, DestinationKeyId: f.sym2 }),
    wrongKey: [
      { slot: 0, input: (f) => ({ CiphertextBlob: renamed(f.blob, f.sign), SourceEncryptionContext: f.context, DestinationKeyId: f.sym2 }), expect: 'InvalidKeyUsage' },
      { slot: 1, input: (f) => ({ CiphertextBlob: f.blob, SourceEncryptionContext: f.context, DestinationKeyId: f.sign }), expect: 'InvalidKeyUsage' },
      { slot: 2, input: (f) => ({ CiphertextBlob: f.blob, SourceEncryptionContext: f.context, DestinationKeyId: f.sym2, SourceKeyId: f.sign }), expect: 'InvalidKeyUsage' },
      { slot: 2, input: (f) => ({ CiphertextBlob: f.blob, SourceEncryptionContext: f.context, DestinationKeyId: f.sym2, SourceKeyId: f.sym2 }), expect: 'IncorrectKey' },
    ],
    tampered: { input: (f) => ({ CiphertextBlob: flip(f.blob), SourceEncryptionContext: f.context, DestinationKeyId: f.sym2 }), expect: 'InvalidCiphertext' },
    wrongContext: { input: (f) => ({ CiphertextBlob: f.blob, SourceEncryptionContext: { purpose: 'other' }, DestinationKeyId: f.sym2 }), expect: 'InvalidCiphertext' },
  },
  GenerateDataKey: oneKey((f) => ({ KeyId: f.sym, KeySpec: 'AES_256' }), (f) => f.sign, 'InvalidKeyUsage'),
  GenerateDataKeyWithoutPlaintext: oneKey((f) => ({ KeyId: f.sym, KeySpec: 'AES_256' }), (f) => f.sign, 'InvalidKeyUsage'),
  GenerateRandom: keyless(() => ({ NumberOfBytes: 16 })),
  CreateAlias: { ...anyKey((f) => ({ AliasName: 'alias/negative-new', TargetKeyId: f.sym })), unknownKey: ALIAS_FIRST },
  UpdateAlias: {
    request: (f) => ({ AliasName: f.alias, TargetKeyId: f.sym2 }),
    unknownKey: ALIAS_FIRST,
    wrongKey: [
      { slot: 0, notApplicable: "the alias's current key: whatever it is, the alias may be moved" },
      { slot: 1, input: (f) => ({ AliasName: f.alias, TargetKeyId: f.sign }), expect: 'ValidationFailed' },
    ],
    tampered: NO_CIPHERTEXT,
    wrongContext: NO_CONTEXT,
  },
  DeleteAlias: anyKey((f) => ({ AliasName: f.alias }), 'AliasName'),
  ListAliases: anyKey((f) => ({ KeyId: f.sym })),
  TagResource: anyKey((f) => ({ KeyId: f.sym, Tags: [{ TagKey: 'k', TagValue: 'v' }] })),
  UntagResource: anyKey((f) => ({ KeyId: f.sym, TagKeys: ['k'] })),
  ListResourceTags: anyKey((f) => ({ KeyId: f.sym })),
  GetKeyPolicy: anyKey((f) => ({ KeyId: f.sym, PolicyName: 'default' })),
  ListKeyPolicies: anyKey((f) => ({ KeyId: f.sym })),
  PutKeyPolicy: anyKey((f) => ({ KeyId: f.sym, PolicyName: 'default', Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}' })),
  CreatePrincipal: keyless(() => ({ PrincipalName: 'negative-new' })),
  ListPrincipals: keyless(),
  GetPrincipal: keyless((f) => ({ PrincipalName: f.principal })),
  DeletePrincipal: keyless((f) => ({ PrincipalName: f.principal })),
  TagPrincipal: keyless((f) => ({ PrincipalName: f.principal, Tags: [{ TagKey: 'k', TagValue: 'v' }] })),
  UntagPrincipal: keyless((f) => ({ PrincipalName: f.principal, TagKeys: ['k'] })),
  CreateAccessKey: keyless((f) => ({ PrincipalName: f.principal })),
  ListAccessKeys: keyless((f) => ({ PrincipalName: f.principal })),
  UpdateAccessKey: keyless((f) => ({ PrincipalName: f.principal, AccessKeyId: f.accessKeyId, Status: 'Inactive' })),
  DeleteAccessKey: keyless((f) => ({ PrincipalName: f.principal, AccessKeyId: f.accessKeyId })),
  PutPrincipalPolicy: keyless((f) => ({ PrincipalName: f.principal, PolicyName: 'q', PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}]}' })),
  GetPrincipalPolicy: keyless((f) => ({ PrincipalName: f.principal, PolicyName: 'harness' })),
  DeletePrincipalPolicy: keyless((f) => ({ PrincipalName: f.principal, PolicyName: 'harness' })),
  ListPrincipalPolicies: keyless((f) => ({ PrincipalName: f.principal })),
  // roles and STS (issue 17)
  UpdateAssumeRolePolicy: keyless((f) => ({ PrincipalName: f.principal, PolicyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}' })),
  RevokeRoleSessions: keyless((f) => ({ PrincipalName: f.principal })),
  AssumeRole: keyless((f) => ({ RoleArn: f.adminArn.replace(/user\/.*$/, 'role/negative-role'), RoleSessionName: 'negative' })),
  GetCallerIdentity: { ...keyless(), denied: na('needs no permission, as in AWS: any authenticated caller may ask who it is') },
  AssumeRoleWithWebIdentity: {
    ...keyless(() => ({ RoleArn: 'arn:aws:iam::111122223333:role/negative-role', RoleSessionName: 'negative', WebIdentityToken: 'not-a-token' })),
    denied: na('unsigned by design, as in AWS: the web identity token is the credential, and its refusals are InvalidIdentityToken'),
    sealed: { input: () => ({ RoleArn: 'arn:aws:iam::111122223333:role/negative-role', RoleSessionName: 'negative', WebIdentityToken: 'not-a-token' }), expect: 'Sealed' },
  },
  GetSessionToken: { ...keyless(), denied: na('needs no permission, as in AWS: any principal may get session credentials for itself') },
  EnableMfaDevice: keyless((f) => ({ PrincipalName: f.principal })),
  DisableMfaDevice: keyless((f) => ({ PrincipalName: f.principal })),
  // separation of duties (issue 18)
  PutApprovalRule: keyless((f) => ({ RuleName: 'negative', Operations: ['DisableKey'], Approvers: { PrincipalArns: [f.adminArn] }, Quorum: 1 })),
  DeleteApprovalRule: keyless(() => ({ RuleName: 'negative' })),
  ListApprovalRules: keyless(),
  ListApprovalRequests: keyless(),
  GetApprovalRequest: keyless(() => ({ ApprovalId: `apr-${'0'.repeat(32)}` })),
  ApproveRequest: keyless(() => ({ ApprovalId: `apr-${'0'.repeat(32)}`, Reason: 'negative' })),
  DenyRequest: keyless(() => ({ ApprovalId: `apr-${'0'.repeat(32)}`, Reason: 'negative' })),
  ExecuteApproved: keyless(() => ({ ApprovalId: `apr-${'0'.repeat(32)}` })),
  BreakGlass: keyless(() => ({ ApprovalId: `apr-${'0'.repeat(32)}`, Reason: 'negative' })),
  RequestKeyAccess: anyKey((f) => ({ KeyId: f.sym, Operations: ['Decrypt'], DurationSeconds: 60, Reason: 'negative' })),
  CreateGrant: anyKey((f) => ({ KeyId: f.sym, GranteePrincipal: f.adminArn, Operations: ['Decrypt'] })),
  ListGrants: anyKey((f) => ({ KeyId: f.sym })),
  ListRetirableGrants: keyless((f) => ({ RetiringPrincipal: f.adminArn })),
  RetireGrant: anyKey((f) => ({ KeyId: f.sym, GrantId: f.grantId })),
  RevokeGrant: anyKey((f) => ({ KeyId: f.sym, GrantId: f.grantId })),
  EnableKeyRotation: oneKey((f) => ({ KeyId: f.sym }), (f) => f.sign, 'UnsupportedOperation'),
  DisableKeyRotation: oneKey((f) => ({ KeyId: f.sym }), (f) => f.sign, 'UnsupportedOperation'),
  GetKeyRotationStatus: oneKey((f) => ({ KeyId: f.sym }), (f) => f.sign, 'UnsupportedOperation'),
  RotateKeyOnDemand: oneKey((f) => ({ KeyId: f.sym }), (f) => f.sign, 'UnsupportedOperation'),
  ListKeyRotations: oneKey((f) => ({ KeyId: f.sym }), (f) => f.sign, 'UnsupportedOperation'),
  ScheduleKeyDeletion: anyKey((f) => ({ KeyId: f.sym2, PendingWindowInDays: 7 })),
  CancelKeyDeletion: anyKey((f) => ({ KeyId: f.sym2 })),
  GetDestructionReceipt: keyless((f) => ({ KeyId: f.sym })),
  Sign: oneKey((f) => ({ KeyId: f.sign, Message: f.message, SigningAlgorithm: 'ECDSA_SHA_256' }), (f) => f.sym, 'InvalidKeyUsage'),
  Verify: oneKey(
    (f) => ({ KeyId: f.sign, Message: f.message, Signature: f.signature, SigningAlgorithm: 'ECDSA_SHA_256' }),
    (f) => f.sym,
    'InvalidKeyUsage',
    { input: (f) => ({ KeyId: f.sign, Message: flip(f.message), Signature: f.signature, SigningAlgorithm: 'ECDSA_SHA_256' }), expect: 'SignatureMismatch' },
    usage('ENCRYPT_DECRYPT', 'Verify'),
  ),
  GetPublicKey: oneKey((f) => ({ KeyId: f.sign }), (f) => f.sym, 'UnsupportedOperation'),
  // Messages as AWS's samples generate-mac-invalid-key-id, verify-invalid-key-id, response-invalid-key-usage.
  GenerateMac: oneKey((f) => ({ KeyId: f.hmac, Message: f.message, MacAlgorithm: 'HMAC_SHA_256' }), (f) => f.sym, 'InvalidKeyUsage', NO_CIPHERTEXT, usage('ENCRYPT_DECRYPT', 'GenerateMac')),
  VerifyMac: oneKey(
    (f) => ({ KeyId: f.hmac, Message: f.message, Mac: f.mac, MacAlgorithm: 'HMAC_SHA_256' }),
    (f) => f.sym,
    'InvalidKeyUsage',
    { input: (f) => ({ KeyId: f.hmac, Message: f.message, Mac: flip(f.mac), MacAlgorithm: 'HMAC_SHA_256' }), expect: 'MacMismatch' },
  ),
  GenerateDataKeyPair: oneKey((f) => ({ KeyId: f.sym, KeyPairSpec: 'ECC_NIST_P256' }), (f) => f.sign, 'InvalidKeyUsage'),
  GenerateDataKeyPairWithoutPlaintext: oneKey((f) => ({ KeyId: f.sym, KeyPairSpec: 'ECC_NIST_P256' }), (f) => f.sign, 'InvalidKeyUsage'),
  DeriveSharedSecret: oneKey((f) => ({ KeyId: f.agree, KeyAgreementAlgorithm: 'ECDH', PublicKey: f.peerPublicKey }), (f) => f.sign, 'InvalidKeyUsage', NO_CIPHERTEXT, usage('SIGN_VERIFY', 'DeriveSharedSecret')),
  // ML-KEM (issue 19). A wrong-length ciphertext is the only ciphertext failure: ML-KEM's implicit rejection answers any other with a secret.
  Encapsulate: oneKey((f) => ({ KeyId: f.kem, EncapsulationAlgorithm: 'ML_KEM' }), (f) => f.sym, 'InvalidKeyUsage', NO_CIPHERTEXT, usage('ENCRYPT_DECRYPT', 'Encapsulate')),
  Decapsulate: oneKey(
    (f) => ({ KeyId: f.kem, SharedSecretCiphertextBlob: f.kemCiphertext, EncapsulationAlgorithm: 'ML_KEM' }),
    (f) => f.sign,
    'InvalidKeyUsage',
    ML_KEM
      ? { input: (f) => ({ KeyId: f.kem, SharedSecretCiphertextBlob: f.kemCiphertext.subarray(1), EncapsulationAlgorithm: 'ML_KEM' }), expect: 'InvalidCiphertext' }
      : na('needs Node.js 24.7 or later for an ML-KEM key (CI runs these cases on Node 24)'),
    usage('SIGN_VERIFY', 'Decapsulate'),
  ),
  GetParametersForImport: oneKey((f) => ({ KeyId: f.external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), (f) => f.sym, 'UnsupportedOperation'),
  ImportKeyMaterial: oneKey(
    (f) => ({ KeyId: f.external, ImportToken: f.importToken, EncryptedKeyMaterial: f.wrappedMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    (f) => f.sym,
    'UnsupportedOperation',
    { input: (f) => ({ KeyId: f.external, ImportToken: f.importToken, EncryptedKeyMaterial: flip(f.wrappedMaterial, 0), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), expect: 'InvalidCiphertext' },
  ),
  DeleteImportedKeyMaterial: oneKey((f) => ({ KeyId: f.external }), (f) => f.sym, 'UnsupportedOperation'),
  GetSealStatus: { ...keyless(), denied: na('unauthenticated by design: it answers anyone, sealed or not'), sealed: { input: () => ({}), expect: 'success' } },
  Unseal: { ...keyless((f) => ({ Share: f.share })), denied: na('unauthenticated by design: the share is the credential'), sealed: UNSEAL_WORKS },
  InitializeRoot: {
    ...keyless(() => ({ Shares: 1, Threshold: 1 })),
    denied: na('unauthenticated by design: only an uninitialized store accepts it'),
    sealed: { input: () => ({ Shares: 1, Threshold: 1 }), expect: 'InvalidSealState' },
  },
  Seal: keyless(),
  Rekey: keyless((f) => ({ CurrentShares: [f.share], Shares: 1, Threshold: 1 })),
  RotateRoot: keyless(),
  CreateBackup: keyless(),
  Reset: keyless(),
  // The fixture's keys are single-Region: the wrong key is any of them (multi-Region keys: test/e2e/multi-region-keys.test.ts).
  ReplicateKey: oneKey((f) => ({ KeyId: f.sym, ReplicaRegion: 'eu-west-1' }), (f) => f.sign, 'UnsupportedOperation'),
  UpdatePrimaryRegion: oneKey((f) => ({ KeyId: f.sym, PrimaryRegion: 'eu-west-1' }), (f) => f.sign, 'UnsupportedOperation'),
  ExportDestructionLedger: keyless(),
  GetKeyLastUsage: anyKey((f) => ({ KeyId: f.sym })),
  ListAuditEvents: keyless(),
  GetAuditProof: keyless(() => ({ Sequence: 1 })),
  GetAuditCheckpoint: keyless(),
  ExportAuditLog: keyless(),
  ListAuditChains: keyless(),
  ListClusterNodes: keyless(),
  ListAlerts: keyless(),
  AcknowledgeAlert: keyless(() => ({ AlertId: '0000000000000000' })),
  ListBreakers: keyless(),
  ReleaseBreaker: keyless(() => ({ BreakerId: 'brk-none' })),
};

/** Builds the fixture as the harness's administrator. */
export async function negativeFixture(h: Harness): Promise<NegativeFixture> {
  const [sym, sym2, sign, agree, hmac, external] = [
    await h.key(),
    await h.key(),
    await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    await h.key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }),
    await h.key({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }),
    await h.key({ Origin: 'EXTERNAL' }),
  ] as [string, string, string, string, string, string];
  const context = { purpose: 'negative' };
  const message = Buffer.from('negative message');
  const blob = (await h.ok('Encrypt', { KeyId: sym, Plaintext: Buffer.from('negative'), EncryptionContext: context }))['CiphertextBlob'] as Buffer;
  const signature = (await h.ok('Sign', { KeyId: sign, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))['Signature'] as Buffer;
  const mac = (await h.ok('GenerateMac', { KeyId: hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))['Mac'] as Buffer;
  const grantId = String((await h.ok('CreateGrant', { KeyId: sym, GranteePrincipal: h.admin.arn, RetiringPrincipal: h.admin.arn, Operations: ['Decrypt'] }))['GrantId']);
  const alias = 'alias/negative';
  await h.ok('CreateAlias', { AliasName: alias, TargetKeyId: sym });
  const principal = 'negative-bob';
  await h.principal(principal, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }] });
  const accessKeyId = String(((await h.ok('CreateAccessKey', { PrincipalName: principal }, { service: 'ArcaService' }))['AccessKey'] as { AccessKeyId: string }).AccessKeyId);
  const params = await h.ok('GetParametersForImport', { KeyId: external, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });
  const wrappingKey = createPublicKey({ key: params['PublicKey'] as Buffer, format: 'der', type: 'spki' });
  const wrappedMaterial = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
  const peerPublicKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' });
  const kem = ML_KEM ? await h.key({ KeySpec: 'ML_KEM_768', KeyUsage: 'ENCAPSULATE_DECAPSULATE' }) : randomUUID();
  const kemCiphertext = ML_KEM ? ((await h.ok('Encapsulate', { KeyId: kem, EncapsulationAlgorithm: 'ML_KEM' }))['SharedSecretCiphertextBlob'] as Buffer) : Buffer.alloc(1088);
  return {
    sym, sym2, sign, agree, hmac, external, kem, kemCiphertext, context, blob, message, signature, mac, grantId, alias,
    adminArn: h.admin.arn, principal, accessKeyId, importToken: params['ImportToken'] as Buffer, wrappedMaterial, peerPublicKey, share: h.share(),
  };
}
