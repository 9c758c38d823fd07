import { z } from 'zod';
import type { OperationEffect, RegisteredOperation } from './operation.js';

/** One input member of an operation, as the CLI help and the docs show it. */
export interface MemberDescription {
  /** The member's name in the operation's input (`KeyId`, `EncryptionContext`). */
  readonly name: string;
  /** Whether a request must carry it (false: optional, or defaulted). */
  readonly required: boolean;
  /** One line saying what it is; `undefined` when the schema carries none (the registry test refuses that). */
  readonly description: string | undefined;
}

/** What an operation says about itself, derived from its declaration (STYLE rule 13). */
export interface OperationDescription {
  readonly name: string;
  readonly action: string;
  readonly description: string;
  readonly effect: OperationEffect;
  /** The input members, in the schema's declaration order. */
  readonly members: readonly MemberDescription[];
}

/** The self-description of `op`, for the CLI help and the docs. */
export function describeOperation(op: RegisteredOperation): OperationDescription {
  const shape = objectOf(op.input)?.shape ?? {};
  return {
    name: op.name,
    action: op.action,
    description: op.description,
    effect: op.effect,
    members: Object.entries(shape).map(([name, schema]) => ({ name, required: schema._zod.optin !== 'optional', description: memberDescription(schema) })),
  };
}

/**
 * A member's description: the outermost one found from the member's schema inwards, through the wrappers
 * that do not change what the member is (optional, nullable, default, a transform's input). zod 4 keeps a
 * description on the schema instance `.describe()` returned, so `keyIdParam.optional()` carries it only
 * inside; an operation's own `.describe()` on the outside overrides a shared one.
 */
export function memberDescription(schema: z.core.$ZodType): string | undefined {
  for (let s: z.core.$ZodType | undefined = schema, depth = 0; s !== undefined && depth < 8; depth++) {
    const own = z.globalRegistry.get(s)?.description;
    if (own !== undefined) return own;
    s = inner(s);
  }
  return undefined;
}

function inner(s: z.core.$ZodType): z.core.$ZodType | undefined {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault || s instanceof z.ZodPrefault) return s.unwrap();
  if (s instanceof z.ZodPipe) return s.in;
  return undefined;
}

/** The object schema of an operation's input, through a transform of the whole input. */
function objectOf(schema: z.core.$ZodType): z.ZodObject | undefined {
  for (let s: z.core.$ZodType | undefined = schema, depth = 0; s !== undefined && depth < 8; depth++) {
    if (s instanceof z.ZodObject) return s;
    s = inner(s);
  }
  return undefined;
}
