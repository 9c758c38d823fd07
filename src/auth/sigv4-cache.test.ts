import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SIGNING_KEY_CACHE_LIMIT } from './sigv4-authenticator.js';
import { ACCESS_KEY_ID, SECRET, OTHER_SECRET, accessKey, setup, signed, withAuthorization, signatureOf, assertKmsError, SIGNATURE_MISMATCH } from '../../test/helpers/sigv4-fixtures.js';

describe('SigV4Authenticator', () => {
  describe('signing-key cache', () => {
    it('derives the signing key once per access key and day', async () => {
      const { authenticator, keyring } = setup();
      await authenticator.authenticate(await signed());
      await authenticator.authenticate(await signed({ body: JSON.stringify({ KeyId: 'alias/other' }) }));
      assert.equal(keyring.unwraps.length, 1);
    });

    it('does not let a wrong signature pass after a right one for the same key and day', async () => {
      const { authenticator, keyring } = setup();
      const good = await signed();
      await authenticator.authenticate(good);
      const sig = signatureOf(good);
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`;
      const forged = withAuthorization(good, (a) => a.replace(sig, flipped));
      await assertKmsError(authenticator.authenticate(forged), 'InvalidSignature', SIGNATURE_MISMATCH);
      await assertKmsError(authenticator.authenticate(await signed({ secret: OTHER_SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
      assert.equal(keyring.unwraps.length, 1, 'the refusals must have been decided with the cached signing key');
    });

    it('does not serve a replaced secret from the cache', async () => {
      const { authenticator, store, keyring } = setup();
      await authenticator.authenticate(await signed());
      store.accessKeys.set(ACCESS_KEY_ID, accessKey(ACCESS_KEY_ID, OTHER_SECRET));
      await assertKmsError(authenticator.authenticate(await signed({ secret: SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
      assert.equal((await authenticator.authenticate(await signed({ secret: OTHER_SECRET }))).accessKeyId, ACCESS_KEY_ID);
      assert.equal(keyring.unwraps.length, 2);
      assert.deepEqual(keyring.unwraps[1]?.wrapped, Buffer.from(OTHER_SECRET));
    });

    it('still verifies a request whose cached key is evicted by a concurrent request', async () => {
      const { authenticator, store } = setup();
      const good = await signed();
      await authenticator.authenticate(good);
      // Fill the cache to its limit: every distinct wrapped secret is a separate entry.
      const fillerId = 'AKIAARCAFILLER000000';
      const filler = await signed({ accessKeyId: fillerId, secret: 'filler' });
      let n = 0;
      const nextFiller = (): void => {
        store.accessKeys.set(fillerId, accessKey(fillerId, `filler-${n++}`));
      };
      for (let i = 1; i < SIGNING_KEY_CACHE_LIMIT; i++) {
        nextFiller();
        await assertKmsError(authenticator.authenticate(filler), 'InvalidSignature', SIGNATURE_MISMATCH);
      }
      // The next miss empties the cache. Started first, it runs its eviction between the cache hit of the
      // good request and that request's use of the key it read.
      nextFiller();
      const [evicting, verified] = await Promise.allSettled([authenticator.authenticate(filler), authenticator.authenticate(good)]);
      assert.equal(evicting.status, 'rejected');
      assert.ok(verified.status === 'fulfilled', verified.status === 'rejected' ? String(verified.reason) : '');
      assert.equal(verified.value.accessKeyId, ACCESS_KEY_ID);
    });

    it('derives the signing key again after forgetAll', async () => {
      const { authenticator, keyring } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      authenticator.forgetAll();
      assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID);
      assert.equal(keyring.unwraps.length, 2);
    });
  });
});
