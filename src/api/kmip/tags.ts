/**
 * The KMIP tags and enumerations that the Baseline Server and Symmetric Key Lifecycle Server profiles use.
 * Values are those of the KMIP specification (1.4 §9.1.3, 2.0 §11 and §9.1.3.2); names are the spec's, in
 * PascalCase. The test cross-checks every value against PyKMIP's `kmip/core/enums.py` when it is installed.
 * Only what the profiles need is here: an unknown tag still decodes (TTLV does not need the table), it just
 * has no name.
 */
import { BLOCK_CIPHER_MODE, DIGITAL_SIGNATURE_ALGORITHM, HASHING_ALGORITHM, PADDING_METHOD, VALIDITY_INDICATOR } from './tags-crypto.js';

export const TAG = {
  ActivationDate: 0x420001,
  ApplicationNamespace: 0x420003,
  ArchiveDate: 0x420005,
  AsynchronousIndicator: 0x420007,
  Attribute: 0x420008,
  AttributeIndex: 0x420009,
  AttributeName: 0x42000a,
  AttributeValue: 0x42000b,
  Authentication: 0x42000c,
  BatchCount: 0x42000d,
  BatchErrorContinuationOption: 0x42000e,
  BatchItem: 0x42000f,
  BatchOrderOption: 0x420010,
  BlockCipherMode: 0x420011,
  Certificate: 0x420013,
  CompromiseDate: 0x420020,
  CompromiseOccurrenceDate: 0x420021,
  ContactInformation: 0x420022,
  Credential: 0x420023,
  CryptographicAlgorithm: 0x420028,
  CryptographicLength: 0x42002a,
  CryptographicParameters: 0x42002b,
  CryptographicUsageMask: 0x42002c,
  DeactivationDate: 0x42002f,
  DestroyDate: 0x420033,
  HashingAlgorithm: 0x420038,
  InitialDate: 0x420039,
  IvCounterNonce: 0x42003d,
  KeyBlock: 0x420040,
  KeyCompressionType: 0x420041,
  KeyFormatType: 0x420042,
  KeyMaterial: 0x420043,
  KeyValue: 0x420045,
  KeyWrappingData: 0x420046,
  KeyWrappingSpecification: 0x420047,
  LastChangeDate: 0x420048,
  Link: 0x42004a,
  LinkType: 0x42004b,
  LinkedObjectIdentifier: 0x42004c,
  MaximumItems: 0x42004f,
  MaximumResponseSize: 0x420050,
  Name: 0x420053,
  NameType: 0x420054,
  NameValue: 0x420055,
  ObjectGroup: 0x420056,
  ObjectType: 0x420057,
  Offset: 0x420058,
  OpaqueObject: 0x42005b,
  Operation: 0x42005c,
  OperationPolicyName: 0x42005d,
  PaddingMethod: 0x42005f,
  PrivateKey: 0x420064,
  ProcessStartDate: 0x420067,
  ProtectStopDate: 0x420068,
  ProtocolVersion: 0x420069,
  ProtocolVersionMajor: 0x42006a,
  ProtocolVersionMinor: 0x42006b,
  PublicKey: 0x42006d,
  QueryFunction: 0x420074,
  ReplacedUniqueIdentifier: 0x420076,
  RequestHeader: 0x420077,
  RequestMessage: 0x420078,
  RequestPayload: 0x420079,
  ResponseHeader: 0x42007a,
  ResponseMessage: 0x42007b,
  ResponsePayload: 0x42007c,
  ResultMessage: 0x42007d,
  ResultReason: 0x42007e,
  ResultStatus: 0x42007f,
  RevocationMessage: 0x420080,
  RevocationReason: 0x420081,
  RevocationReasonCode: 0x420082,
  SecretData: 0x420085,
  ServerInformation: 0x420088,
  State: 0x42008d,
  StorageStatusMask: 0x42008e,
  SymmetricKey: 0x42008f,
  Template: 0x420090,
  TemplateAttribute: 0x420091,
  TimeStamp: 0x420092,
  UniqueBatchItemId: 0x420093,
  UniqueIdentifier: 0x420094,
  UsageLimits: 0x420095,
  ValidityIndicator: 0x42009b,
  VendorIdentification: 0x42009d,
  ExtensionInformation: 0x4200a4,
  Fresh: 0x4200a8,
  ObjectGroupMember: 0x4200ac,
  DigitalSignatureAlgorithm: 0x4200ae,
  OriginalCreationDate: 0x4200bc,
  Data: 0x4200c2,
  SignatureData: 0x4200c3,
  RandomIv: 0x4200c5,
  MacData: 0x4200c6,
  TagLength: 0x4200ce,
  OffsetItems: 0x4200d4,
  LocatedItems: 0x4200d5,
  CorrelationValue: 0x4200d6,
  InitIndicator: 0x4200d7,
  FinalIndicator: 0x4200d8,
  KeyWrapType: 0x4200f8,
  ClientCorrelationValue: 0x420105,
  ServerCorrelationValue: 0x420106,
  Sensitive: 0x420120,
  AlwaysSensitive: 0x420121,
  Extractable: 0x420122,
  NeverExtractable: 0x420123,
  Attributes: 0x420125,
  CommonAttributes: 0x420126,
  AttributeReference: 0x42013b,
  CurrentAttribute: 0x42013c,
  NewAttribute: 0x42013d,
} as const;

