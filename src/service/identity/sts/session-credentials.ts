import { z } from 'zod';
import { SecretText } from '../../../crypto/secret-text.js';
import { sessionSecretBinding } from '../../../core/bindings.js';
import type { Tag } from '../../../core/key.js';
import type { PrincipalRecord, SessionKind } from '../../../core/principal.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import { sensitive } from '../../pipeline/schemas.js';
import { newSecretAccessKey, newSessionToken, newTemporaryAccessKeyId } from '../bootstrap.js';

/** Shared pieces of the STS operations (issue 17, ADR 0018): issuing a session, and STS's own input rules. */

/** What a new session is for. */
export interface SessionRequest {
  readonly principal: PrincipalRecord;
  readonly kind: SessionKind;
  readonly sessionName: string;
  readonly durationSeconds: number;
  readonly tags: readonly Tag[];
  readonly transitiveTagKeys: readonly string[];
  /** Who asked for the session (recorded with it). */
  readonly sourceArn: string;
  /** When the caller proved an MFA code for this session (`verifyMfa`); undefined without MFA. */
  readonly mfaAuthenticatedAt?: Date | undefined;
}

/** STS's `Credentials` member: the secret and the token are SecretText, zeroed once the answer is sent. */
export interface IssuedCredentials {
  readonly AccessKeyId: string;
  readonly SecretAccessKey: SecretText;
  readonly SessionToken: SecretText;
  readonly Expiration: Date;
}

/**
 * Issues temporary credentials: a new `ASIA…` key id, a secret stored only wrapped under the current
 * domain key (bound to the key id), and a token stored only as its SHA-256. Expired sessions are removed
 * on the way (housekeeping, in the same unit of work). The answer owns the secret and the token.
 */
export async function issueSession(deps: Pick<ServiceDeps, 'clock' | 'principals' | 'keyring'>, req: SessionRequest): Promise<IssuedCredentials> {
  const now = deps.clock.now();
  const accessKeyId = newTemporaryAccessKeyId();
  const secret = newSecretAccessKey();
  const { token, digest } = newSessionToken();
  try {
    const wrapped = await deps.keyring.wrap(secret, sessionSecretBinding(accessKeyId));
    const expiresAt = new Date(now.getTime() + req.durationSeconds * 1000);
    await deps.principals.deleteExpiredSessions(now);
    await deps.principals.createSession({
      accessKeyId,
      principalId: req.principal.id,
      kind: req.kind,
      sessionName: req.sessionName,
      tokenHash: digest,
      wrappedSecret: wrapped.wrapped,
      domainKeyVersion: wrapped.domainKeyVersion,
      issuedAt: now,
      expiresAt,
      tags: req.tags,
      transitiveTagKeys: req.transitiveTagKeys,
      sourceArn: req.sourceArn,
      mfaAuthenticatedAt: req.mfaAuthenticatedAt,
    });
    return { AccessKeyId: accessKeyId, SecretAccessKey: SecretText.adopt(secret), SessionToken: SecretText.adopt(token), Expiration: expiresAt };
  } catch (e) {
    secret.dispose();
    token.dispose();
    throw e;
  }
}

/** STS's `DurationSeconds` member between `min` and `max`. */
export const durationSeconds = (min: number, max: number) =>
  z
    .number()
    .int()
    .min(min, `Member must have value greater than or equal to ${min}`)
    .max(max, `Member must have value less than or equal to ${max}`);

/** STS's MFA members (checked by `verifyMfa`). */
export const mfaMembers = {
  SerialNumber: z
    .string()
    .min(9, 'Member must have length greater than or equal to 9')
    .max(256, 'Member must have length less than or equal to 256')
    .regex(/^[\w+=/:,.@-]*$/, 'Member must satisfy regular expression pattern: [\\w+=/:,.@-]*')
    .optional()
    .describe('The caller’s MFA device serial number (arn:aws:iam::<account>:mfa/<name>).'),
  TokenCode: sensitive(
    z
      .string()
      .min(6, 'Member must have length greater than or equal to 6')
      .max(6, 'Member must have length less than or equal to 6')
      .regex(/^\d*$/, 'Member must satisfy regular expression pattern: [\\d]*'),
  )
    .optional()
    .describe('The current six-digit code of the MFA device.'),
};

/** The MFA condition keys a request with `SerialNumber` and `TokenCode` is authorized with (trust policies see them); the code is checked before any session is issued. */
export function mfaAuthorizationContext(input: { readonly SerialNumber?: string | undefined; readonly TokenCode?: string | undefined }): Record<string, string> {
  return input.SerialNumber !== undefined && input.TokenCode !== undefined ? { 'aws:MultiFactorAuthPresent': 'true', 'aws:MultiFactorAuthAge': '0' } : {};
}
