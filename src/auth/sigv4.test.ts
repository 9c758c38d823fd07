import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accessKeySecretBinding } from '../core/bindings.js';
import { REALM, NOW, MINUTE, ACCESS_KEY_ID, SECRET, OTHER_SECRET, INACTIVE_ACCESS_KEY_ID, PRINCIPAL, BODY, accessKey, setup, signed, headerValue, withHeader, withoutHeader, withAuthorization, assertKmsError, SIGNATURE_MISMATCH } from '../../test/helpers/sigv4-fixtures.js';

describe('SigV4Authenticator', () => {
  describe('accepts requests signed by the AWS SDK signer', () => {
    it('authenticates a correctly signed request to the principal owning the access key', async () => {
      const { authenticator } = setup();
      const principal = await authenticator.authenticate(await signed());
      assert.equal(principal.arn, PRINCIPAL.arn);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);
      assert.equal(principal.id, PRINCIPAL.id);
      assert.equal(principal.account, REALM.account);
    });

    it('unwraps the secret with the binding of its access key id', async () => {
      const { authenticator, keyring } = setup();
      await authenticator.authenticate(await signed());
      assert.equal(keyring.unwraps.length, 1);
      assert.deepEqual(keyring.unwraps[0]?.binding, accessKeySecretBinding(ACCESS_KEY_ID));
    });

    it('accepts header names in any case', async () => {
      const { authenticator } = setup();
      const req = await signed();
      const oddCase: Record<string, string> = { host: 'HoSt', 'x-amz-date': 'X-AMZ-DATE', authorization: 'AUTHORIZATION', 'x-amz-target': 'x-AMZ-target' };
      const renamed = { ...req, headers: req.headers.map(([k, v]) => [oddCase[k.toLowerCase()] ?? k.toUpperCase(), v] as const) };
      assert.ok(renamed.headers.some(([k]) => k === 'X-AMZ-DATE'), 'the test must actually rename headers');
      const principal = await authenticator.authenticate(renamed);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);
    });

    it('accepts a signed header that arrives as repeated header lines, joined in order with commas', async () => {
      const { authenticator } = setup();
      const req = await signed({ headers: { 'x-arca-trace': 'first,second' } });
      const split = { ...withoutHeader(req, 'x-arca-trace'), headers: [...withoutHeader(req, 'x-arca-trace').headers, ['X-Arca-Trace', 'first'], ['x-arca-trace', ' second ']] as const };
      const principal = await authenticator.authenticate(split);
      assert.equal(principal.accessKeyId, ACCESS_KEY_ID);

      const reordered = { ...split, headers: [...withoutHeader(req, 'x-arca-trace').headers, ['x-arca-trace', 'second'], ['x-arca-trace', 'first']] as const };
      await assertKmsError(authenticator.authenticate(reordered), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('accepts a signed query string and refuses it once edited', async () => {
      const { authenticator } = setup();
      const req = await signed({ query: { b: '2', a: 'x y/z' } });
      assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID);
      await assertKmsError(authenticator.authenticate({ ...req, query: 'b=3&a=x%20y%2Fz' }), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('accepts a request dated 4 minutes ahead of or behind the server clock', async () => {
      const { authenticator } = setup();
      for (const offset of [4 * MINUTE, -4 * MINUTE]) {
        const req = await signed({ signingDate: new Date(NOW.getTime() + offset) });
        assert.equal((await authenticator.authenticate(req)).accessKeyId, ACCESS_KEY_ID, `offset ${offset / MINUTE} min`);
      }
    });
  });

  describe('refuses time, scope and signed-header problems', () => {
    it('refuses a request dated more than 5 minutes in the future', async () => {
      const { authenticator } = setup();
      const req = await signed({ signingDate: new Date(NOW.getTime() + 6 * MINUTE) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /not yet current/);
    });

    it('refuses a request dated more than 5 minutes in the past', async () => {
      const { authenticator } = setup();
      const req = await signed({ signingDate: new Date(NOW.getTime() - 6 * MINUTE) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /Signature expired/);
    });

    it('refuses a request once the server clock has moved past the skew window', async () => {
      const { authenticator, clock } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      clock.at = new Date(NOW.getTime() + 6 * MINUTE);
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /Signature expired/);
    });

    it('refuses a credential scoped to another region', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ region: 'eu-west-1' })), 'InvalidSignature', /valid region, not 'eu-west-1'/);
    });

    it('refuses a credential scoped to another service', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ service: 's3' })), 'InvalidSignature', /correct service: 'kms'/);
    });

    it('refuses a credential scope date that differs from X-Amz-Date', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('/20240506/', '/20240505/'));
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /valid date/);
    });

    it('refuses a request whose x-amz-target is not signed', async () => {
      const { authenticator } = setup();
      const req = await signed({ unsignableHeaders: new Set(['x-amz-target']) });
      assert.ok(!/SignedHeaders=[^,]*x-amz-target/.test(headerValue(req, 'authorization')), 'the signer must leave x-amz-target unsigned');
      assert.equal(headerValue(req, 'x-amz-target'), 'TrentService.Encrypt');
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /x-amz-target header must be signed/);
    });

    it('refuses a request whose host is not signed', async () => {
      const { authenticator } = setup();
      const req = await signed({ unsignableHeaders: new Set(['host']) });
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /host header must be signed/);
    });

    it('refuses a target header added after signing', async () => {
      const { authenticator } = setup();
      const unsignedTarget = withoutHeader(await signed(), 'x-amz-target');
      const req = withAuthorization(withHeader(unsignedTarget, 'x-amz-target', 'TrentService.Decrypt'), (a) =>
        a.replace(/SignedHeaders=[^,]*/, (s) => s.replace(';x-amz-target', '')),
      );
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /x-amz-target header must be signed/);
    });

    it('refuses a request without X-Amz-Date as incomplete', async () => {
      const { authenticator } = setup();
      const req = withoutHeader(await signed(), 'x-amz-date');
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /X-Amz-Date/);
    });
  });

  describe('refuses requests changed after signing', () => {
    it('refuses a body edited after signing', async () => {
      const { authenticator } = setup();
      const req = await signed();
      const edited = { ...req, body: Buffer.from(BODY.replace('aGVsbG8gd29ybGQ=', 'Z29vZGJ5ZQ==')) };
      await assertKmsError(authenticator.authenticate(edited), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a signed header value edited after signing', async () => {
      const { authenticator } = setup();
      const req = withHeader(await signed(), 'x-amz-target', 'TrentService.Decrypt');
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a changed method', async () => {
      const { authenticator } = setup();
      const req = { ...(await signed()), method: 'PUT' };
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', SIGNATURE_MISMATCH);
    });

    it('refuses a request signed with the wrong secret', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ secret: OTHER_SECRET })), 'InvalidSignature', SIGNATURE_MISMATCH);
    });
  });

  describe('refuses unknown or unusable credentials', () => {
    it('refuses an unknown access key', async () => {
      const { authenticator, keyring } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ accessKeyId: 'AKIAUNKNOWN000000000' })), 'UnrecognizedClient', /security token included in the request is invalid/);
      assert.equal(keyring.unwraps.length, 0);
    });

    it('refuses an inactive access key even when the signature is right', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(await signed({ accessKeyId: INACTIVE_ACCESS_KEY_ID })), 'UnrecognizedClient', /security token included in the request is invalid/);
    });

    it('refuses a key deactivated after it has been used (no cached acceptance)', async () => {
      const { authenticator, store } = setup();
      const req = await signed();
      await authenticator.authenticate(req);
      store.accessKeys.set(ACCESS_KEY_ID, accessKey(ACCESS_KEY_ID, SECRET, 'Inactive'));
      await assertKmsError(authenticator.authenticate(req), 'UnrecognizedClient', /security token/);
    });

    it('refuses a request carrying a session token', async () => {
      const { authenticator } = setup();
      const req = await signed({ sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' });
      assert.equal(headerValue(req, 'x-amz-security-token'), 'FwoGZXIvYXdzEXAMPLETOKEN');
      await assertKmsError(authenticator.authenticate(req), 'UnrecognizedClient', /security token/);
    });

    it('refuses a valid signature whose principal no longer exists', async () => {
      const { authenticator, store } = setup();
      store.principals.clear();
      await assertKmsError(authenticator.authenticate(await signed()), 'UnrecognizedClient', /security token/);
    });
  });

  describe('refuses missing or malformed Authorization headers', () => {
    it('answers MissingAuthentication without an Authorization header', async () => {
      const { authenticator } = setup();
      await assertKmsError(authenticator.authenticate(withoutHeader(await signed(), 'authorization')), 'MissingAuthentication', /Missing Authentication Token/);
    });

    it('answers IncompleteSignature when Signature is missing', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/, Signature=[0-9a-f]+$/, ''));
      assert.ok(!headerValue(req, 'authorization').includes('Signature='));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /requires 'Signature' parameter/);
    });

    it('answers IncompleteSignature when Credential is missing', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/Credential=[^,]*, /, ''));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /requires 'Credential' parameter/);
    });

    it('answers IncompleteSignature for an unsupported algorithm', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('AWS4-HMAC-SHA256', 'AWS3-HMAC-GARBAGE'));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /Unsupported authorization algorithm 'AWS3-HMAC-GARBAGE'/);
    });

    it('answers IncompleteSignature for a signature that is not hex', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace(/Signature=[0-9a-f]+$/, `Signature=${'z'.repeat(64)}`));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /64 lower-case hex/);
    });

    it('answers IncompleteSignature for a credential scope of the wrong shape', async () => {
      const { authenticator } = setup();
      const req = withAuthorization(await signed(), (a) => a.replace('/aws4_request', '/aws5_request'));
      await assertKmsError(authenticator.authenticate(req), 'IncompleteSignature', /Credential must have the form/);
    });

    it('answers a signature error, not an internal error, for a query string that is not percent-encoding', async () => {
      const { authenticator } = setup();
      const req = { ...(await signed()), query: 'a=%zz' };
      await assertKmsError(authenticator.authenticate(req), 'InvalidSignature', /percent-encoding/);
    });
  });

});
