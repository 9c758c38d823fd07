import { KmsError } from '../../core/errors.js';
import type { KeyRecord, Tag } from '../../core/key.js';
import { isExportable, kmipLifecycle, MANAGED_TAGS, parseDateTag, tagValue, type KmipLifecycle } from '../../core/managed-key.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import type { ResolvedKey } from '../pipeline/operation.js';

/** A key's KMIP facts (ADR 0027), read from its key state and its reserved `arca:` tags. */
export interface ManagedFacts {
  readonly tags: readonly Tag[];
  readonly lifecycle: KmipLifecycle;
  readonly exportable: boolean;
}

/** The KMIP facts of `key`, from one read of its tags. */
export async function managedFacts(deps: Pick<ServiceDeps, 'keys'>, key: KeyRecord): Promise<ManagedFacts> {
  const tags = await deps.keys.listTags(key.id);
  return factsOf(key, tags);
}

/** The KMIP facts of `key` whose tags are `tags`. */
export function factsOf(key: KeyRecord, tags: readonly Tag[]): ManagedFacts {
  return { tags, lifecycle: kmipLifecycle(key.state, tagValue(tags, MANAGED_TAGS.lifecycle)), exportable: isExportable(tags) };
}

/** A reserved date tag as the wire shows dates (a Date; AWS JSON encodes it as epoch seconds), absent when unset. */
export function dateMember<N extends string>(name: N, tags: readonly Tag[], tagKey: string): Partial<Record<N, Date>> {
  const at = parseDateTag(tagValue(tags, tagKey));
  const out: Partial<Record<N, Date>> = {};
  if (at !== undefined) out[name] = at;
  return out;
}

/** KMIP's Wrong Key Lifecycle State, as AWS's KMSInvalidStateException naming the lifecycle. */
export function wrongLifecycle(key: ResolvedKey, lifecycle: KmipLifecycle, why: string): KmsError {
  return new KmsError('InvalidKeyState', `${key.arn} is ${lifecycle}: ${why}`);
}
