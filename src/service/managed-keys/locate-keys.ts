import { z } from 'zod';
import { KEY_SPECS, KEY_USAGES, type KeyRecord } from '../../core/key.js';
import { KMIP_LIFECYCLES, type KmipLifecycle } from '../../core/managed-key.js';
import { wireKeyId } from '../../core/multi-region.js';
import { tagList } from '../keys/tags.js';
import { defineOperation } from '../pipeline/operation.js';
import type { ServiceDeps } from '../pipeline/deps.js';
import { str } from '../pipeline/schemas.js';
import { factsOf } from './managed-facts.js';

/** How many keys one store read returns while scanning. */
const SCAN_PAGE = 1000;

const input = z.object({
  Aliases: z.array(str(1, 256)).max(100, 'Member must have length less than or equal to 100').optional().describe('Alias names (alias/...): keys with any of them.'),
  KeySpec: z.enum(KEY_SPECS).optional().describe('Keys of this key spec.'),
  KeyUsage: z.enum(KEY_USAGES).optional().describe('Keys of this key usage.'),
  Lifecycle: z.enum(KMIP_LIFECYCLES).optional().describe('Keys in this KMIP lifecycle (Destroyed and DestroyedCompromised: keys pending deletion).'),
  Exportable: z.boolean().optional().describe('Keys that are (true) or are not (false) exportable.'),
  Tags: tagList.max(50, 'Member must have length less than or equal to 50').optional().describe('Tags (TagKey and TagValue pairs) the keys must all have.'),
  Limit: z.number().int('Member must be an integer').min(1, 'Member must have value greater than or equal to 1').max(1000, 'Member must have value less than or equal to 1000').optional().describe('At most this many key ids (1 to 1000, default 1000).'),
  Offset: z.number().int('Member must be an integer').min(0, 'Member must have value greater than or equal to 0').optional().describe('Skips this many matching keys first (KMIP Locate Offset Items).'),
});
type Input = z.infer<typeof input>;

/**
 * KMIP Locate (ADR 0027): the ids of this region's keys matching every filter given, newest first. Keys
 * pending deletion (KMIP Destroyed) are left out unless `Lifecycle` asks for them. Cost: one read per page of
 * keys, one per alias named, and one tag read per key passing the other filters when a filter needs tags
 * (Lifecycle of a disabled key, Exportable, Tags) — never one per key × filter.
 */
export const locateKeys = defineOperation({
  service: 'ArcaService',
  name: 'LocateKeys',
  description: 'Lists the ids of the keys that match filters (aliases, spec, usage, KMIP lifecycle, exportability, tags), newest first, for KMIP Locate.',
  effect: 'read',
  uses: ['keys', 'realm'] as const,
  input,
  keys: {},
  async execute(i, _ctx, deps) {
    const aliased = i.Aliases === undefined ? undefined : await aliasTargets(deps, i.Aliases);
    const matches: string[] = [];
    for (const key of (await allKeys(deps)).reverse()) {
      if (aliased !== undefined && !aliased.has(key.id)) continue;
      if ((i.KeySpec !== undefined && key.keySpec !== i.KeySpec) || (i.KeyUsage !== undefined && key.keyUsage !== i.KeyUsage)) continue;
      if (key.state === 'PendingDeletion' && !(i.Lifecycle === 'Destroyed' || i.Lifecycle === 'DestroyedCompromised')) continue;
      if (await matchesTags(deps, key, i)) matches.push(wireKeyId(key.id));
    }
    const offset = i.Offset ?? 0;
    return { KeyIds: matches.slice(offset, offset + (i.Limit ?? 1000)) };
  },
  auditRequest: (i) => ({ aliases: i.Aliases, keySpec: i.KeySpec, keyUsage: i.KeyUsage, lifecycle: i.Lifecycle, exportable: i.Exportable, tagKeys: i.Tags?.map((t) => t.TagKey), limit: i.Limit, offset: i.Offset }),
});

/** Every key of the region, oldest first (the store's order). */
async function allKeys(deps: Pick<ServiceDeps, 'keys' | 'realm'>): Promise<KeyRecord[]> {
  const keys: KeyRecord[] = [];
  let after: string | undefined;
  do {
    const page = await deps.keys.listKeys(deps.realm.region, after, SCAN_PAGE);
    keys.push(...page.items);
    after = page.next;
  } while (after !== undefined);
  return keys;
}

/** The keys the named aliases point to (an unknown alias matches nothing). */
async function aliasTargets(deps: Pick<ServiceDeps, 'keys' | 'realm'>, names: readonly string[]): Promise<Set<string>> {
  const targets = new Set<string>();
  for (const name of new Set(names)) {
    const alias = await deps.keys.getAlias(deps.realm.region, name);
    if (alias !== undefined) targets.add(alias.keyId);
  }
  return targets;
}

/** The filters that need the key's tags; the tags are read only when one is given. */
async function matchesTags(deps: Pick<ServiceDeps, 'keys'>, key: KeyRecord, i: Input): Promise<boolean> {
  if (i.Lifecycle === undefined && i.Exportable === undefined && i.Tags === undefined) return true;
  const facts = factsOf(key, await deps.keys.listTags(key.id));
  const lifecycle: KmipLifecycle = facts.lifecycle;
  if (i.Lifecycle !== undefined && lifecycle !== i.Lifecycle) return false;
  if (i.Exportable !== undefined && facts.exportable !== i.Exportable) return false;
  return (i.Tags ?? []).every((want) => facts.tags.some((t) => t.key === want.TagKey && t.value === want.TagValue));
}
