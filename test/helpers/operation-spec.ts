/** Assertions shared by the operation specs (src/service/*.test.ts) over the in-memory harness. */
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../src/core/audit.js';
import type { ErrorCode } from '../../src/core/errors.js';
import type { CallResult, Harness, HarnessPrincipal } from './operation-harness.js';

export interface ExpectedEvent {
  readonly eventName: string;
  /** The error code a failure records; absent: the event records a success. */
  readonly errorCode?: ErrorCode;
  /** The key ARN the event names (absent: not checked; `null`: names no key). */
  readonly keyArn?: string | null;
  /** The caller the event names. */
  readonly principal?: HarnessPrincipal;
  /** Secrets (plaintext, key material) that must appear nowhere in the event, in any encoding. */
  readonly secrets?: readonly Buffer[];
}

/** Asserts the last audit event recorded is the one `expected` describes, and returns it. */
export function assertAudited(h: Harness, expected: ExpectedEvent): AuditEvent {
  const event = h.lastEvent();
  assert.equal(event.eventName, expected.eventName);
  assert.equal(event.errorCode, expected.errorCode, `the event records ${expected.errorCode === undefined ? 'a success' : expected.errorCode}`);
  if (expected.keyArn !== undefined) {
    assert.deepEqual(
      event.resources.map((r) => r.ARN),
      expected.keyArn === null ? [] : [expected.keyArn],
    );
  }
  if (expected.principal !== undefined) assert.equal(event.userIdentity.arn, expected.principal.arn);
  assertNoSecrets(event, expected.secrets ?? []);
  return event;
}

/** No secret appears in `value`'s JSON as UTF-8, base64 or hex. */
export function assertNoSecrets(value: unknown, secrets: readonly Buffer[]): void {
  const text = JSON.stringify(value);
  for (const s of secrets) {
    for (const form of [s.toString('base64'), s.toString('hex'), s.toString('utf8')]) {
      if (form.length >= 8) assert.ok(!text.includes(form), 'a secret reached the audit event');
    }
  }
}

/** The error of a call that must have failed. */
export function errorOf(r: CallResult): { code: ErrorCode; message: string } {
  assert.ok(r.error !== undefined, `expected a failure, got ${JSON.stringify(r.output)}`);
  return { code: r.error.code, message: r.error.message };
}

/** A principal with no policy at all: every key operation is denied to it (the key policy names only the account). */
export function outsider(h: Harness, name = 'mallory'): Promise<HarnessPrincipal> {
  return h.principal(name);
}

/** The ARN of key `keyId` in the harness's realm. */
export function arnOf(h: Harness, keyId: string): string {
  return `arn:aws:kms:${h.realm.region}:${h.realm.account}:key/${keyId}`;
}

/**
 * Calls `operation` and asserts it failed with `code`, and that its failure event records `code` with
 * `expected` (no secret in it); returns the error.
 */
export async function expectFailure(
  h: Harness,
  operation: string,
  input: Record<string, unknown>,
  code: ErrorCode,
  expected: Omit<ExpectedEvent, 'eventName' | 'errorCode'> & { readonly as?: HarnessPrincipal } = {},
): Promise<{ code: ErrorCode; message: string }> {
  const e = errorOf(await h.call(operation, input, expected.as === undefined ? {} : { as: expected.as }));
  assert.equal(e.code, code, e.message);
  assertAudited(h, { ...expected, eventName: operation, errorCode: code, ...(expected.as !== undefined && { principal: expected.as }) });
  return e;
}

/** A SecretBytes's bytes, copied (for comparing outputs). */
export function bytesOf(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value !== null && typeof value === 'object' && 'expose' in value && typeof value.expose === 'function') return Buffer.from(value.expose() as Buffer);
  throw new Error(`not bytes: ${typeof value}`);
}
