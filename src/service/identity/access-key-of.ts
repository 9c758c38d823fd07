import { KmsError } from '../../core/errors.js';
import type { AccessKeyRecord, PrincipalRecord } from '../../core/principal.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { requirePrincipal } from './principals.js';

/** The access key `accessKeyId` of the principal `name`, or NotFoundException. */
export async function accessKeyOf(deps: Pick<ServiceDeps, 'principals'>, name: string, accessKeyId: string): Promise<{ principal: PrincipalRecord; key: AccessKeyRecord }> {
  const principal = await requirePrincipal(deps, name);
  const key = await deps.principals.getAccessKey(accessKeyId);
  if (key === undefined || key.principalId !== principal.id) throw new KmsError('KeyNotFound', `The access key ${accessKeyId} does not exist for principal ${name}.`);
  return { principal, key };
}
