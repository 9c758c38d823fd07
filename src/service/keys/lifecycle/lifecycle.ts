import { randomId, timeOrderedId } from '../../../crypto/random.js';
import { wireKeyId } from '../../../core/multi-region.js';
import { keyArn } from '../../../core/arn.js';
import { KmsError } from '../../../core/errors.js';
import type { KeyRecord } from '../../../core/key.js';
import { keyMaterialId } from '../../../core/key-material-id.js';
import { nextRotation, type DestructionRecord, type RotationType } from '../../../core/lifecycle.js';
import { auditEvent } from '../../../core/audit.js';
import type { KeyImportStore } from '../../../core/key-import.js';
import type { AuditLog } from '../../../core/ports.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import { destroyCustomKeyStoreKey, type CustomKeyStoreJobDeps } from '../custom-key-store-key.js';

/**
 * Arca rotates symmetric encryption keys whose material it generated, as AWS does. Imported keys are
 * refused: a generated version would silently replace the customer's material, and deleting the imported
 * material would then strand every ciphertext.
 */
export function requireRotatable(key: KeyRecord, arn: string): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('UnsupportedOperation', `${arn} key spec ${key.keySpec} is not valid for this operation. Only symmetric encryption keys can be rotated.`);
  }
  // A multi-Region key rotates from its primary (ADR 0022): the rotation reaches every replica.
  if (key.primaryRegion !== undefined && key.primaryRegion !== key.region) {
    throw new KmsError('UnsupportedOperation', `${arn} is a multi-Region replica key: rotate its primary key in ${key.primaryRegion}.`);
  }
  // AWS: KMS keys in custom key stores do not support automatic or on-demand rotation (ADR 0024).
  if (key.origin === 'EXTERNAL_KEY_STORE' || key.origin === 'AWS_CLOUDHSM') {
    throw new KmsError('UnsupportedOperation', `${arn} is in a custom key store (origin ${key.origin}): KMS keys in custom key stores cannot be rotated.`);
  }
  if (key.origin !== 'AWS_KMS') {
    throw new KmsError('UnsupportedOperation', `${arn} has origin ${key.origin}: keys with imported key material cannot be rotated by Arca.`);
  }
}

/**
 * Makes a new primary version of `key` with fresh material. The version row, the primary pointer and (for
 * automatic rotation) the next rotation date change in one transaction guarded by the primary version the
 * caller saw, so two runs, or a run repeated after a crash, never rotate twice. Returns the new version,
 * or undefined when another run rotated first.
 */
export async function rotateKey(
  deps: Pick<ServiceDeps, 'provisioner' | 'clock' | 'lifecycle' | 'keys'>,
  key: KeyRecord,
  type: RotationType,
  nextRotationAt?: Date,
): Promise<number | undefined> {
  const version = key.primaryVersion + 1;
  const now = deps.clock.now();
  // Generated, wrapped and zeroed in custody: only the wrapped row comes back.
  const row = await deps.provisioner.newVersion(key, version, now);
  if (type === 'AUTOMATIC') await deps.lifecycle.insecureTestPause?.('rotation:before-commit');
  const added = await deps.lifecycle.store.addVersion(row, type, key.primaryVersion, nextRotationAt);
  // A multi-Region primary's rotation reaches its replicas: the same wrapped material (bound to the wire id).
  if (added && key.primaryRegion !== undefined) {
    for (const replica of await deps.keys.listRelatedKeys(wireKeyId(key.id))) {
      if (replica.id !== key.id && replica.primaryVersion === key.primaryVersion) await deps.lifecycle.store.addVersion({ ...row, keyId: replica.id }, type, replica.primaryVersion);
    }
  }
  if (type === 'AUTOMATIC' && added) await deps.lifecycle.insecureTestPause?.('rotation:after-commit');
  return added ? version : undefined;
}

/**
 * Destroys a key whose deletion is due: the store shreds every version's material and checkpoints, then
 * the cached material is zeroed and dropped. Idempotent: a key already destroyed or not due is left alone.
 */
export async function destroyDueKey(deps: Pick<ServiceDeps, 'hierarchy' | 'clock' | 'lifecycle'>, keyId: string): Promise<DestructionRecord | undefined> {
  await deps.lifecycle.insecureTestPause?.('deletion:before-commit');
  // Dropped before and after: no request can use this key's material once the job has started.
  deps.hierarchy.forgetKey(keyId);
  const record = await deps.lifecycle.store.destroyKey(keyId, deps.clock.now());
  deps.hierarchy.forgetKey(keyId);
  if (record === undefined) return undefined;
  await deps.lifecycle.insecureTestPause?.('deletion:after-commit');
  // A crash before this line leaves the deleted bytes in the files until the next start-up's scrub.
  await deps.lifecycle.store.scrub();
  return record;
}

export interface JobRun {
  readonly rotated: readonly { keyId: string; version: number }[];
  readonly destroyed: readonly DestructionRecord[];
  /** Imported keys one of whose generations of material expired (ValidTo passed) and was deleted (PendingImport again unless it was pending rotation). */
  readonly expired: readonly string[];
}

/**
 * Runs every due lifecycle job once: automatic rotations of Enabled keys whose date has come (a key
 * that was disabled past its date rotates as soon as it is enabled again), then destructions of keys
 * whose waiting period has ended. Safe to run again at any time, including after a crash mid-run.
 */
export type JobDeps = Pick<ServiceDeps, 'keys' | 'hierarchy' | 'provisioner' | 'clock' | 'lifecycle' | 'logger' | 'realm'> & {
  readonly audit?: AuditLog | undefined;
  readonly imports?: Pick<KeyImportStore, 'expiredMaterial' | 'deleteMaterial'> | undefined;
  /** Keys in custom key stores: their link is removed and an HSM key destroyed when they are (ADR 0024). */
  readonly customKeyStores?: CustomKeyStoreJobDeps | undefined;
};

