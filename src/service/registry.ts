import { createAlias } from './create-alias.js';
import { createKey } from './create-key.js';
import { decrypt } from './decrypt.js';
import { deleteAlias } from './delete-alias.js';
import { describeKey } from './describe-key.js';
import { disableKey } from './disable-key.js';
import { enableKey } from './enable-key.js';
import { encrypt } from './encrypt.js';
import { generateDataKey } from './generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from './generate-data-key-without-plaintext.js';
import { generateRandom } from './generate-random.js';
import { getSealStatus } from './get-seal-status.js';
import { initializeRoot } from './initialize-root.js';
import { exportAuditLog } from './export-audit-log.js';
import { getAuditCheckpoint } from './get-audit-checkpoint.js';
import { getAuditProof } from './get-audit-proof.js';
import { getKeyLastUsage } from './get-key-last-usage.js';
import { getKeyPolicy } from './get-key-policy.js';
import { listAuditEvents } from './list-audit-events.js';
import { listAliases } from './list-aliases.js';
import { listKeyPolicies } from './list-key-policies.js';
import { listKeys } from './list-keys.js';
import { listResourceTags } from './list-resource-tags.js';
import type { RegisteredOperation } from './operation.js';
import { putKeyPolicy } from './put-key-policy.js';
import { createPrincipal } from './create-principal.js';
import { listPrincipals } from './list-principals.js';
import { getPrincipal } from './get-principal.js';
import { deletePrincipal } from './delete-principal.js';
import { tagPrincipal } from './tag-principal.js';
import { untagPrincipal } from './untag-principal.js';
import { createAccessKey } from './create-access-key.js';
import { listAccessKeys } from './list-access-keys.js';
import { updateAccessKey } from './update-access-key.js';
import { deleteAccessKey } from './delete-access-key.js';
import { putPrincipalPolicy } from './put-principal-policy.js';
import { getPrincipalPolicy } from './get-principal-policy.js';
import { deletePrincipalPolicy } from './delete-principal-policy.js';
import { listPrincipalPolicies } from './list-principal-policies.js';
import { createGrant } from './create-grant.js';
import { listGrants } from './list-grants.js';
import { listRetirableGrants } from './list-retirable-grants.js';
import { retireGrant } from './retire-grant.js';
import { revokeGrant } from './revoke-grant.js';
import { reEncrypt } from './re-encrypt.js';
import { rekey } from './rekey.js';
import { rotateRoot } from './rotate-root.js';
import { seal } from './seal.js';
import { tagResource } from './tag-resource.js';
import { untagResource } from './untag-resource.js';
import { updateAlias } from './update-alias.js';
import { unseal } from './unseal.js';
import { updateKeyDescription } from './update-key-description.js';
import { cancelKeyDeletion } from './cancel-key-deletion.js';
import { disableKeyRotation } from './disable-key-rotation.js';
import { enableKeyRotation } from './enable-key-rotation.js';
import { getDestructionReceipt } from './get-destruction-receipt.js';
import { getKeyRotationStatus } from './get-key-rotation-status.js';
import { listKeyRotations } from './list-key-rotations.js';
import { rotateKeyOnDemand } from './rotate-key-on-demand.js';
import { scheduleKeyDeletion } from './schedule-key-deletion.js';
import { deriveSharedSecret } from './derive-shared-secret.js';
import { generateDataKeyPair } from './generate-data-key-pair.js';
import { generateDataKeyPairWithoutPlaintext } from './generate-data-key-pair-without-plaintext.js';
import { generateMac } from './generate-mac.js';
import { getPublicKey } from './get-public-key.js';
import { sign } from './sign.js';
import { verify } from './verify.js';
import { verifyMac } from './verify-mac.js';
import { deleteImportedKeyMaterial } from './delete-imported-key-material.js';
import { getParametersForImport } from './get-parameters-for-import.js';
import { importKeyMaterial } from './import-key-material.js';

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
  getParametersForImport,
  importKeyMaterial,
  deleteImportedKeyMaterial,
  getSealStatus,
  unseal,
  seal,
  initializeRoot,
  rekey,
  rotateRoot,
  getKeyLastUsage,
  listAuditEvents,
  getAuditProof,
  getAuditCheckpoint,
  exportAuditLog,
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
