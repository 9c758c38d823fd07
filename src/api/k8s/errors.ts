import type { ErrorCode } from '../../core/errors.js';

/**
 * gRPC status codes (grpc/grpc `doc/statuscodes.md`; the numbers are part of the gRPC protocol). The
 * listener hands them to @grpc/grpc-js as they are; this adapter stays free of the gRPC package.
 */
export const GRPC = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcCode = (typeof GRPC)[keyof typeof GRPC];

/**
 * The gRPC status of each Arca error code, for the Kubernetes KMS v2 plugin. kube-apiserver retries
 * UNAVAILABLE (sealed, storage down) and reports every failure with its message; a refusal by policy is
 * PERMISSION_DENIED, a key that cannot be used now (disabled, pending deletion) FAILED_PRECONDITION.
 */
export const K8S_ERRORS: Record<ErrorCode, GrpcCode> = {
  ValidationFailed: GRPC.INVALID_ARGUMENT,
  SerializationFailed: GRPC.INVALID_ARGUMENT,
  UnknownOperation: GRPC.UNIMPLEMENTED,
  RequestTooLarge: GRPC.INVALID_ARGUMENT,
  MissingAuthentication: GRPC.UNAUTHENTICATED,
  IncompleteSignature: GRPC.UNAUTHENTICATED,
  InvalidSignature: GRPC.UNAUTHENTICATED,
  UnrecognizedClient: GRPC.UNAUTHENTICATED,
  ExpiredToken: GRPC.UNAUTHENTICATED,
  AccessDenied: GRPC.PERMISSION_DENIED,
  KeyNotFound: GRPC.NOT_FOUND,
  AlreadyExists: GRPC.ALREADY_EXISTS,
  KeyDisabled: GRPC.FAILED_PRECONDITION,
  InvalidKeyState: GRPC.FAILED_PRECONDITION,
  InvalidCiphertext: GRPC.INVALID_ARGUMENT,
  IncorrectKey: GRPC.INVALID_ARGUMENT,
  InvalidKeyUsage: GRPC.FAILED_PRECONDITION,
  InvalidAliasName: GRPC.INVALID_ARGUMENT,
  InvalidArn: GRPC.INVALID_ARGUMENT,
  InvalidMarker: GRPC.INVALID_ARGUMENT,
  InvalidGrantToken: GRPC.INVALID_ARGUMENT,
  MalformedPolicyDocument: GRPC.INVALID_ARGUMENT,
  DryRunOperation: GRPC.FAILED_PRECONDITION,
  Tag: GRPC.INVALID_ARGUMENT,
  LimitExceeded: GRPC.RESOURCE_EXHAUSTED,
  Conflict: GRPC.ABORTED,
  UnsupportedOperation: GRPC.UNIMPLEMENTED,
  Sealed: GRPC.UNAVAILABLE,
  UnsealFailed: GRPC.FAILED_PRECONDITION,
  InvalidSealState: GRPC.FAILED_PRECONDITION,
  Internal: GRPC.INTERNAL,
  StorageUnavailable: GRPC.UNAVAILABLE,
  SignatureMismatch: GRPC.INVALID_ARGUMENT,
  MacMismatch: GRPC.INVALID_ARGUMENT,
  IncorrectKeyMaterial: GRPC.INVALID_ARGUMENT,
  ExpiredImportToken: GRPC.INVALID_ARGUMENT,
  InvalidImportToken: GRPC.INVALID_ARGUMENT,
  NotFound: GRPC.NOT_FOUND,
  Throttled: GRPC.RESOURCE_EXHAUSTED,
  RequestHeadersTooLarge: GRPC.INVALID_ARGUMENT,
  RequestTimeout: GRPC.DEADLINE_EXCEEDED,
  InvalidIdentityToken: GRPC.UNAUTHENTICATED,
  ExpiredIdentityToken: GRPC.UNAUTHENTICATED,
  IdpRejectedClaim: GRPC.PERMISSION_DENIED,
  IdpCommunicationError: GRPC.UNAVAILABLE,
  ApprovalRequired: GRPC.FAILED_PRECONDITION,
};
