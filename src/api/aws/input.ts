import { z } from 'zod';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { describeViolation, KmsError } from '../../core/errors.js';
import { BYTE_SCHEMAS, invalidInputError } from '../../service/pipeline/schemas.js';

/**
 * AWS JSON 1.1 input: byte members travel as base64 strings, and a ValidationException lists its failed
 * constraints in AWS's words. The operations' schemas declare bytes as bytes; what is base64 on the wire
 * is derived here from those schemas, so no operation names its encoding.
 */

/**
 * Decodes canonical base64 — the alphabet `A–Z a–z 0–9 + /`, at most two `=` and only at the end, a length
 * that is a multiple of 4 — or returns `undefined`. Equivalent to `/^[A-Za-z0-9+/]*={0,2}$/` plus the
 * length check (input.test.ts compares them on random strings), at a fraction of the regex's cost on a
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

/** A byte schema's wire form: a base64 string, decoded (into SecretBytes when secret), then checked by `bytes`. */
function base64Of(bytes: z.ZodType, secret: boolean): z.ZodType {
  const decoded: z.ZodType<unknown, string> = z
    .string()
    .transform((v, ctx) => {
      const b = decodeCanonicalBase64(v);
      if (b === undefined) {
        ctx.addIssue({ code: 'custom', message: 'Value is not valid base64', params: { serialization: true } });
        return z.NEVER;
      }
      return secret ? SecretBytes.adopt(b) : b;
    });
  return decoded.pipe(bytes);
}

/** The wire form of one member: itself, unless it is bytes, optional bytes or an array of bytes. */
function wireMember(member: z.ZodType): z.ZodType | undefined {
  const meta = BYTE_SCHEMAS.get(member);
  if (meta !== undefined) return base64Of(member, meta.secret);
  if (member instanceof z.ZodOptional) {
    const inner = wireMember(member.unwrap() as z.ZodType);
    return inner === undefined ? undefined : inner.optional();
  }
  if (member instanceof z.ZodArray) {
    const element = wireMember(member.element as z.ZodType);
    // A clone with the element replaced keeps the array's own checks (min, max) and their messages.
    return element === undefined ? undefined : member.clone({ ...member._zod.def, element });
  }
  return undefined;
}

/** The names of an input schema's byte members (directly, optional, or arrays of bytes): what is base64 on the wire. */
export function byteMembers(schema: z.ZodType): string[] {
  if (!(schema instanceof z.ZodObject)) return [];
  return Object.entries(schema.shape as Record<string, z.ZodType>)
    .filter(([, m]) => wireMember(m) !== undefined)
    .map(([name]) => name);
}

const WIRE_SCHEMAS = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema of an operation's input as AWS JSON carries it: each byte member replaced by a base64
 * string decoded into it, in place, so that issues come in the schema's member order (which decides the
 * SerializationException a caller sees). Built once per schema.
 */
export function wireSchema(schema: z.ZodType): z.ZodType {
  let wire = WIRE_SCHEMAS.get(schema);
  if (wire === undefined) {
    wire = schema;
    if (schema instanceof z.ZodObject) {
      const overrides = Object.fromEntries(
        Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, m]) => {
          const w = wireMember(m);
          return w === undefined ? [] : [[name, w]];
        }),
      );
      // safeExtend keeps the object's own refinements (GetAuditProof's "one of" rule).
      if (Object.keys(overrides).length > 0) wire = schema.safeExtend(overrides);
    }
    WIRE_SCHEMAS.set(schema, wire);
  }
  return wire;
}

/**
 * Validates an AWS JSON body against an operation's input schema (base64 decoded on the way). Throws a
 * ZodError, which the pipeline turns into its error. The wire schema's output is the domain schema's
 * output with the same members: the one cast says so.
 */
export function parseAwsInput<T>(schema: z.ZodType<T>, body: unknown): T {
  // reportInput tells a missing member from a mistyped one, and gives AWS's `Value '<v>' at ...` its
  // value; invalidInputError shows only strings, numbers and booleans, never bytes or sensitive members.
  const parsed = wireSchema(schema).safeParse(body, { reportInput: true });
  if (!parsed.success) throw invalidInputError(parsed.error, schema);
  return parsed.data as T;
}

/** AWS's name for a member path: a list element is `<list>.<1-based index>.member` (`tags.1.member.tagKey`). */
export function awsMemberPath(member: string): string {
  return member.replace(/(^|\.)(\d+)(?=\.|$)/g, (_m, dot: string, n: string) => `${dot}${Number(n) + 1}.member`);
}

/** AWS's ValidationException text for an error with violations: `N validation error(s) detected: ...; ...`. */
export function awsInvalidInput(error: KmsError): KmsError {
  const violations = error.violations;
  if (violations === undefined || violations.length === 0) return error;
  const n = violations.length;
  const worded = violations.map((v) => describeViolation({ ...v, member: awsMemberPath(v.member) }));
  return new KmsError('ValidationFailed', `${n} validation error${n === 1 ? '' : 's'} detected: ${worded.join('; ')}`, { violations });
}
