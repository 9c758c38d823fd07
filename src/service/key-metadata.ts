import { keyArn, type Realm } from '../core/arn.js';
import { KEY_SPEC_INFO, type KeyRecord } from '../core/key.js';

/** AWS's `KeyMetadata` structure for a key. */
export function keyMetadata(realm: Realm, key: KeyRecord) {
  const info = KEY_SPEC_INFO[key.keySpec];
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
    ...(key.keyUsage === 'ENCRYPT_DECRYPT' ? { EncryptionAlgorithms: [...info.encryptionAlgorithms] } : {}),
    MultiRegion: false,
  };
}
