import type { ErrorCode } from '../../core/errors.js';

/**
 * How AWS answers one error code: its exception name, its HTTP status, and `bare` when AWS sends that
 * exception with no `message` member at all (recorded from the real service: a failed decryption, signature
 * or MAC check says nothing more than its name).
 */
export interface AwsErrorShape {
  readonly type: string;
  readonly status: number;
  readonly bare?: true;
}

/** Every Arca error code as AWS KMS names it on the wire, with AWS's HTTP status. */
export const AWS_ERRORS: Record<ErrorCode, AwsErrorShape> = {
  ValidationFailed: { type: 'ValidationException', status: 400 },
  SerializationFailed: { type: 'SerializationException', status: 400 },
  UnknownOperation: { type: 'UnknownOperationException', status: 400 },
  RequestTooLarge: { type: 'RequestEntityTooLargeException', status: 413 },
  MissingAuthentication: { type: 'MissingAuthenticationTokenException', status: 400 },
  IncompleteSignature: { type: 'IncompleteSignatureException', status: 400 },
  InvalidSignature: { type: 'InvalidSignatureException', status: 400 },
  UnrecognizedClient: { type: 'UnrecognizedClientException', status: 400 },
  ExpiredToken: { type: 'ExpiredTokenException', status: 400 },
  AccessDenied: { type: 'AccessDeniedException', status: 400 },
  KeyNotFound: { type: 'NotFoundException', status: 400 },
  AlreadyExists: { type: 'AlreadyExistsException', status: 400 },
  KeyDisabled: { type: 'DisabledException', status: 400 },
  InvalidKeyState: { type: 'KMSInvalidStateException', status: 400 },
  InvalidCiphertext: { type: 'InvalidCiphertextException', status: 400, bare: true },
  IncorrectKey: { type: 'IncorrectKeyException', status: 400 },
  InvalidKeyUsage: { type: 'InvalidKeyUsageException', status: 400 },
  InvalidAliasName: { type: 'InvalidAliasNameException', status: 400 },
  InvalidArn: { type: 'InvalidArnException', status: 400 },
  InvalidMarker: { type: 'InvalidMarkerException', status: 400 },
  InvalidGrantToken: { type: 'InvalidGrantTokenException', status: 400 },
  MalformedPolicyDocument: { type: 'MalformedPolicyDocumentException', status: 400 },
  DryRunOperation: { type: 'DryRunOperationException', status: 400 },
  Tag: { type: 'TagException', status: 400 },
  LimitExceeded: { type: 'LimitExceededException', status: 400 },
  Conflict: { type: 'ConflictException', status: 400 },
  ApprovalRequired: { type: 'ApprovalRequiredException', status: 400 },
  UnsupportedOperation: { type: 'UnsupportedOperationException', status: 400 },
  Sealed: { type: 'KMSInternalException', status: 503 },
  UnsealFailed: { type: 'UnsealFailedException', status: 400 },
  InvalidSealState: { type: 'InvalidSealStateException', status: 400 },
  Internal: { type: 'KMSInternalException', status: 500 },
  // The store failed (disk full, database unreachable): Unavailable, so that clients and balancers retry elsewhere.
  StorageUnavailable: { type: 'KMSInternalException', status: 503 },
  SignatureMismatch: { type: 'KMSInvalidSignatureException', status: 400, bare: true },
  MacMismatch: { type: 'KMSInvalidMacException', status: 400, bare: true },
  IncorrectKeyMaterial: { type: 'IncorrectKeyMaterialException', status: 400 },
  ExpiredImportToken: { type: 'ExpiredImportTokenException', status: 400 },
  InvalidImportToken: { type: 'InvalidImportTokenException', status: 400 },
  NotFound: { type: 'NotFoundException', status: 400 },
  Throttled: { type: 'ThrottlingException', status: 400 },
  // The HTTP-level rejections (node's parser and timeouts), named in AWS's style; AWS's own front end
  // answers these with bare HTTP errors, which SDKs cannot parse.
  RequestHeadersTooLarge: { type: 'RequestHeaderFieldsTooLargeException', status: 431 },
  RequestTimeout: { type: 'RequestTimeoutException', status: 408 },
  InvalidIdentityToken: { type: 'InvalidIdentityTokenException', status: 400 },
  ExpiredIdentityToken: { type: 'ExpiredTokenException', status: 400 },
  IdpRejectedClaim: { type: 'IDPRejectedClaimException', status: 403 },
  IdpCommunicationError: { type: 'IDPCommunicationErrorException', status: 400 },
  CustomKeyStoreNotFound: { type: 'CustomKeyStoreNotFoundException', status: 400 },
  CustomKeyStoreNameInUse: { type: 'CustomKeyStoreNameInUseException', status: 400 },
  CustomKeyStoreInvalidState: { type: 'CustomKeyStoreInvalidStateException', status: 400 },
  CustomKeyStoreHasCMKs: { type: 'CustomKeyStoreHasCMKsException', status: 400 },
  CloudHsmClusterNotFound: { type: 'CloudHsmClusterNotFoundException', status: 400 },
  CloudHsmClusterInUse: { type: 'CloudHsmClusterInUseException', status: 400 },
  CloudHsmClusterInvalidConfiguration: { type: 'CloudHsmClusterInvalidConfigurationException', status: 400 },
  IncorrectTrustAnchor: { type: 'IncorrectTrustAnchorException', status: 400 },
  XksProxyUriUnreachable: { type: 'XksProxyUriUnreachableException', status: 400 },
  XksProxyUriInUse: { type: 'XksProxyUriInUseException', status: 400 },
  XksProxyIncorrectAuthenticationCredential: { type: 'XksProxyIncorrectAuthenticationCredentialException', status: 400 },
  XksProxyInvalidConfiguration: { type: 'XksProxyInvalidConfigurationException', status: 400 },
  XksProxyInvalidResponse: { type: 'XksProxyInvalidResponseException', status: 400 },
  XksKeyNotFound: { type: 'XksKeyNotFoundException', status: 400 },
  XksKeyInvalidConfiguration: { type: 'XksKeyInvalidConfigurationException', status: 400 },
  XksKeyAlreadyInUse: { type: 'XksKeyAlreadyInUseException', status: 400 },
};
