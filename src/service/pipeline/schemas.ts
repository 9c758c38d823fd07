import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { KmsError } from '../../core/errors.js';

/**
 * Shared pieces of operation input schemas, with AWS's constraints and AWS's constraint wording (the
 * text after "failed to satisfy constraint:" in a ValidationException).
 */
/**
 * Decodes canonical base64 — the alphabet `A–Z a–z 0–9 + /`, at most two `=` and only at the end, a length
 * that is a multiple of 4 — or returns `undefined`. Equivalent to `/^[A-Za-z0-9+/]*={0,2}$/` plus the
 * length check (schemas.test.ts compares them on random strings), at a fraction of the regex's cost on a
 * 4 KiB plaintext: Node's decoder skips or stops at any other character, so the decoded length falls short
 * of what the string's length promises; only the URL-safe `-` and `_`, which it accepts, need a search.
 */
export function decodeCanonicalBase64(value: string): Buffer | undefined {
  const n = value.length;
  if (n % 4 !== 0) return undefined;
  const padding = value.endsWith('==') ? 2 : value.endsWith('=') ? 1 : 0;
  if (value.includes('-') || value.includes('_')) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === (n / 4) * 3 - padding ? bytes : undefined;
}

const lengthBetween = (min: number, max: number) => ({
  min: `Member must have length greater than or equal to ${min}`,
  max: `Member must have length less than or equal to ${max}`,
});

function decodeBase64(value: string, ctx: z.RefinementCtx): Buffer {
  const bytes = decodeCanonicalBase64(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'Value is not valid base64', params: { serialization: true } });
    return z.NEVER;
  }
  return bytes;
}

function checkLength(b: { length: number }, min: number, max: number, ctx: z.RefinementCtx): void {
  const m = lengthBetween(min, max);
  if (b.length < min) ctx.addIssue({ code: 'custom', message: m.min });
  if (b.length > max) ctx.addIssue({ code: 'custom', message: m.max });
}

/** A base64 blob that is not secret (ciphertexts), `min`..`max` bytes once decoded. */
export const blob = (min: number, max: number) =>
  z.string().transform((v, ctx) => {
    const b = decodeBase64(v, ctx);
    if (b instanceof Buffer) checkLength(b, min, max, ctx);
    return b;
  });

/** A base64 blob that is plaintext: decoded straight into {@link SecretBytes}. */
export const secretBlob = (min: number, max: number) =>
  z.string().transform((v, ctx) => {
    const b = decodeBase64(v, ctx);
    if (!(b instanceof Buffer)) return z.NEVER;
    checkLength(b, min, max, ctx);
    return SecretBytes.adopt(b);
  });

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
 * Turns a ZodError into AWS's answers: a wrong JSON type or undecodable base64 is a
 * SerializationException; everything else is a ValidationException listing each failed constraint.
 */
export function validationError(error: z.ZodError): KmsError {
  const missing = (i: z.core.$ZodIssue) => i.code === 'invalid_type' && i.input === undefined;
  const serialization = error.issues.find(
    (i) => (i.code === 'invalid_type' && !missing(i)) || (i.code === 'custom' && i.params?.['serialization'] === true),
  );
  if (serialization !== undefined) {
    return new KmsError('SerializationFailed', `Value at '${fieldName(serialization.path) || 'body'}' has the wrong type or encoding: ${serialization.message}`);
  }
  const parts = error.issues.map((i) =>
    missing(i)
      ? `Value null at '${fieldName(i.path)}' failed to satisfy constraint: Member must not be null`
      : `Value at '${fieldName(i.path)}' failed to satisfy constraint: ${i.message}`,
  );
  const n = parts.length;
  return new KmsError('ValidationFailed', `${n} validation error${n === 1 ? '' : 's'} detected: ${parts.join('; ')}`);
}
