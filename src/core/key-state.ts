import { KmsError, type ErrorCode } from './errors.js';
import type { KeyRecord, KeyState } from './key.js';

/**
 * How an operation touches a key: `use` performs cryptography with it, `manage` changes it, `read` only
 * looks at it, `enable`/`disable` toggle it. The state table below says which of these each key state
 * allows, with AWS's error for the rest.
 */
export type KeyAccess = 'read' | 'use' | 'manage' | 'enable' | 'disable';

/**
 * Why a key state refuses an operation, each with AWS's exception and message (AWS's "Key states of AWS
 * KMS keys" table and its footnotes): crypto on a disabled key is `DisabledException: <arn> is disabled.`;
 * everything else is `KMSInvalidStateException: <arn> is <state>.`
 */
export type Refusal = 'disabled' | 'pendingDeletion' | 'pendingImport' | 'unavailable' | 'creating' | 'notPendingDeletion';

export const REFUSALS: Record<Refusal, { readonly code: ErrorCode; readonly message: (arn: string) => string }> = {
  disabled: { code: 'KeyDisabled', message: (arn) => `${arn} is disabled.` },
  pendingDeletion: { code: 'InvalidKeyState', message: (arn) => `${arn} is pending deletion.` },
  pendingImport: { code: 'InvalidKeyState', message: (arn) => `${arn} is pending import.` },
  unavailable: { code: 'InvalidKeyState', message: (arn) => `${arn} is unavailable.` },
  creating: { code: 'InvalidKeyState', message: (arn) => `${arn} is creating.` },
  notPendingDeletion: { code: 'InvalidKeyState', message: (arn) => `${arn} is not pending deletion.` },
};

type Row = Record<KeyState, Refusal | null>;
const OK = null;

/** Every state refuses with its own name: the row for operations that need an Enabled key. */
const ENABLED_ONLY: Row = {
  Enabled: OK,
  Disabled: 'disabled',
  PendingDeletion: 'pendingDeletion',
  PendingImport: 'pendingImport',
  Unavailable: 'unavailable',
  Creating: 'creating',
};

/**
 * The key-state machine as data: for each access kind, what each state answers (`null`: allowed). This
 * is the one table every operation's key goes through (the pipeline calls {@link checkKeyState} for
 * every key requirement); {@link OPERATION_STATE_EXCEPTIONS} refines single cells for named operations.
 */
export const KEY_STATE_TABLE: Record<KeyAccess, Row> = {
  read: { Enabled: OK, Disabled: OK, PendingDeletion: OK, PendingImport: OK, Unavailable: OK, Creating: OK },
  use: ENABLED_ONLY,
  manage: { Enabled: OK, Disabled: OK, PendingDeletion: 'pendingDeletion', PendingImport: OK, Unavailable: OK, Creating: 'creating' },
  enable: { Enabled: OK, Disabled: OK, PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport', Unavailable: 'unavailable', Creating: 'creating' },
  disable: { Enabled: OK, Disabled: OK, PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport', Unavailable: 'unavailable', Creating: 'creating' },
};

/**
 * Operations whose AWS behaviour differs from their access kind's row, cell by cell (operation name →
 * state → answer). Rotation settings and on-demand rotation need an Enabled key (a disabled key answers
 * `DisabledException`, as AWS does); CancelKeyDeletion is allowed only while the deletion is pending; ExportKeyMaterial serves a Disabled key.
 */
export const OPERATION_STATE_EXCEPTIONS: Readonly<Record<string, Partial<Row>>> = {
  EnableKeyRotation: ENABLED_ONLY,
  DisableKeyRotation: ENABLED_ONLY,
  RotateKeyOnDemand: ENABLED_ONLY,
  // KMIP Get (ADR 0027): a revoked (Disabled) key's material is still handed out, for old data.
  ExportKeyMaterial: { Disabled: OK },
  CancelKeyDeletion: {
    Enabled: 'notPendingDeletion',
    Disabled: 'notPendingDeletion',
    PendingDeletion: OK,
    PendingImport: 'notPendingDeletion',
    Unavailable: 'notPendingDeletion',
  },
};

/** What the table answers for `operation` (reaching the key with `access`) on a key in `state`. */
export function stateAnswer(state: KeyState, access: KeyAccess, operation?: string): Refusal | null {
  const exception = operation === undefined ? undefined : OPERATION_STATE_EXCEPTIONS[operation]?.[state];
  return exception !== undefined ? exception : KEY_STATE_TABLE[access][state];
}

/** Throws AWS's error when the key's state refuses the operation; returns when it allows it. */
export function checkKeyState(key: KeyRecord, arn: string, access: KeyAccess, operation?: string): void {
  const refusal = stateAnswer(key.state, access, operation);
  if (refusal === null) return;
  const { code, message } = REFUSALS[refusal];
  throw new KmsError(code, message(arn));
}
