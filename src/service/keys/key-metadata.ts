import { keyArn, type Realm } from '../../core/arn.js';
import { type KeyRecord } from '../../core/key.js';
import { algorithmLists } from '../../core/key-capabilities.js';
import { currentKeyMaterialId } from '../../core/key-material-id.js';
import { wireKeyId } from '../../core/multi-region.js';

/**
 * AWS's `MultiRegionConfiguration` of a multi-Region key, from its regional keys (`related`, the key's own
 * included): which is the primary, and the replicas (ADR 0022).
 */
export function multiRegionConfiguration(realm: Realm, key: KeyRecord, related: readonly KeyRecord[]) {
  const arnIn = (region: string) => keyArn({ ...realm, region }, key.id);
  const primary = key.primaryRegion ?? key.region;
  return {
    MultiRegionKeyType: key.region === primary ? ('PRIMARY' as const) : ('REPLICA' as const),
    PrimaryKey: { Arn: arnIn(primary), Region: primary },
    ReplicaKeys: related.filter((k) => k.region !== primary).map((k) => ({ Arn: arnIn(k.region), Region: k.region })),
  };
}

/** AWS's `KeyMetadata` structure for a key; `related`: a multi-Region key's regional keys, for its configuration. */
export function keyMetadata(realm: Realm, key: KeyRecord, related?: readonly KeyRecord[]) {
  const multiRegion = key.primaryRegion !== undefined;
  return {
    AWSAccountId: realm.account,
    KeyId: wireKeyId(key.id),
    Arn: keyArn(realm, key.id),
    CreationDate: key.createdAt,
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    ...(key.deletionDate ? { DeletionDate: key.deletionDate } : {}),
    Origin: key.origin,
    KeyManager: 'CUSTOMER' as const,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithmLists(key),
    MultiRegion: multiRegion,
    ...(multiRegion && { MultiRegionConfiguration: multiRegionConfiguration(realm, key, related ?? [key]) }),
    ...currentKeyMaterialId(key),
  };
}
