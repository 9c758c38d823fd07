import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineOperation, type OperationEffect, type RegisteredOperation } from './operation.js';
import { OPERATIONS } from './registry.js';
import { changesState, keyUseEventNames } from './state-changes.js';

const names = (ops: readonly RegisteredOperation[]): string[] => ops.map((op) => op.name).sort();

/** A new operation as a contributor would declare it. */
function newOperation(effect: OperationEffect, actsOnKey: boolean): RegisteredOperation {
  return defineOperation({
    service: 'ArcaService',
    name: 'Hypothetical',
    description: 'A test operation.',
    effect,
    uses: [],
    input: z.object({ KeyId: z.string() }),
    keys: actsOnKey ? { key: { required: true, ref: (i) => i.KeyId, access: 'use', allowAlias: true } } : {},
    execute: async () => ({}),
    auditRequest: () => ({}),
  });
}

// The name-keyed tables the declarations replaced (main before issue 13): the derived sets must equal them.
/** Issue 19's ML-KEM operations, added on purpose: uses of a key that change nothing. */
const KEM_OPERATIONS = ['Encapsulate', 'Decapsulate'];
/** Issue 21's XKS proxy API: AWS KMS's encryptions under an exposed key are uses of it. */
const XKS_CRYPTO = ['XksEncrypt', 'XksDecrypt'];
/** Issue 22's ExportKeyMaterial (ADR 0027): hands out a key's material, a use of the key that changes nothing. */
const EXPORT = ['ExportKeyMaterial'];
const OLD_CRYPTO_OPERATIONS = ['Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret', ...KEM_OPERATIONS, ...XKS_CRYPTO, ...EXPORT];
const OLD_STATELESS_OPERATIONS = [...OLD_CRYPTO_OPERATIONS, 'GenerateRandom', 'GetPublicKey'];
/** Issue 17's write operations, added on purpose: each stores a session, a trust policy or an MFA device, or revokes sessions. */
const STS_MUTATING = ['AssumeRole', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'RevokeRoleSessions', 'UpdateAssumeRolePolicy', 'EnableMfaDevice', 'DisableMfaDevice'];
/** Issue 18's write operations: approval rules, decisions, ExecuteApproved (which replays a held write), BreakGlass, and RequestKeyAccess (its replay stores a grant). */
const APPROVAL_MUTATING = ['PutApprovalRule', 'DeleteApprovalRule', 'ApproveRequest', 'DenyRequest', 'ExecuteApproved', 'BreakGlass', 'RequestKeyAccess'];
/** Issue 20's writes: ArcaService.Reset empties the store (dev mode only); ReplicateKey and UpdatePrimaryRegion (multi-Region keys). */
const DEV_MUTATING = ['Reset', 'ReplicateKey', 'UpdatePrimaryRegion'];
/** Issue 21's writes: the custom key stores (each stores a store or its connect flag). */
const CKS_MUTATING = ['CreateCustomKeyStore', 'UpdateCustomKeyStore', 'ConnectCustomKeyStore', 'DisconnectCustomKeyStore', 'DeleteCustomKeyStore'];
/** Issue 22's writes: the managed keys (ADR 0027). */
const MANAGED_MUTATING = ['CreateManagedKey', 'ActivateKey', 'RevokeKey'];
/** What `changesState` returned true for (readOnly: false, not stateless, authenticated). */
const OLD_MUTATING = ['AcknowledgeAlert', 'CancelKeyDeletion', 'CreateAccessKey', 'CreateAlias', 'CreateGrant', 'CreateKey', 'CreatePrincipal', 'DeleteAccessKey', 'DeleteAlias', 'DeleteImportedKeyMaterial', 'DeletePrincipal', 'DeletePrincipalPolicy', 'DisableKey', 'DisableKeyRotation', 'EnableKey', 'EnableKeyRotation', 'GetParametersForImport', 'ImportKeyMaterial', 'PutKeyPolicy', 'PutPrincipalPolicy', 'Rekey', 'ReleaseBreaker', 'RetireGrant', 'RevokeGrant', 'RotateKeyOnDemand', 'RotateRoot', 'ScheduleKeyDeletion', 'Seal', 'TagPrincipal', 'TagResource', 'UntagPrincipal', 'UntagResource', 'UpdateAccessKey', 'UpdateAlias', 'UpdateKeyDescription'];

describe('tables derived from the operations’ declared effect', () => {
  it('the use operations are exactly the former STATELESS_OPERATIONS', () => {
    assert.deepEqual(names(OPERATIONS.filter((op) => op.effect === 'use')), [...OLD_STATELESS_OPERATIONS].sort());
  });

  it('the last-usage list is exactly the former CRYPTO_OPERATIONS: the use operations on a key, GetPublicKey opting out', () => {
    assert.deepEqual([...keyUseEventNames(OPERATIONS)].sort(), [...OLD_CRYPTO_OPERATIONS].sort());
    const useOnKey = OPERATIONS.filter((op) => op.effect === 'use' && op.keyAccess.length > 0);
    assert.deepEqual(names(useOnKey.filter((op) => !op.countsAsKeyUse)), ['GetPublicKey']);
  });

  it('a use operation acting on a key is on the last-usage list without being named anywhere', () => {
    assert.deepEqual(keyUseEventNames([newOperation('use', true)]), ['Hypothetical']);
    assert.deepEqual(keyUseEventNames([newOperation('use', false), newOperation('read', true), newOperation('write', true)]), []);
  });

  it('exactly the write operations that are not seal operations change state (AssumeRoleWithWebIdentity included), a new one included', () => {
    assert.deepEqual(names(OPERATIONS.filter(changesState)), [...OLD_MUTATING, ...STS_MUTATING, ...APPROVAL_MUTATING, ...DEV_MUTATING, ...CKS_MUTATING, ...MANAGED_MUTATING].sort());
    assert.deepEqual(names(OPERATIONS.filter(changesState)), names(OPERATIONS.filter((op) => op.effect === 'write' && op.authentication !== 'none')));
    assert.ok(changesState(newOperation('write', false)));
    assert.ok(!changesState(newOperation('use', true)));
    assert.ok(!changesState(newOperation('read', true)));
  });

  it('the unauthenticated seal operations never run in the audit transaction, whatever their effect', () => {
    const open = OPERATIONS.filter((op) => op.authentication === 'none');
    assert.ok(open.length > 0 && open.every((op) => !changesState(op)));
  });
});
