import type { PrincipalStore } from '../core/ports.js';
import type { PrincipalRecord } from '../core/principal.js';

/**
 * The principal a configuration names (a client-certificate rule, the Kubernetes plugin's principal):
 * a name, or an ARN (`arn:aws:iam::<account>:user/<name>`, `role/<name>`). An ARN names that exact
 * principal (a user and a role never share it); `undefined` when none matches. Looked up on every
 * request, so deleting the principal takes effect at once.
 */
export async function principalByReference(store: Pick<PrincipalStore, 'findPrincipalByName'>, reference: string): Promise<PrincipalRecord | undefined> {
  const name = reference.startsWith('arn:') ? reference.slice(reference.lastIndexOf('/') + 1) : reference;
  const record = await store.findPrincipalByName(name);
  return record !== undefined && reference.startsWith('arn:') && record.arn !== reference ? undefined : record;
}
