import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServicePrincipalName, servicePrincipalOf } from './service-principal.js';

describe('service principals (ADR 0021)', () => {
  it('a service principal name is a lower-case DNS name with a dot', () => {
    for (const name of ['logs.amazonaws.com', 'backup.arca.internal', 'a.b', 'x-1.y-2.z']) assert.equal(isServicePrincipalName(name), true, name);
    for (const name of ['logs', 'Logs.amazonaws.com', 'logs..com', '.logs.com', 'logs.com.', '-a.b', 'a-.b', 'a_b.c', 'arn:aws:iam::111122223333:user/x', `${'a'.repeat(61)}.com`]) {
      assert.equal(isServicePrincipalName(name), false, name);
    }
  });

  it('only a service-type principal of that name form is a service principal', () => {
    assert.equal(servicePrincipalOf({ type: 'service', name: 'logs.amazonaws.com' }), 'logs.amazonaws.com');
    assert.equal(servicePrincipalOf({ type: 'service', name: 'ci-runner' }), undefined);
    assert.equal(servicePrincipalOf({ type: 'user', name: 'logs.amazonaws.com' }), undefined);
    assert.equal(servicePrincipalOf({ type: 'role', name: 'logs.amazonaws.com' }), undefined);
  });
});