export type TagName = keyof typeof TAG;

/** Operation (KMIP 1.4 §9.1.3.2.27, 2.0 §11.35): the ones the profiles (and issue 22) need. */
export const OPERATION = {
  Create: 0x01,
  CreateKeyPair: 0x02,
  Register: 0x03,
  ReKey: 0x04,
  Locate: 0x08,
  Get: 0x0a,
  GetAttributes: 0x0b,
  GetAttributeList: 0x0c,
  AddAttribute: 0x0d,
  ModifyAttribute: 0x0e,
  DeleteAttribute: 0x0f,
  Activate: 0x12,
  Revoke: 0x13,
  Destroy: 0x14,
  Query: 0x18,
  DiscoverVersions: 0x1e,
  Encrypt: 0x1f,
  Decrypt: 0x20,
  Sign: 0x21,
  SignatureVerify: 0x22,
  Mac: 0x23,
  MacVerify: 0x24,
  SetAttribute: 0x31,
} as const;

export type KmipOperation = keyof typeof OPERATION;

export const RESULT_STATUS = {
  Success: 0x00,
  OperationFailed: 0x01,
  OperationPending: 0x02,
  OperationUndone: 0x03,
} as const;

export type ResultStatus = keyof typeof RESULT_STATUS;

/** Result Reason (1.4 §9.1.3.2.29; 2.0 §11.46 adds the codes from 0x19 on). */
export const RESULT_REASON = {
  ItemNotFound: 0x01,
  ResponseTooLarge: 0x02,
  AuthenticationNotSuccessful: 0x03,
  InvalidMessage: 0x04,
  OperationNotSupported: 0x05,
  MissingData: 0x06,
  InvalidField: 0x07,
  FeatureNotSupported: 0x08,
  OperationCanceledByRequester: 0x09,
  CryptographicFailure: 0x0a,
  IllegalOperation: 0x0b,
  PermissionDenied: 0x0c,
  ObjectArchived: 0x0d,
  IndexOutOfBounds: 0x0e,
  ApplicationNamespaceNotSupported: 0x0f,
  KeyFormatTypeNotSupported: 0x10,
  KeyCompressionTypeNotSupported: 0x11,
  EncodingOptionError: 0x12,
  KeyValueNotPresent: 0x13,
  AttestationRequired: 0x14,
  AttestationFailed: 0x15,
  Sensitive: 0x16,
  NotExtractable: 0x17,
  ObjectAlreadyExists: 0x18,
  InvalidTicket: 0x19,
  UsageLimitExceeded: 0x1a,
  NumericRange: 0x1b,
  InvalidDataType: 0x1c,
  ReadOnlyAttribute: 0x1d,
  MultiValuedAttribute: 0x1e,
  UnsupportedAttribute: 0x1f,
  AttributeInstanceNotFound: 0x20,
  AttributeNotFound: 0x21,
  AttributeReadOnly: 0x22,
  AttributeSingleValued: 0x23,
  BadCryptographicParameters: 0x24,
  BadPassword: 0x25,
  CodecError: 0x26,
  IllegalObjectType: 0x28,
  IncompatibleCryptographicUsageMask: 0x29,
  InternalServerError: 0x2a,
  InvalidAttribute: 0x2c,
  InvalidAttributeValue: 0x2d,
  InvalidObjectType: 0x30,
  ObjectDestroyed: 0x36,
  ObjectNotFound: 0x37,
  NotAuthorised: 0x39,
  ServerLimitExceeded: 0x3a,
  UnknownEnumeration: 0x3b,
  UnknownTag: 0x3d,
  UnsupportedCryptographicParameters: 0x3e,
  UnsupportedProtocolVersion: 0x3f,
  WrongKeyLifecycleState: 0x43,
  GeneralFailure: 0x100,
} as const;

