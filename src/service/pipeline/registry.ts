import { createAlias } from '../keys/create-alias.js';
import { createKey } from '../keys/create-key.js';
import { decrypt } from '../crypto-ops/decrypt.js';
import { deleteAlias } from '../keys/delete-alias.js';
import { describeKey } from '../keys/describe-key.js';
import { disableKey } from '../keys/lifecycle/disable-key.js';
import { enableKey } from '../keys/lifecycle/enable-key.js';
import { encrypt } from '../crypto-ops/encrypt.js';
import { generateDataKey } from '../crypto-ops/generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from '../crypto-ops/generate-data-key-without-plaintext.js';
import { generateRandom } from '../crypto-ops/generate-random.js';
import { getSealStatus } from '../operator/get-seal-status.js';
import { listClusterNodes } from '../operator/list-cluster-nodes.js';
import { initializeRoot } from '../operator/initialize-root.js';
import { exportAuditLog } from '../audit-trail/export-audit-log.js';
import { getAuditCheckpoint } from '../audit-trail/get-audit-checkpoint.js';
import { getAuditProof } from '../audit-trail/get-audit-proof.js';
import { getKeyLastUsage } from '../keys/get-key-last-usage.js';
import { getKeyPolicy } from '../access/get-key-policy.js';
import { listAuditChains } from '../audit-trail/list-audit-chains.js';
import { listAuditEvents } from '../audit-trail/list-audit-events.js';
import { listAliases } from '../keys/list-aliases.js';
import { listKeyPolicies } from '../access/list-key-policies.js';
import { simulateKeyPolicyOperation } from '../access/simulate-key-policy.js';
import { listKeys } from '../keys/list-keys.js';
import { listResourceTags } from '../keys/list-resource-tags.js';
import type { RegisteredOperation } from './operation.js';
import { acknowledgeAlert } from '../detection/acknowledge-alert.js';
import { listAlerts } from '../detection/list-alerts.js';
import { listBreakers } from '../detection/list-breakers.js';
import { releaseBreaker } from '../detection/release-breaker.js';
import { putKeyPolicy } from '../access/put-key-policy.js';
import { createPrincipal } from '../identity/create-principal.js';
import { updateAssumeRolePolicy } from '../identity/update-assume-role-policy.js';
import { revokeRoleSessions } from '../identity/revoke-role-sessions.js';
import { deleteApprovalRule, listApprovalRules, putApprovalRule } from '../approvals/rule-operations.js';
import { approveRequest, breakGlass, denyRequest, executeApproved, getApprovalRequest, listApprovalRequests } from '../approvals/request-operations.js';
import { requestKeyAccess } from '../approvals/request-key-access.js';
import { reset } from '../operator/reset.js';
import { replicateKey, updatePrimaryRegion } from '../keys/multi-region.js';
import { assumeRole } from '../identity/sts/assume-role.js';
import { assumeRoleWithWebIdentity } from '../identity/sts/assume-role-with-web-identity.js';
import { getCallerIdentity } from '../identity/sts/get-caller-identity.js';
import { getSessionToken } from '../identity/sts/get-session-token.js';
import { enableMfaDevice } from '../identity/mfa/enable-mfa-device.js';
import { disableMfaDevice } from '../identity/mfa/disable-mfa-device.js';
import { listPrincipals } from '../identity/list-principals.js';
import { getPrincipal } from '../identity/get-principal.js';
import { deletePrincipal } from '../identity/delete-principal.js';
import { tagPrincipal } from '../identity/tag-principal.js';
import { untagPrincipal } from '../identity/untag-principal.js';
import { createAccessKey } from '../identity/create-access-key.js';
import { listAccessKeys } from '../identity/list-access-keys.js';
import { updateAccessKey } from '../identity/update-access-key.js';
import { deleteAccessKey } from '../identity/delete-access-key.js';
import { putPrincipalPolicy } from '../identity/put-principal-policy.js';
import { getPrincipalPolicy } from '../identity/get-principal-policy.js';
import { deletePrincipalPolicy } from '../identity/delete-principal-policy.js';
import { listPrincipalPolicies } from '../identity/list-principal-policies.js';
import { createGrant } from '../access/create-grant.js';
import { listGrants } from '../access/list-grants.js';
import { listRetirableGrants } from '../access/list-retirable-grants.js';
import { retireGrant } from '../access/retire-grant.js';
import { revokeGrant } from '../access/revoke-grant.js';
import { reEncrypt } from '../crypto-ops/re-encrypt.js';
import { rekey } from '../operator/rekey.js';
import { rotateRoot } from '../operator/rotate-root.js';
import { createBackup } from '../operator/create-backup.js';
import { exportDestructionLedger } from '../operator/export-destruction-ledger.js';
import { seal } from '../operator/seal.js';
import { tagResource } from '../keys/tag-resource.js';
import { untagResource } from '../keys/untag-resource.js';
import { updateAlias } from '../keys/update-alias.js';
import { unseal } from '../operator/unseal.js';
import { updateKeyDescription } from '../keys/update-key-description.js';
import { cancelKeyDeletion } from '../keys/lifecycle/cancel-key-deletion.js';
import { disableKeyRotation } from '../keys/lifecycle/disable-key-rotation.js';
import { enableKeyRotation } from '../keys/lifecycle/enable-key-rotation.js';
import { getDestructionReceipt } from '../keys/lifecycle/get-destruction-receipt.js';
import { getKeyRotationStatus } from '../keys/lifecycle/get-key-rotation-status.js';
import { listKeyRotations } from '../keys/lifecycle/list-key-rotations.js';
import { rotateKeyOnDemand } from '../keys/lifecycle/rotate-key-on-demand.js';
import { scheduleKeyDeletion } from '../keys/lifecycle/schedule-key-deletion.js';
import { deriveSharedSecret } from '../crypto-ops/derive-shared-secret.js';
import { encapsulate } from '../crypto-ops/encapsulate.js';
import { decapsulate } from '../crypto-ops/decapsulate.js';
import { generateDataKeyPair } from '../crypto-ops/generate-data-key-pair.js';
import { generateDataKeyPairWithoutPlaintext } from '../crypto-ops/generate-data-key-pair-without-plaintext.js';
import { generateMac } from '../crypto-ops/generate-mac.js';
import { getPublicKey } from '../keys/get-public-key.js';
import { sign } from '../crypto-ops/sign.js';
import { verify } from '../crypto-ops/verify.js';
import { verifyMac } from '../crypto-ops/verify-mac.js';
import { deleteImportedKeyMaterial } from '../keys/import/delete-imported-key-material.js';
import { getParametersForImport } from '../keys/import/get-parameters-for-import.js';
import { importKeyMaterial } from '../keys/import/import-key-material.js';
import { xksGetKeyMetadata } from '../xks/xks-get-key-metadata.js';
import { xksEncrypt } from '../xks/xks-encrypt.js';
import { xksDecrypt } from '../xks/xks-decrypt.js';
import { createCustomKeyStore } from '../custom-key-stores/create-custom-key-store.js';
import { describeCustomKeyStores } from '../custom-key-stores/describe-custom-key-stores.js';
import { updateCustomKeyStore } from '../custom-key-stores/update-custom-key-store.js';
import { connectCustomKeyStore, disconnectCustomKeyStore } from '../custom-key-stores/connect-custom-key-store.js';
import { deleteCustomKeyStore } from '../custom-key-stores/delete-custom-key-store.js';
import { createManagedKey } from '../managed-keys/create-managed-key.js';
import { activateKey } from '../managed-keys/activate-key.js';
import { revokeKey } from '../managed-keys/revoke-key.js';
import { exportKeyMaterial } from '../managed-keys/export-key-material.js';
import { describeManagedKey } from '../managed-keys/describe-managed-key.js';
import { locateKeys } from '../managed-keys/locate-keys.js';

