import { encryptionContextKeys } from '../../core/policy/context.js';

/**
 * The policy condition keys an operation's input supplies, declared on the operation with a typed
 * accessor each (DESIGN.md §1: no reflection on member names): renaming an input member breaks the
 * accessor at build time, and condition-keys.test.ts pins which keys each operation supplies.
 */
export interface ConditionDeclaration<I> {
  /** The keys (or key prefixes, ending in `:` or `/`) this declaration can supply, for tests and docs. */
  readonly keys: readonly string[];
  /** Adds this declaration's keys for `input` to `out` (nothing when the member is absent). */
  contribute(input: I, out: Record<string, string | readonly string[]>): void;
  /** The encryption context the request carries, for grant constraints (only {@link encryptionContextCondition}). */
  encryptionContext?(input: I): Readonly<Record<string, string>> | undefined;
}

/** A key with one value from a scalar member (`kms:EncryptionAlgorithm`, `kms:ScheduleKeyDeletionPendingWindowInDays`). */
export function scalarCondition<I>(key: string, get: (input: I) => string | number | boolean | undefined): ConditionDeclaration<I> {
  return {
    keys: [key],
    contribute(input, out) {
      const v = get(input);
      if (v !== undefined) out[key] = String(v);
    },
  };
}

/** A multivalued key from a list member (`kms:GrantOperations`, `aws:TagKeys` of UntagResource). */
export function listCondition<I>(key: string, get: (input: I) => readonly string[] | undefined): ConditionDeclaration<I> {
  return {
    keys: [key],
    contribute(input, out) {
      const v = get(input);
      if (v !== undefined) out[key] = [...v];
    },
  };
}

/** `kms:EncryptionContext:<k>` and `kms:EncryptionContextKeys` from the request's encryption context, which grant constraints also read. */
export function encryptionContextCondition<I>(get: (input: I) => Readonly<Record<string, string>> | undefined): ConditionDeclaration<I> {
  return {
    keys: ['kms:EncryptionContext:', 'kms:EncryptionContextKeys'],
    contribute(input, out) {
      const ec = get(input);
      if (ec !== undefined) Object.assign(out, encryptionContextKeys(ec));
    },
    encryptionContext: get,
  };
}

/** A tag as requests carry it. */
export interface RequestTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

/** `aws:RequestTag/<k>` and `aws:TagKeys` from the tags a request attaches. */
export function requestTagsCondition<I>(get: (input: I) => readonly RequestTag[] | undefined): ConditionDeclaration<I> {
  return {
    keys: ['aws:RequestTag/', 'aws:TagKeys'],
    contribute(input, out) {
      const tags = get(input);
      if (tags === undefined) return;
      for (const t of tags) out[`aws:RequestTag/${t.TagKey}`] = t.TagValue;
      out['aws:TagKeys'] = tags.map((t) => t.TagKey);
    },
  };
}

/** The condition keys `declarations` supply for `input`, and the encryption context among them. */
export function conditionContext<I>(declarations: readonly ConditionDeclaration<I>[], input: I): { context: Record<string, string | readonly string[]>; encryptionContext: Readonly<Record<string, string>> | undefined } {
  const context: Record<string, string | readonly string[]> = {};
  let encryptionContext: Readonly<Record<string, string>> | undefined;
  for (const d of declarations) {
    d.contribute(input, context);
    encryptionContext ??= d.encryptionContext?.(input);
  }
  return { context, encryptionContext };
}

/** The declarations with the operation's input type fixed: operations declare `conditions: (c) => [c.scalar(...), ...]`. */
export interface ConditionBuilder<I> {
  scalar(key: string, get: (input: I) => string | number | boolean | undefined): ConditionDeclaration<I>;
  list(key: string, get: (input: I) => readonly string[] | undefined): ConditionDeclaration<I>;
  encryptionContext(get: (input: I) => Readonly<Record<string, string>> | undefined): ConditionDeclaration<I>;
  requestTags(get: (input: I) => readonly RequestTag[] | undefined): ConditionDeclaration<I>;
}

/** The one builder: its members are the generic declarations above. */
export const CONDITION_BUILDER = {
  scalar: scalarCondition,
  list: listCondition,
  encryptionContext: encryptionContextCondition,
  requestTags: requestTagsCondition,
} satisfies ConditionBuilder<never>;