/**
 * Records a job's work in the audit trail as CloudTrail does for AWS's own scheduled actions
 * (`RotateKey`, `DeleteKey`, invoked by the service itself). The job has already committed, so a failed
 * audit write cannot undo it: it is logged as an error instead.
 */
async function auditJob(deps: JobDeps, eventName: 'RotateKey' | 'DeleteKey' | 'DeleteExpiredKeyMaterial', keyId: string, response: Record<string, unknown>): Promise<void> {
  if (deps.audit === undefined) return;
  const arn = keyArn(deps.realm, keyId);
  const now = deps.clock.now();
  const event = auditEvent({
    eventTime: now.toISOString(),
    eventName,
    awsRegion: deps.realm.region,
    sourceIPAddress: 'arca.internal',
    userAgent: 'arca-scheduler',
    userIdentity: { type: 'ServiceAccount', accountId: deps.realm.account },
    requestParameters: { keyId: arn },
    responseElements: response,
    requestID: randomId(),
    eventID: timeOrderedId(now.getTime()),
    resources: [{ ARN: arn, type: 'AWS::KMS::Key' }],
    readOnly: false,
  });
  try {
    await deps.audit.append(event);
  } catch (e) {
    deps.logger.error('could not record a lifecycle job in the audit trail', { key: arn, eventName, error: String(e) });
  }
}

/**
 * Runs the due jobs (see {@link JobDeps}). `signal` stops the run between two jobs once aborted (the
 * scheduler's leader lease was lost): the job in progress finishes, and the next leader does the rest.
 */
export async function runDueJobs(deps: JobDeps, signal?: AbortSignal): Promise<JobRun> {
  const rotated: { keyId: string; version: number }[] = [];
  const destroyed: DestructionRecord[] = [];
  const store = deps.lifecycle.store;
  await store.scrub();
  for (const keyId of await store.dueRotations(deps.clock.now())) {
    if (signal?.aborted === true) break;
    const key = await deps.keys.getKey(keyId);
    const settings = await store.getRotation(keyId);
    if (key === undefined || settings?.nextRotationAt === undefined || key.state !== 'Enabled') continue;
    // A multi-Region replica rotates with its primary, never on its own (ADR 0022).
    if (key.primaryRegion !== undefined && key.primaryRegion !== key.region) continue;
    // The next date counts from now, not from the missed date: a key offline for months rotates once.
    const version = await rotateKey(deps, key, 'AUTOMATIC', nextRotation(deps.clock.now(), settings.periodDays));
    if (version !== undefined) {
      rotated.push({ keyId, version });
      deps.logger.info('rotated key', { key: keyArn(deps.realm, keyId), version, type: 'AUTOMATIC' });
      await auditJob(deps, 'RotateKey', keyId, { rotationType: 'AUTOMATIC', version });
    }
  }
  for (const keyId of signal?.aborted === true ? [] : await store.dueDeletions(deps.clock.now())) {
    if (signal?.aborted === true) break;
    const record = await destroyDueKey(deps, keyId);
    if (record !== undefined) {
      destroyed.push(record);
      const inStore = deps.customKeyStores && (await destroyCustomKeyStoreKey(deps.customKeyStores, keyId, deps.logger));
      deps.logger.info('destroyed key material', { key: keyArn(deps.realm, keyId), versions: record.versions });
      await auditJob(deps, 'DeleteKey', keyId, { destroyedVersions: [...record.versions], destroyedAt: record.destroyedAt.toISOString(), ...inStore });
    }
  }
  // Imported material past its ValidTo is deleted, as AWS does: the key goes back to PendingImport and
  // takes the same material again through a new import.
  // Only the expired generation is deleted; the key is PendingImport unless it was pending rotation.
  const expired: string[] = [];
  for (const { keyId, version } of deps.imports && signal?.aborted !== true ? await deps.imports.expiredMaterial(deps.clock.now()) : []) {
    if (signal?.aborted === true) break;
    deps.hierarchy.forgetKey(keyId);
    const deleted = await deps.imports?.deleteMaterial(keyId, version, deps.clock.now());
    deps.hierarchy.forgetKey(keyId);
    if (deleted !== true) continue;
    if (!expired.includes(keyId)) expired.push(keyId);
    const state = (await deps.keys.getKey(keyId))?.state;
    deps.logger.info('deleted expired imported key material', { key: keyArn(deps.realm, keyId), keyMaterialId: keyMaterialId(keyId, version) });
    await auditJob(deps, 'DeleteExpiredKeyMaterial', keyId, { keyMaterialId: keyMaterialId(keyId, version), keyState: state });
  }
  if (expired.length > 0) await store.scrub();
  return { rotated, destroyed, expired };
}

/**
 * Drops the cached material of keys that can no longer be used (destroyed, disabled, pending deletion).
 * Every request re-checks the stored state anyway; this bounds how long material of a key disabled or
 * destroyed by another process sharing the database stays in this process's memory.
 */
export async function sweepCachedMaterial(deps: Pick<ServiceDeps, 'keys' | 'hierarchy'>): Promise<number> {
  let dropped = 0;
  for (const keyId of deps.hierarchy.cachedKeyIds()) {
    const key = await deps.keys.getKey(keyId);
    if (key === undefined || key.state !== 'Enabled') {
      deps.hierarchy.forgetKey(keyId);
      dropped++;
    }
  }
  return dropped;
}
