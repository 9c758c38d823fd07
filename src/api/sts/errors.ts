import type { ErrorCode } from '../../core/errors.js';

/** Who is at fault, in STS's error XML (`<Type>`): the caller (`Sender`) or the service (`Receiver`). */
export type StsFaultType = 'Sender' | 'Receiver';

/**
 * Every Arca error code as AWS STS names it on the wire (`<Code>`), with its HTTP status and fault
 * type. Codes an STS operation cannot produce (key states, ciphertexts) map to InvalidParameterValue,
 * so the table stays exhaustive: a new ErrorCode does not compile until it is named here.
 */
export const STS_ERRORS: Record<ErrorCode, { readonly code: string; readonly status: number; readonly type: StsFaultType }> = {
  ValidationFailed: { code: 'ValidationError', status: 400, type: 'Sender' },
  SerializationFailed: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  UnknownOperation: { code: 'InvalidAction', status: 400, type: 'Sender' },
  RequestTooLarge: { code: 'RequestEntityTooLarge', status: 413, type: 'Sender' },
  MissingAuthentication: { code: 'MissingAuthenticationToken', status: 403, type: 'Sender' },
  IncompleteSignature: { code: 'IncompleteSignature', status: 403, type: 'Sender' },
  InvalidSignature: { code: 'SignatureDoesNotMatch', status: 403, type: 'Sender' },
  UnrecognizedClient: { code: 'InvalidClientTokenId', status: 403, type: 'Sender' },
  ExpiredToken: { code: 'ExpiredToken', status: 400, type: 'Sender' },
  AccessDenied: { code: 'AccessDenied', status: 403, type: 'Sender' },
  KeyNotFound: { code: 'NoSuchEntity', status: 404, type: 'Sender' },
  NotFound: { code: 'NoSuchEntity', status: 404, type: 'Sender' },
  AlreadyExists: { code: 'EntityAlreadyExists', status: 409, type: 'Sender' },
  KeyDisabled: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidKeyState: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidCiphertext: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  IncorrectKey: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidKeyUsage: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidAliasName: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidArn: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidMarker: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidGrantToken: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  MalformedPolicyDocument: { code: 'MalformedPolicyDocument', status: 400, type: 'Sender' },
  DryRunOperation: { code: 'DryRunOperation', status: 412, type: 'Sender' },
  Tag: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  LimitExceeded: { code: 'LimitExceeded', status: 400, type: 'Sender' },
  Conflict: { code: 'Conflict', status: 409, type: 'Sender' },
  ApprovalRequired: { code: 'ApprovalRequired', status: 400, type: 'Sender' },
  // MFA, session policies and SourceIdentity are later slices of issue 17: asked for, they are refused.
  UnsupportedOperation: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  Sealed: { code: 'ServiceUnavailable', status: 503, type: 'Receiver' },
  UnsealFailed: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidSealState: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  Internal: { code: 'InternalFailure', status: 500, type: 'Receiver' },
  StorageUnavailable: { code: 'ServiceUnavailable', status: 503, type: 'Receiver' },
  SignatureMismatch: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  MacMismatch: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  IncorrectKeyMaterial: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  ExpiredImportToken: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  InvalidImportToken: { code: 'InvalidParameterValue', status: 400, type: 'Sender' },
  Throttled: { code: 'Throttling', status: 400, type: 'Sender' },
  RequestHeadersTooLarge: { code: 'RequestHeaderFieldsTooLarge', status: 431, type: 'Sender' },
  RequestTimeout: { code: 'RequestTimeout', status: 408, type: 'Sender' },
  InvalidIdentityToken: { code: 'InvalidIdentityToken', status: 400, type: 'Sender' },
  ExpiredIdentityToken: { code: 'ExpiredTokenException', status: 400, type: 'Sender' },
  IdpRejectedClaim: { code: 'IDPRejectedClaim', status: 403, type: 'Sender' },
  IdpCommunicationError: { code: 'IDPCommunicationError', status: 400, type: 'Sender' },
};
