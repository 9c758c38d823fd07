/**
 * The operations an approval rule may hold (issue 18): writes that change keys, their access or the
 * rules themselves. Left out: reads and cryptographic operations (never held: they would stall data
 * paths), operations whose input carries a secret (it would be stored), and those whose answer carries a
 * secret for its caller (CreateAccessKey, EnableMfaDevice: an executing approver would receive it).
 */
export const GOVERNABLE_OPERATIONS: ReadonlySet<string> = new Set([
  // Keys (TrentService)
  'CancelKeyDeletion',
  'CreateAlias',
  'CreateGrant',
  'DeleteAlias',
  'DeleteImportedKeyMaterial',
  'DisableKey',
  'DisableKeyRotation',
  'EnableKey',
  'EnableKeyRotation',
  'ImportKeyMaterial',
  'PutKeyPolicy',
  'RetireGrant',
  'RevokeGrant',
  'RotateKeyOnDemand',
  'ScheduleKeyDeletion',
  'TagResource',
  'UntagResource',
  'UpdateAlias',
  'UpdateKeyDescription',
  // Managed keys (ArcaService, ADR 0027). Not CreateManagedKey (its input may carry key material) nor
  // ExportKeyMaterial (its answer is key material: an executing approver would receive it).
  'ActivateKey',
  'RevokeKey',
  // Identities, the root of trust and the rules themselves (ArcaService)
  'CreatePrincipal',
  'DeleteAccessKey',
  'DeletePrincipal',
  'DeletePrincipalPolicy',
  'DisableMfaDevice',
  'PutPrincipalPolicy',
  'ReleaseBreaker',
  'RevokeRoleSessions',
  'RotateRoot',
  'Rekey',
  'TagPrincipal',
  'UntagPrincipal',
  'UpdateAccessKey',
  'UpdateAssumeRolePolicy',
  'PutApprovalRule',
  'DeleteApprovalRule',
  // Just-in-time access: runs only when a rule holds it and approvers approve (request-key-access.ts)
  'RequestKeyAccess',
]);
