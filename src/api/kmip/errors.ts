import type { ErrorCode, KmsError } from '../../core/errors.js';
import type { ResultReason } from './tags.js';

/**
 * A refusal of the KMIP adapter itself (a payload that is not what the operation needs, an attribute
 * Arca cannot honour), answered as the batch item's Result Reason and Message without calling the
 * pipeline.
 */
export class KmipError extends Error {
  readonly reason: ResultReason;

  constructor(reason: ResultReason, message: string) {
    super(message);
    this.name = 'KmipError';
    this.reason = reason;
  }
}

/**
 * The KMIP Result Reason of each Arca error code (docs/kmip.md). KMIP 1.x has few reasons, so most
 * refusals are Permission Denied (authorization), Item Not Found, Invalid Field (bad input) or General
 * Failure; the Result Message keeps Arca's code and message, so nothing of the cause is lost.
 */
export const KMIP_REASONS: Record<ErrorCode, ResultReason> = {
  ValidationFailed: 'InvalidField',
  SerializationFailed: 'InvalidMessage',
  UnknownOperation: 'OperationNotSupported',
  RequestTooLarge: 'ResponseTooLarge',
  MissingAuthentication: 'AuthenticationNotSuccessful',
  IncompleteSignature: 'AuthenticationNotSuccessful',
  InvalidSignature: 'AuthenticationNotSuccessful',
  UnrecognizedClient: 'AuthenticationNotSuccessful',
  ExpiredToken: 'AuthenticationNotSuccessful',
  AccessDenied: 'PermissionDenied',
  KeyNotFound: 'ItemNotFound',
  AlreadyExists: 'ObjectAlreadyExists',
  KeyDisabled: 'PermissionDenied',
  InvalidKeyState: 'PermissionDenied',
  InvalidCiphertext: 'CryptographicFailure',
  IncorrectKey: 'CryptographicFailure',
  InvalidKeyUsage: 'IllegalOperation',
  InvalidAliasName: 'InvalidField',
  InvalidArn: 'InvalidField',
  InvalidMarker: 'InvalidField',
  InvalidGrantToken: 'InvalidField',
  MalformedPolicyDocument: 'InvalidField',
  DryRunOperation: 'IllegalOperation',
  Tag: 'InvalidField',
  LimitExceeded: 'GeneralFailure',
  Conflict: 'GeneralFailure',
  UnsupportedOperation: 'FeatureNotSupported',
  Sealed: 'GeneralFailure',
  UnsealFailed: 'GeneralFailure',
  InvalidSealState: 'GeneralFailure',
  Internal: 'GeneralFailure',
  StorageUnavailable: 'GeneralFailure',
  SignatureMismatch: 'CryptographicFailure',
  MacMismatch: 'CryptographicFailure',
  IncorrectKeyMaterial: 'InvalidField',
  ExpiredImportToken: 'InvalidField',
  InvalidImportToken: 'InvalidField',
  NotFound: 'ItemNotFound',
  Throttled: 'GeneralFailure',
  RequestHeadersTooLarge: 'InvalidMessage',
  RequestTimeout: 'GeneralFailure',
  InvalidIdentityToken: 'AuthenticationNotSuccessful',
  ExpiredIdentityToken: 'AuthenticationNotSuccessful',
  IdpRejectedClaim: 'PermissionDenied',
  IdpCommunicationError: 'GeneralFailure',
  ApprovalRequired: 'PermissionDenied',
  CustomKeyStoreNotFound: 'ItemNotFound',
  CustomKeyStoreNameInUse: 'IllegalOperation',
  CustomKeyStoreInvalidState: 'PermissionDenied',
  CustomKeyStoreHasCMKs: 'IllegalOperation',
  CloudHsmClusterNotFound: 'ItemNotFound',
  CloudHsmClusterInUse: 'IllegalOperation',
  CloudHsmClusterInvalidConfiguration: 'GeneralFailure',
  IncorrectTrustAnchor: 'InvalidField',
  XksProxyUriUnreachable: 'GeneralFailure',
  XksProxyUriInUse: 'IllegalOperation',
  XksProxyIncorrectAuthenticationCredential: 'GeneralFailure',
  XksProxyInvalidConfiguration: 'GeneralFailure',
  XksProxyInvalidResponse: 'GeneralFailure',
  XksKeyNotFound: 'ItemNotFound',
  XksKeyInvalidConfiguration: 'GeneralFailure',
  XksKeyAlreadyInUse: 'IllegalOperation',
};

/** The Result Message of a pipeline refusal: Arca's code and message (an internal error's cause is never told). */
export function kmipMessage(error: KmsError): string {
  const message = error.code === 'Internal' ? 'An internal error occurred.' : error.message;
  return `${error.code}: ${message}`;
}
