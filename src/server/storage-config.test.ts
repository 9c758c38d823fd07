import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { redactUrl, storageFromFlag } from './storage-config.js';

describe('storage URLs', () => {
  test('redactUrl hides the password, in the authority or the query, and nothing else', () => {
    assert.equal(redactUrl('postgres://arca:s3cret@db.internal:5432/arca?sslmode=require'), 'postgres://arca:****@db.internal:5432/arca?sslmode=require');
    assert.equal(redactUrl('postgres://db/arca?user=arca&password=s3cret'), 'postgres://db/arca?user=arca&password=****');
    assert.equal(redactUrl('postgres://db/arca'), 'postgres://db/arca');
    assert.ok(!redactUrl('postgres://u:p%40ss@[::1/x').includes('p%40ss'), 'an unparsable URL loses its credentials too');
  });

  test('arca dev --storage takes sqlite or a postgres URL, and names neither password nor secret in its error', () => {
    assert.deepEqual(storageFromFlag('sqlite'), { type: 'sqlite' });
    assert.deepEqual(storageFromFlag('postgresql://u:p@h/db'), { type: 'postgres', url: 'postgresql://u:p@h/db' });
    assert.throws(() => storageFromFlag('mysql://root:hunter22@db/x'), (e: Error) => /--storage must be sqlite or a postgres:\/\/ URL/.test(e.message) && !e.message.includes('hunter22'));
  });
});