/** Every operation Arca serves, by wire target (`TrentService.Encrypt`). One registry, one pipeline. */
export const OPERATIONS: readonly RegisteredOperation[] = [
  createKey,
  describeKey,
  listKeys,
  updateKeyDescription,
  enableKey,
  disableKey,
  encrypt,
  decrypt,
  reEncrypt,
  generateDataKey,
  generateDataKeyWithoutPlaintext,
  generateRandom,
  createAlias,
  updateAlias,
  deleteAlias,
  listAliases,
  tagResource,
  untagResource,
  listResourceTags,
  getKeyPolicy,
  listKeyPolicies,
  putKeyPolicy,
  createPrincipal,
  listPrincipals,
  getPrincipal,
  deletePrincipal,
  tagPrincipal,
  untagPrincipal,
  createAccessKey,
  listAccessKeys,
  updateAccessKey,
  deleteAccessKey,
  putPrincipalPolicy,
  getPrincipalPolicy,
  deletePrincipalPolicy,
  listPrincipalPolicies,
  // roles and STS (issue 17)
  updateAssumeRolePolicy,
  revokeRoleSessions,
  getCallerIdentity,
  assumeRole,
  assumeRoleWithWebIdentity,
  getSessionToken,
  enableMfaDevice,
  disableMfaDevice,
  // separation of duties (issue 18)
  putApprovalRule,
  deleteApprovalRule,
  listApprovalRules,
  listApprovalRequests,
  getApprovalRequest,
  approveRequest,
  denyRequest,
  executeApproved,
  breakGlass,
  requestKeyAccess,
  // dev mode for test suites (issue 20)
  reset,
  // multi-Region keys (issue 20)
  replicateKey,
  updatePrimaryRegion,
  createGrant,
  listGrants,
  listRetirableGrants,
  retireGrant,
  revokeGrant,
  // key lifecycle (issue 6)
  enableKeyRotation,
  disableKeyRotation,
  getKeyRotationStatus,
  rotateKeyOnDemand,
  listKeyRotations,
  scheduleKeyDeletion,
  cancelKeyDeletion,
  getDestructionReceipt,
  sign,
  verify,
  getPublicKey,
  generateMac,
  verifyMac,
  generateDataKeyPair,
  generateDataKeyPairWithoutPlaintext,
  deriveSharedSecret,
  // post-quantum key encapsulation (issue 19)
  encapsulate,
  decapsulate,
  getParametersForImport,
  importKeyMaterial,
  deleteImportedKeyMaterial,
  getSealStatus,
  listClusterNodes,
  unseal,
  seal,
  initializeRoot,
  rekey,
  rotateRoot,
  createBackup,
  exportDestructionLedger,
  getKeyLastUsage,
  listAuditEvents,
  getAuditProof,
  getAuditCheckpoint,
  exportAuditLog,
  listAuditChains,
  // anomaly detection (issue 16)
  listAlerts,
  acknowledgeAlert,
  listBreakers,
  releaseBreaker,
  // the XKS proxy API (issue 21)
  xksGetKeyMetadata,
  xksEncrypt,
  xksDecrypt,
  // custom key stores (issue 21 part 2, ADR 0024)
  createCustomKeyStore,
  describeCustomKeyStores,
  updateCustomKeyStore,
  connectCustomKeyStore,
  disconnectCustomKeyStore,
  deleteCustomKeyStore,
  // managed keys, the operations the KMIP server is built on (issue 22, ADR 0027)
  createManagedKey,
  activateKey,
  revokeKey,
  exportKeyMaterial,
  describeManagedKey,
  locateKeys,
  // policy simulation (issue 23): finds the operation each replayed event names in this registry
  simulateKeyPolicyOperation((name) => OPERATIONS.find((o) => o.name === name && o.service === 'TrentService') ?? OPERATIONS.find((o) => o.name === name && o.service === 'ArcaService')),
];

export function operationRegistry(ops: readonly RegisteredOperation[] = OPERATIONS): ReadonlyMap<string, RegisteredOperation> {
  const map = new Map<string, RegisteredOperation>();
  for (const op of ops) {
    const target = `${op.service}.${op.name}`;
    if (map.has(target)) throw new Error(`operation ${target} registered twice`);
    map.set(target, op);
  }
  return map;
}
