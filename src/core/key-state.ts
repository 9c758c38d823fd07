import { KmsError, type ErrorCode } from './errors.js';
import type { KeyRecord, KeyState } from './key.js';

/**
 * How an operation touches a key: `use` performs cryptography with it, `manage` changes it, `read` only
 * looks at it, `enable`/`disable` toggle it. The state table below says which of these each key state
 * allows, with AWS's error for the rest.
 */
export type KeyAccess = 'read' | 'use' | 'manage' | 'enable' | 'disable';

const OK = null;
const INVALID: ErrorCode = 'InvalidKeyState';

/** One table for every operation (a later lifecycle issue refines it cell by cell). */
export const KEY_STATE_TABLE: Record<KeyState, Record<KeyAccess, ErrorCode | null>> = {
  Enabled: { read: OK, use: OK, manage: OK, enable: OK, disable: OK },
  Disabled: { read: OK, use: 'KeyDisabled', manage: OK, enable: OK, disable: OK },
  PendingDeletion: { read: OK, use: INVALID, manage: INVALID, enable: INVALID, disable: INVALID },
  PendingImport: { read: OK, use: INVALID, manage: OK, enable: INVALID, disable: INVALID },
  Unavailable: { read: OK, use: INVALID, manage: OK, enable: INVALID, disable: INVALID },
  Creating: { read: OK, use: INVALID, manage: INVALID, enable: INVALID, disable: INVALID },
};

export function checkKeyState(key: KeyRecord, arn: string, access: KeyAccess): void {
  const code = KEY_STATE_TABLE[key.state][access];
  if (code === null) return;
  if (code === 'KeyDisabled') throw new KmsError(code, `${arn} is disabled.`);
  throw new KmsError(code, `${arn} is ${key.state === 'PendingDeletion' ? 'pending deletion' : key.state}.`);
}
