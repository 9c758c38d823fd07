import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantMayDelegate, type GrantRecord } from './grant.js';

const now = new Date('2026-01-05T10:00:00Z');
const parent = (over: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: 'g',
  keyId: 'k',
  name: undefined,
  granteePrincipal: 'arn:aws:iam::111122223333:user/a',
  retiringPrincipal: undefined,
  issuingPrincipal: 'arn:aws:iam::111122223333:user/admin',
  operations: ['Decrypt', 'CreateGrant'],
  constraints: undefined,
  createdAt: now,
  expiresAt: undefined,
  ...over,
});

describe('grant delegation (a grantee creating grants from its own grant)', () => {
  const rows: [string, GrantRecord, Pick<GrantRecord, 'operations' | 'constraints'>, boolean][] = [
    ['passes on a subset of operations', parent(), { operations: ['Decrypt'], constraints: undefined }, true],
    ['refuses operations the parent lacks', parent(), { operations: ['Encrypt'], constraints: undefined }, false],
    ['refuses when the parent lacks CreateGrant', parent({ operations: ['Decrypt'] }), { operations: ['Decrypt'], constraints: undefined }, false],
    ['an unconstrained parent may add a constraint', parent(), { operations: ['Decrypt'], constraints: { encryptionContextSubset: { a: '1' } } }, true],
    ['a constrained parent passes on its constraint', parent({ constraints: { encryptionContextSubset: { a: '1' } } }), { operations: ['Decrypt'], constraints: { encryptionContextSubset: { a: '1' } } }, true],
    ['a constrained parent cannot drop its constraint', parent({ constraints: { encryptionContextSubset: { a: '1' } } }), { operations: ['Decrypt'], constraints: undefined }, false],
    ['a constrained parent cannot change its constraint', parent({ constraints: { encryptionContextSubset: { a: '1' } } }), { operations: ['Decrypt'], constraints: { encryptionContextSubset: { a: '2' } } }, false],
    ['an expired parent delegates nothing', parent({ expiresAt: new Date(now.getTime() - 1) }), { operations: ['Decrypt'], constraints: undefined }, false],
  ];
  for (const [name, p, child, expected] of rows) it(name, () => assert.equal(grantMayDelegate(p, child, now), expected));
});
