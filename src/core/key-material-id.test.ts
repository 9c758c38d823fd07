import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { currentKeyMaterialId, keyMaterialId, namesKeyMaterial } from './key-material-id.js';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('key material IDs', () => {
  it('are 64 hex digits, fixed per key and version (ids handed out never change)', () => {
    assert.equal(keyMaterialId(KEY, 1), keyMaterialId(KEY, 1));
    assert.match(keyMaterialId(KEY, 1), /^[0-9a-f]{64}$/);
    assert.notEqual(keyMaterialId(KEY, 1), keyMaterialId(KEY, 2));
    assert.notEqual(keyMaterialId(KEY, 1), keyMaterialId('1234abcd-12ab-34cd-56ef-1234567890ac', 1));
    assert.equal(keyMaterialId(KEY, 1), '3062afd19b4228ce489a2ca38d74833fa3f22e2e489b711f012af6dabcc32568');
  });

  it('are named for symmetric encryption keys of AWS_KMS or EXTERNAL origin that have material', () => {
    const key = { id: KEY, keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS', state: 'Enabled', primaryVersion: 3 } as const;
    assert.deepEqual(currentKeyMaterialId(key), { CurrentKeyMaterialId: keyMaterialId(KEY, 3) });
    assert.equal(namesKeyMaterial({ ...key, origin: 'EXTERNAL' }), true);
    assert.equal(namesKeyMaterial({ ...key, origin: 'EXTERNAL', state: 'PendingImport' }), false);
    assert.equal(namesKeyMaterial({ ...key, keySpec: 'RSA_2048' }), false);
    assert.equal(namesKeyMaterial({ ...key, keySpec: 'HMAC_256' }), false);
    assert.equal(namesKeyMaterial({ ...key, origin: 'AWS_CLOUDHSM' }), false);
    assert.deepEqual(currentKeyMaterialId({ ...key, keySpec: 'ECC_NIST_P256' }), {});
  });
});