export type ResultReason = keyof typeof RESULT_REASON;

export const OBJECT_TYPE = {
  Certificate: 0x01,
  SymmetricKey: 0x02,
  PublicKey: 0x03,
  PrivateKey: 0x04,
  SplitKey: 0x05,
  Template: 0x06,
  SecretData: 0x07,
  OpaqueData: 0x08,
  PgpKey: 0x09,
  CertificateRequest: 0x0a,
} as const;

/** Cryptographic Algorithm: the ones Arca's key specs can back. */
export const CRYPTOGRAPHIC_ALGORITHM = {
  Aes: 0x03,
  Rsa: 0x04,
  Ecdsa: 0x06,
  HmacSha1: 0x07,
  HmacSha224: 0x08,
  HmacSha256: 0x09,
  HmacSha384: 0x0a,
  HmacSha512: 0x0b,
  Ec: 0x1a,
  Ed25519: 0x37,
} as const;

/** Cryptographic Usage Mask bits (an Integer bit mask, not an Enumeration). */
export const CRYPTOGRAPHIC_USAGE_MASK = {
  Sign: 0x01,
  Verify: 0x02,
  Encrypt: 0x04,
  Decrypt: 0x08,
  WrapKey: 0x10,
  UnwrapKey: 0x20,
  Export: 0x40,
  MacGenerate: 0x80,
  MacVerify: 0x100,
  DeriveKey: 0x200,
  ContentCommitment: 0x400,
  KeyAgreement: 0x800,
  CertificateSign: 0x1000,
  CrlSign: 0x2000,
  Authenticate: 0x100000,
  Unrestricted: 0x200000,
} as const;

export const KEY_FORMAT_TYPE = {
  Raw: 0x01,
  Opaque: 0x02,
  Pkcs1: 0x03,
  Pkcs8: 0x04,
  X509: 0x05,
  EcPrivateKey: 0x06,
  TransparentSymmetricKey: 0x07,
} as const;

export const STATE = {
  PreActive: 0x01,
  Active: 0x02,
  Deactivated: 0x03,
  Compromised: 0x04,
  Destroyed: 0x05,
  DestroyedCompromised: 0x06,
} as const;

export const REVOCATION_REASON_CODE = {
  Unspecified: 0x01,
  KeyCompromise: 0x02,
  CaCompromise: 0x03,
  AffiliationChanged: 0x04,
  Superseded: 0x05,
  CessationOfOperation: 0x06,
  PrivilegeWithdrawn: 0x07,
} as const;

export const NAME_TYPE = {
  UninterpretedTextString: 0x01,
  Uri: 0x02,
} as const;

export const QUERY_FUNCTION = {
  QueryOperations: 0x01,
  QueryObjects: 0x02,
  QueryServerInformation: 0x03,
  QueryApplicationNamespaces: 0x04,
  QueryExtensionList: 0x05,
  QueryExtensionMap: 0x06,
  QueryAttestationTypes: 0x07,
  QueryRngs: 0x08,
  QueryValidations: 0x09,
  QueryProfiles: 0x0a,
  QueryCapabilities: 0x0b,
  QueryClientRegistrationMethods: 0x0c,
} as const;

/** Every enumeration table above, by the name PyKMIP's enums.py gives its class (for the cross-check). */
export const ENUMERATIONS = {
  Operation: OPERATION,
  ResultStatus: RESULT_STATUS,
  ResultReason: RESULT_REASON,
  ObjectType: OBJECT_TYPE,
  CryptographicAlgorithm: CRYPTOGRAPHIC_ALGORITHM,
  CryptographicUsageMask: CRYPTOGRAPHIC_USAGE_MASK,
  KeyFormatType: KEY_FORMAT_TYPE,
  State: STATE,
  RevocationReasonCode: REVOCATION_REASON_CODE,
  NameType: NAME_TYPE,
  QueryFunction: QUERY_FUNCTION,
  BlockCipherMode: BLOCK_CIPHER_MODE,
  PaddingMethod: PADDING_METHOD,
  HashingAlgorithm: HASHING_ALGORITHM,
  DigitalSignatureAlgorithm: DIGITAL_SIGNATURE_ALGORITHM,
  ValidityIndicator: VALIDITY_INDICATOR,
} as const;

/** Reverse lookup of one of the tables above: value → name (first name wins). */
export function reverseTable<K extends string>(table: Readonly<Record<K, number>>): ReadonlyMap<number, K> {
  const out = new Map<number, K>();
  for (const k in table) if (!out.has(table[k])) out.set(table[k], k);
  return out;
}

export const OPERATION_BY_CODE = reverseTable(OPERATION);
