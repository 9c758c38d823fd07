import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactUrl, withoutPassword } from './storage-migrate.js';

describe('storage migrate: the target URL never shows its password', () => {
  it('redactUrl replaces the user-info password and password parameters with ****', () => {
    assert.equal(redactUrl('postgres://arca:s3cr%40t@db.example:5432/arca'), 'postgres://arca:****@db.example:5432/arca');
    assert.equal(redactUrl('postgres://arca@db.example/arca?password=s3cret&sslmode=require'), 'postgres://arca@db.example/arca?password=****&sslmode=require');
    assert.equal(redactUrl('postgres://db.example/arca'), 'postgres://db.example/arca');
    assert.ok(!redactUrl('not a url s3cret').includes('s3cret'));
  });

  it('withoutPassword removes the password, raw or percent-encoded, from driver messages', () => {
    const url = 'postgres://arca:s3cr%40t@db.example/arca?sslpassword=k3y';
    assert.equal(withoutPassword(`could not connect with s3cr@t / s3cr%40t / k3y`, url), 'could not connect with **** / **** / ****');
    assert.equal(withoutPassword(`bad URL ${url}`, url), 'bad URL postgres://arca:****@db.example/arca?sslpassword=****');
  });
});
