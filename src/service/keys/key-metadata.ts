import { keyArn, type Realm } from '../../core/arn.js';
import { type KeyRecord } from '../../core/key.js';
import { algorithmLists } from '../../core/key-capabilities.js';
import { currentKeyMaterialId } from '../../core/key-material-id.js';

/** AWS's `KeyMetadata` structure for a key. */
export function keyMetadata(realm: Realm, key: KeyRecord) {
  return {
    AWSAccountId: realm.account,
    KeyId: key.id,
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
    MultiRegion: false,
    ...currentKeyMaterialId(key),
  };
}
