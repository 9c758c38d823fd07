import type { ErrorCode, KmsError } from '../../core/errors.js';

/** The XKS proxy API's error names (the spec's "Error codes" table). */
export type XksErrorName =
  | 'ValidationException'
  | 'InvalidStateException'
  | 'InvalidCiphertextException'
  | 'InvalidKeyUsageException'
  | 'AuthenticationFailedException'
  | 'AccessDeniedException'
  | 'KeyNotFoundException'
  | 'InvalidUriPathException'
  | 'ThrottlingException'
  | 'UnsupportedOperationException'
  | 'DependencyTimeoutException'
  | 'InternalException';

/** The HTTP status of each error name, as the spec's table gives it. */
export const XKS_STATUS: Record<XksErrorName, number> = {
  ValidationException: 400,
  InvalidStateException: 400,
  InvalidCiphertextException: 400,
  InvalidKeyUsageException: 400,
  AuthenticationFailedException: 401,
  AccessDeniedException: 403,
  KeyNotFoundException: 404,
  InvalidUriPathException: 404,
  ThrottlingException: 429,
  UnsupportedOperationException: 501,
  DependencyTimeoutException: 503,
  InternalException: 500,
};

/**
 * The XKS error name of each Arca error code (docs/xks-proxy.md). Every authentication failure is
 * AuthenticationFailedException; a disabled key or one pending deletion or import is InvalidStateException
 * (AWS KMS then tells its caller the external key is not enabled); sealed is InvalidStateException too
 * (the key store cannot be used until an operator unseals it); storage trouble is a dependency timeout.
 */
export const XKS_ERRORS: Record<ErrorCode, XksErrorName> = {
  ValidationFailed: 'ValidationException',
  SerializationFailed: 'ValidationException',
  UnknownOperation: 'InvalidUriPathException',
  RequestTooLarge: 'ValidationException',
  MissingAuthentication: 'AuthenticationFailedException',
  IncompleteSignature: 'AuthenticationFailedException',
  InvalidSignature: 'AuthenticationFailedException',
  UnrecognizedClient: 'AuthenticationFailedException',
  ExpiredToken: 'AuthenticationFailedException',
  AccessDenied: 'AccessDeniedException',
  KeyNotFound: 'KeyNotFoundException',
  AlreadyExists: 'ValidationException',
  KeyDisabled: 'InvalidStateException',
  InvalidKeyState: 'InvalidStateException',
  InvalidCiphertext: 'InvalidCiphertextException',
  IncorrectKey: 'InvalidCiphertextException',
  InvalidKeyUsage: 'InvalidKeyUsageException',
  InvalidAliasName: 'ValidationException',
  InvalidArn: 'ValidationException',
  InvalidMarker: 'ValidationException',
  InvalidGrantToken: 'ValidationException',
  MalformedPolicyDocument: 'ValidationException',
  DryRunOperation: 'ValidationException',
  Tag: 'ValidationException',
  LimitExceeded: 'ThrottlingException',
  Conflict: 'InternalException',
  UnsupportedOperation: 'UnsupportedOperationException',
  Sealed: 'InvalidStateException',
  UnsealFailed: 'InvalidStateException',
  InvalidSealState: 'InvalidStateException',
  Internal: 'InternalException',
  StorageUnavailable: 'DependencyTimeoutException',
  SignatureMismatch: 'InvalidCiphertextException',
  MacMismatch: 'InvalidCiphertextException',
  IncorrectKeyMaterial: 'InvalidCiphertextException',
  ExpiredImportToken: 'InvalidStateException',
  InvalidImportToken: 'InvalidStateException',
  NotFound: 'KeyNotFoundException',
  Throttled: 'ThrottlingException',
  RequestHeadersTooLarge: 'ValidationException',
  RequestTimeout: 'DependencyTimeoutException',
  InvalidIdentityToken: 'AuthenticationFailedException',
  ExpiredIdentityToken: 'AuthenticationFailedException',
  IdpRejectedClaim: 'AccessDeniedException',
  IdpCommunicationError: 'DependencyTimeoutException',
  ApprovalRequired: 'AccessDeniedException',
  // Custom key store errors reach an XKS caller only if an exposed key's own custody fails (keys of custom key
  // stores cannot be exposed): a store that cannot serve is a state problem, a proxy behind it a dependency.
  CustomKeyStoreNotFound: 'KeyNotFoundException',
  CustomKeyStoreNameInUse: 'ValidationException',
  CustomKeyStoreInvalidState: 'InvalidStateException',
  CustomKeyStoreHasCMKs: 'ValidationException',
  CloudHsmClusterNotFound: 'InvalidStateException',
  CloudHsmClusterInUse: 'ValidationException',
  CloudHsmClusterInvalidConfiguration: 'InvalidStateException',
  IncorrectTrustAnchor: 'ValidationException',
  XksProxyUriUnreachable: 'DependencyTimeoutException',
  XksProxyUriInUse: 'ValidationException',
  XksProxyIncorrectAuthenticationCredential: 'InvalidStateException',
  XksProxyInvalidConfiguration: 'InvalidStateException',
  XksProxyInvalidResponse: 'DependencyTimeoutException',
  XksKeyNotFound: 'KeyNotFoundException',
  XksKeyInvalidConfiguration: 'InvalidStateException',
  XksKeyAlreadyInUse: 'ValidationException',
};

/** The spec bounds `errorMessage`: under 512 characters, printable ASCII only. */
export function xksErrorMessage(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 511);
}

/**
 * The error answer: the spec's `{ errorName, errorMessage }` with its status. An `Internal` error's own
 * message is never echoed (it is logged with the request id by the pipeline), and no stack trace ever is.
 */
export function xksErrorAnswer(error: KmsError): { status: number; body: { errorName: XksErrorName; errorMessage: string } } {
  const errorName = XKS_ERRORS[error.code];
  const message = error.code === 'Internal' ? 'An internal error occurred.' : error.message;
  return { status: XKS_STATUS[errorName], body: { errorName, errorMessage: xksErrorMessage(message) } };
}
