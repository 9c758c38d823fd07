import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { aliasArn, checkAliasName, keyArn, parseKeyRef, type Realm } from './arn.js';
import { isKmsError, type ErrorCode } from './errors.js';

const REALM: Realm = { partition: 'aws', region: 'us-east-1', account: '111122223333' };
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ALLOW = { allowAlias: true };
const KEYS_ONLY = { allowAlias: false };

function assertKmsError(fn: () => unknown, code: ErrorCode, message: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isKmsError(e), `expected a KmsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

describe('parseKeyRef', () => {
  it('reads a key id', () => {
    assert.deepEqual(parseKeyRef(REALM, KEY_ID, ALLOW), { kind: 'key', keyId: KEY_ID });
  });

  it('reads a key ARN of this region and account', () => {
    assert.equal(keyArn(REALM, KEY_ID), `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`);
    assert.deepEqual(parseKeyRef(REALM, keyArn(REALM, KEY_ID), ALLOW), { kind: 'key', keyId: KEY_ID });
    assert.deepEqual(parseKeyRef(REALM, keyArn(REALM, KEY_ID), KEYS_ONLY), { kind: 'key', keyId: KEY_ID });
  });

  it('reads an alias name', () => {
    assert.deepEqual(parseKeyRef(REALM, 'alias/app/prod_key-1', ALLOW), { kind: 'alias', aliasName: 'alias/app/prod_key-1' });
  });

  it('reads an alias ARN of this region and account', () => {
    assert.equal(aliasArn(REALM, 'alias/app'), 'arn:aws:kms:us-east-1:111122223333:alias/app');
    assert.deepEqual(parseKeyRef(REALM, aliasArn(REALM, 'alias/app'), ALLOW), { kind: 'alias', aliasName: 'alias/app' });
  });

  it('answers a key ARN of another region with AWS’s words: Invalid arn <that region>', () => {
    assertKmsError(() => parseKeyRef(REALM, `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`, ALLOW), 'KeyNotFound', /^Invalid arn eu-west-1$/);
  });

  it('reads a multi-Region key id (mrk- and 32 hex digits), bare or in an ARN', () => {
    const mrk = `mrk-${'0123456789abcdef'.repeat(2)}`;
    assert.deepEqual(parseKeyRef(REALM, mrk, ALLOW), { kind: 'key', keyId: mrk });
    assert.deepEqual(parseKeyRef(REALM, `arn:aws:kms:us-east-1:111122223333:key/${mrk}`, ALLOW), { kind: 'key', keyId: mrk });
    assertKmsError(() => parseKeyRef(REALM, 'mrk-0123', ALLOW), 'KeyNotFound', /Invalid keyId/);
  });

  for (const [what, arn] of [
    ['another account', `arn:aws:kms:us-east-1:444455556666:key/${KEY_ID}`],
    ['another partition', `arn:aws-cn:kms:us-east-1:111122223333:key/${KEY_ID}`],
    ['another region (alias)', 'arn:aws:kms:eu-west-1:111122223333:alias/app'],
    ['another account (alias)', 'arn:aws:kms:us-east-1:444455556666:alias/app'],
  ] as const) {
    it(`answers an ARN of ${what} as a key that does not exist`, () => {
      assertKmsError(() => parseKeyRef(REALM, arn, ALLOW), 'KeyNotFound', /does not exist/);
    });
  }

  for (const [what, value] of [
    ['a word', 'nope'],
    ['an empty string', ''],
    ['a key ARN whose id is not a UUID', 'arn:aws:kms:us-east-1:111122223333:key/not-a-uuid'],
    ['an upper-case UUID', KEY_ID.toUpperCase()],
    ['a UUID with surrounding text', `${KEY_ID} `],
    ['a bare key/ resource', `key/${KEY_ID}`],
    ['an ARN of another service', `arn:aws:s3:us-east-1:111122223333:key/${KEY_ID}`],
    ['an ARN with an empty resource', 'arn:aws:kms:us-east-1:111122223333:key/'],
  ] as const) {
    it(`refuses ${what} as KeyNotFound`, () => {
      assertKmsError(() => parseKeyRef(REALM, value, ALLOW), 'KeyNotFound', /^Invalid (keyId|arn) /);
    });
  }

  it('refuses alias names and alias ARNs where only keys are allowed', () => {
    assertKmsError(() => parseKeyRef(REALM, 'alias/app', KEYS_ONLY), 'KeyNotFound', /Invalid keyId 'alias\/app'/);
    assertKmsError(() => parseKeyRef(REALM, aliasArn(REALM, 'alias/app'), KEYS_ONLY), 'KeyNotFound', /Invalid keyId/);
  });
});

describe('checkAliasName', () => {
  it('accepts names made of letters, digits, slash, underscore and hyphen after alias/', () => {
    for (const name of ['alias/app', 'alias/App_01-x', 'alias/team/app/prod', `alias/${'a'.repeat(250)}`]) {
      assert.doesNotThrow(() => checkAliasName(name), name);
    }
  });

  it('refuses the reserved alias/aws/ prefix as InvalidAliasName', () => {
    assertKmsError(() => checkAliasName('alias/aws/x'), 'InvalidAliasName', /must not begin with 'alias\/aws\/'/);
    assertKmsError(() => checkAliasName('alias/aws/ebs'), 'InvalidAliasName', /reserved/);
  });

  it('accepts names that only start like the reserved prefix', () => {
    assert.doesNotThrow(() => checkAliasName('alias/awsome'));
    assert.doesNotThrow(() => checkAliasName('alias/aws-app'));
  });

  for (const name of ['alias/with space', 'alias/dot.ted', 'alias/colon:x', 'alias/ünïcode', 'alias/new\nline', 'alias/']) {
    it(`refuses ${JSON.stringify(name)} as ValidationFailed`, () => {
      assertKmsError(() => checkAliasName(name), 'ValidationFailed', /at 'aliasName' failed to satisfy constraint/);
    });
  }

  it('accepts 256 characters and refuses 257', () => {
    const at256 = `alias/${'a'.repeat(250)}`;
    assert.equal(at256.length, 256);
    assert.doesNotThrow(() => checkAliasName(at256));
    assertKmsError(() => checkAliasName(`${at256}b`), 'ValidationFailed', /aliasName/);
  });

  it('refuses a name without the alias/ prefix', () => {
    assertKmsError(() => checkAliasName('app'), 'ValidationFailed', /aliasName/);
    assertKmsError(() => checkAliasName('aliasapp'), 'ValidationFailed', /aliasName/);
    assertKmsError(() => checkAliasName('Alias/app'), 'ValidationFailed', /aliasName/);
  });
});
