/**
 * Arca's error registry. Every failure an operation can report has a code here; each transport adapter
 * maps every code to its own error shape with an exhaustive `Record<ErrorCode, …>`, so adding a code
 * breaks the build until every adapter handles it. Messages are safe to show a caller: they never carry
 * plaintext, key material or secrets.
 */
export const ERROR_CODES = [
  'ValidationFailed',
  'SerializationFailed',
  'UnknownOperation',
  'RequestTooLarge',
  'MissingAuthentication',
  'IncompleteSignature',
  'InvalidSignature',
  'UnrecognizedClient',
  'ExpiredToken',
  'AccessDenied',
  'KeyNotFound',
  'AlreadyExists',
  'KeyDisabled',
  'InvalidKeyState',
  'InvalidCiphertext',
  'IncorrectKey',
  'InvalidKeyUsage',
  'InvalidAliasName',
  'InvalidArn',
  'InvalidMarker',
  'InvalidGrantToken',
  'MalformedPolicyDocument',
  'DryRunOperation',
  'Tag',
  'LimitExceeded',
  'Conflict',
  'UnsupportedOperation',
  'Sealed',
  'UnsealFailed',
  'InvalidSealState',
  'Internal',
  'StorageUnavailable',
  'SignatureMismatch',
  'MacMismatch',
  'IncorrectKeyMaterial',
  'ExpiredImportToken',
  'InvalidImportToken',
  'NotFound',
  'Throttled',
  'RequestHeadersTooLarge',
  'RequestTimeout',
  // AssumeRoleWithWebIdentity (issue 17): the web identity token is refused.
  'InvalidIdentityToken',
  'ExpiredIdentityToken',
  'IdpRejectedClaim',
  'IdpCommunicationError',
  // Separation of duties (issue 18): the request was held for approval; nothing changed.
  'ApprovalRequired',
  // Custom key stores (issue 21 part 2, ADR 0024): AWS's exceptions of the CustomKeyStore family and of keys in them.
  'CustomKeyStoreNotFound',
  'CustomKeyStoreNameInUse',
  'CustomKeyStoreInvalidState',
  'CustomKeyStoreHasCMKs',
  'CloudHsmClusterNotFound',
  'CloudHsmClusterInUse',
  'CloudHsmClusterInvalidConfiguration',
  'IncorrectTrustAnchor',
  'XksProxyUriUnreachable',
  'XksProxyUriInUse',
  'XksProxyIncorrectAuthenticationCredential',
  'XksProxyInvalidConfiguration',
  'XksProxyInvalidResponse',
  'XksKeyNotFound',
  'XksKeyInvalidConfiguration',
  'XksKeyAlreadyInUse',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class KmsError extends Error {
  readonly code: ErrorCode;
  /** For `ValidationFailed`: each failed constraint, so that a transport can word the answer its own way. */
  readonly violations: readonly Violation[] | undefined;
  /**
   * The caller learns the code alone: the message is for logs and the audit trail. Set where the service
   * AWS emulates answers with a bare error (RotateKeyOnDemand on an asymmetric key, an unusable public key
   * in DeriveSharedSecret); transports that can send an error without text then omit it.
   */
  readonly codeOnly: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; violations?: readonly Violation[]; codeOnly?: boolean }) {
    super(message, options);
    this.name = 'KmsError';
    this.code = code;
    this.violations = options?.violations;
    this.codeOnly = options?.codeOnly ?? false;
  }
}

/** One input member that failed a constraint; transports word it (AWS: "Value ... at 'x' failed to satisfy constraint: ..."). */
export interface Violation {
  /** The member's path as the caller named it, first letter lower-cased (`rotationPeriodInDays`, `tags.0.tagKey`). */
  readonly member: string;
  /** The constraint, as a sentence (`Member must have length less than or equal to 256`). */
  readonly constraint: string;
  /** The offending value when it may be shown (`null`: the member is missing); absent, it is not shown. */
  readonly value?: string | null;
}

/** The text of one violation, transport-neutral: `Value 'x' at 'member' failed to satisfy constraint: ...`. */
export function describeViolation(v: Violation): string {
  const value = v.value === undefined ? '' : v.value === null ? ' null' : ` '${v.value}'`;
  return `Value${value} at '${v.member}' failed to satisfy constraint: ${v.constraint}`;
}

/** A `ValidationFailed` error listing failed constraints (message: each violation, `; `-separated). */
export function invalidInput(violations: readonly Violation[]): KmsError {
  return new KmsError('ValidationFailed', violations.map(describeViolation).join('; '), { violations });
}

export function isKmsError(e: unknown): e is KmsError {
  return e instanceof KmsError;
}

/** For `switch` statements over unions: the build fails if a member is not handled. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${String(x)}`);
}

/** The answer to every key or crypto operation while the service is sealed (DESIGN.md §2). */
export function sealed(): KmsError {
  return new KmsError('Sealed', 'The key service is sealed: unseal it before using keys.');
}

/** The one answer for every decryption failure (DESIGN.md §7.5). */
export function invalidCiphertext(): KmsError {
  return new KmsError('InvalidCiphertext', 'The ciphertext is invalid or was not made under this key and encryption context.');
}

/**
 * The answer to a source over its rate limit (AWS's `ThrottlingException`, HTTP 400, message as AWS sends
 * it). SDKs retry it with backoff.
 */
export function throttled(): KmsError {
  return new KmsError('Throttled', 'Rate exceeded');
}
