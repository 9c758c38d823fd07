import { KmsError } from '../../../core/errors.js';
import type { KeyRecord } from '../../../core/key.js';
import type { ServiceDeps } from '../../pipeline/deps.js';
import type { ResolvedKey } from '../../pipeline/operation.js';

/** Shared pieces of the BYOK operations. */

export function requireExternal(key: ResolvedKey): void {
  if (key.record.origin !== 'EXTERNAL') throw new KmsError('UnsupportedOperation', `${key.arn} origin is ${key.record.origin} which is not valid for this operation.`);
}

/** The KeyMetadata members AWS adds for an EXTERNAL key with imported material: ExpirationModel and ValidTo. */
export async function importMetadata(deps: Pick<ServiceDeps, 'imports'>, key: KeyRecord): Promise<{ ExpirationModel?: string; ValidTo?: Date }> {
  if (key.origin !== 'EXTERNAL' || key.state === 'PendingImport') return {};
  const imported = await deps.imports.getImport(key.id);
  if (imported === undefined) return {};
  return { ExpirationModel: imported.expirationModel, ...(imported.validTo ? { ValidTo: imported.validTo } : {}) };
}
