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

/**
 * Schemas whose values an error never repeats (grant tokens, identity tokens, MFA codes): a violation
 * of one names the member without its value, as for bytes.
 */
export const SENSITIVE_SCHEMAS = z.registry<Record<string, never>>();

/** Marks `schema` as sensitive (see {@link SENSITIVE_SCHEMAS}) and returns it. */
export function sensitive<T extends z.ZodType>(schema: T): T {
  SENSITIVE_SCHEMAS.add(schema, {});
  return schema;
}

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

export const grantTokens = sensitive(z.array(sensitive(str(1, 8192))).max(10, 'Member must have length less than or equal to 10')).optional().describe('Grant tokens, for permissions that come from a new grant that has not yet achieved eventual consistency.');

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

/** The schema inside wrappers that do not change what a value is (optional, nullable, default, a pipe's input). */
function unwrapped(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
    else if (s instanceof z.ZodPipe) s = s.in as z.ZodType;
    else return s;
  }
}

/** The member schema one path step into `schema`, or undefined. */
function stepInto(schema: z.ZodType, step: PropertyKey): z.ZodType | undefined {
  const s = unwrapped(schema);
  if (s instanceof z.ZodObject) return (s.shape as Record<string, z.ZodType>)[String(step)];
  if (s instanceof z.ZodArray) return s.element as z.ZodType;
  if (s instanceof z.ZodRecord) return s.valueType as z.ZodType;
  return undefined;
}

/** Whether the member at `path` of `schema`, or anything that holds it, is {@link sensitive}. */
function isSensitive(schema: z.ZodType, path: readonly PropertyKey[]): boolean {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s !== undefined; s = i < path.length ? stepInto(s, path[i++]!) : undefined) {
    if (SENSITIVE_SCHEMAS.has(s) || SENSITIVE_SCHEMAS.has(unwrapped(s))) return true;
  }
  return false;
}

/** The offending value of an issue as a violation may show it: a string, number or boolean the caller sent, unless sensitive. Bytes never. */
function shownValue(issue: z.core.$ZodIssue, schema: z.ZodType | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const input: unknown = issue.input;
  if (typeof input !== 'string' && typeof input !== 'number' && typeof input !== 'boolean') return undefined;
  return isSensitive(schema, issue.path) ? undefined : String(input);
}

/** A failed constraint as a sentence: an enum's set is listed (`Member must satisfy enum value set: [A, B]`). */
function constraintOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `Member must satisfy enum value set: [${issue.values.map(String).join(', ')}]`;
  return issue.message;
}

/**
 * Turns a ZodError into the domain's answer: a wrong type (or an undecodable wire encoding, an issue
 * with `params.serialization`) is SerializationFailed; everything else is ValidationFailed listing each
 * failed constraint as a {@link Violation}, which each transport words its own way. Given the schema that
 * was parsed (with inputs reported), each violation carries the offending value when it may be shown:
 * strings, numbers and booleans, never bytes or a {@link sensitive} member.
 */
export function invalidInputError(error: z.ZodError, schema?: z.ZodType): KmsError {
  // A missing member fails its type check, or, for an enum, its value check; an enum's failure is taken for
  // a missing member only when the parse reported its inputs (without them, every input reads as missing).
  const missing = (i: z.core.$ZodIssue) => i.input === undefined && (i.code === 'invalid_type' || (i.code === 'invalid_value' && 'input' in i));
  const serialization = error.issues.find(
    (i) => (i.code === 'invalid_type' && !missing(i)) || (i.code === 'custom' && i.params?.['serialization'] === true),
  );
  if (serialization !== undefined) {
    return new KmsError('SerializationFailed', `Value at '${fieldName(serialization.path) || 'body'}' has the wrong type or encoding: ${serialization.message}`);
  }
  return invalidInput(
    error.issues.map((i): Violation => {
      if (missing(i)) return { member: fieldName(i.path), value: null, constraint: 'Member must not be null' };
      const value = shownValue(i, schema);
      return value === undefined ? { member: fieldName(i.path), constraint: constraintOf(i) } : { member: fieldName(i.path), value, constraint: constraintOf(i) };
    }),
  );
}
