import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { invalidInput, KmsError, type Violation } from '../../core/errors.js';

/**
 * Shared pieces of operation input schemas, with AWS's constraints and AWS's constraint wording (the
 * text after "failed to satisfy constraint:" in a ValidationException). Byte members are bytes here
 * (`Buffer`, `SecretBytes`): each transport decodes its wire form of them (api/aws decodes text) before validation.
 */
const lengthBetween = (min: number, max: number) => ({
  min: `Member must have length greater than or equal to ${min}`,
  max: `Member must have length less than or equal to ${max}`,
});

/** The byte schemas, so that a transport can find an input's byte members; `secret`: decode into SecretBytes. */
export const BYTE_SCHEMAS = z.registry<{ readonly secret: boolean }>();

/** A value a transport did not decode into bytes: a wrong type on the wire, not a failed constraint. */
const NOT_BYTES = { message: 'Invalid input: expected bytes', params: { serialization: true } };

function checkLength(b: unknown, min: number, max: number, ctx: z.RefinementCtx): void {
  if (!(Buffer.isBuffer(b) || b instanceof SecretBytes)) return;
  const m = lengthBetween(min, max);
  if (b.length < min) ctx.addIssue({ code: 'custom', message: m.min });
  if (b.length > max) ctx.addIssue({ code: 'custom', message: m.max });
}

/** Bytes that are not secret (ciphertexts, signatures), `min`..`max` long. */
export const blob = (min: number, max: number) => {
  const schema = z.custom<Buffer>((v) => Buffer.isBuffer(v), NOT_BYTES).superRefine((b, ctx) => checkLength(b, min, max, ctx));
  BYTE_SCHEMAS.add(schema, { secret: false });
  return schema;
};

/** Bytes that are plaintext or a share: {@link SecretBytes}, zeroed by the pipeline when the request ends. */
export const secretBlob = (min: number, max: number) => {
  const schema = z.custom<SecretBytes>((v) => v instanceof SecretBytes, NOT_BYTES).superRefine((b, ctx) => checkLength(b, min, max, ctx));
  BYTE_SCHEMAS.add(schema, { secret: true });
  return schema;
};

export const str = (min: number, max: number) => {
  const m = lengthBetween(min, max);
  return z.string().min(min, m.min).max(max, m.max);
};

export const keyIdParam = str(1, 2048).describe('Identifies the KMS key: its key ID or key ARN, or an alias name or alias ARN where the operation accepts one.');

/** With the `u` flag this matches only unpaired surrogates: strings UTF-8 cannot encode faithfully. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export const encryptionContext = z
  .record(z.string(), z.string())
  .refine((c) => Object.entries(c).every(([k, v]) => !LONE_SURROGATE.test(k) && !LONE_SURROGATE.test(v)), 'Member must contain only well-formed Unicode strings')
  .optional()
  .transform((c) => c ?? {})
  .describe('Non-secret key-value pairs bound to the ciphertext as additional authenticated data; decrypting takes the same ones.');

export const grantTokens = z.array(str(1, 8192)).max(10, 'Member must have length less than or equal to 10').optional().describe('Grant tokens, for permissions that come from a new grant that has not yet achieved eventual consistency.');

export const limit = (max: number) =>
  z
    .number()
    .int()
    .min(1, 'Member must have value greater than or equal to 1')
    .max(max, `Member must have value less than or equal to ${max}`)
    .optional()
    .describe(`The most items to return in one response (1 to ${max}); a truncated response gives a NextMarker for the rest.`);

export const marker = str(1, 1024).regex(/^[\u0020-\u00FF]*$/, 'Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*').optional().describe('Where to continue a truncated list: the NextMarker value of the previous response.');

export const dryRun = z.boolean().optional().describe('Checks whether the request would succeed (permissions, key state, parameters) without doing it.');

function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'string' ? p.charAt(0).toLowerCase() + p.slice(1) : String(p))).join('.');
}

/**
 * Turns a ZodError into the domain's answer: a wrong type (or an undecodable wire encoding, an issue
 * with `params.serialization`) is SerializationFailed; everything else is ValidationFailed listing each
 * failed constraint as a {@link Violation}, which each transport words its own way.
 */
export function invalidInputError(error: z.ZodError): KmsError {
  const missing = (i: z.core.$ZodIssue) => i.code === 'invalid_type' && i.input === undefined;
  const serialization = error.issues.find(
    (i) => (i.code === 'invalid_type' && !missing(i)) || (i.code === 'custom' && i.params?.['serialization'] === true),
  );
  if (serialization !== undefined) {
    return new KmsError('SerializationFailed', `Value at '${fieldName(serialization.path) || 'body'}' has the wrong type or encoding: ${serialization.message}`);
  }
  return invalidInput(error.issues.map((i): Violation => (missing(i) ? { member: fieldName(i.path), value: null, constraint: 'Member must not be null' } : { member: fieldName(i.path), constraint: i.message })));
}
