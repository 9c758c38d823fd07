import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childExpiry, delegatingParent, grantMayDelegate, liveGrants, type GrantRecord } from './grant.js';

const now = new Date('2026-01-05T10:00:00Z');
const parent = (over: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: 'g',
  keyId: 'k',
  name: undefined,
  granteePrincipal: 'arn:aws:iam::111122223333:user/a',
  granteePrincipalId: 'AIDAA',
  retiringPrincipal: undefined,
  retiringPrincipalId: undefined,
  issuingPrincipal: 'arn:aws:iam::111122223333:user/admin',
  operations: ['Decrypt', 'CreateGrant'],
  constraints: undefined,
  createdAt: now,
  expiresAt: undefined,
  parentGrantId: undefined,
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
    ['a parent with a SourceArn passes it on unchanged', parent({ constraints: { sourceArn: 'arn:aws:s3:::a' } }), { operations: ['Decrypt'], constraints: { sourceArn: 'arn:aws:s3:::a' } }, true],
    ['a parent with a SourceArn cannot drop it', parent({ constraints: { sourceArn: 'arn:aws:s3:::a' } }), { operations: ['Decrypt'], constraints: undefined }, false],
    ['a parent with a SourceArn cannot change it', parent({ constraints: { sourceArn: 'arn:aws:s3:::a' } }), { operations: ['Decrypt'], constraints: { sourceArn: 'arn:aws:s3:::b' } }, false],
    ['an expired parent delegates nothing', parent({ expiresAt: new Date(now.getTime() - 1) }), { operations: ['Decrypt'], constraints: undefined }, false],
  ];
  for (const [name, p, child, expected] of rows) it(name, () => assert.equal(grantMayDelegate(p, child, now), expected));
});

describe('grant chains (a grant never outlives the grant it was created under)', () => {
  const at = (ms: number) => new Date(now.getTime() + ms);

  it('a child requested without an expiry under an expiring parent inherits the parent\'s expiry', () => {
    assert.equal(childExpiry(parent({ expiresAt: at(60_000) }), undefined)?.getTime(), at(60_000).getTime());
  });

  it('a child requested to expire after its parent expires with the parent; an earlier expiry is kept', () => {
    assert.equal(childExpiry(parent({ expiresAt: at(60_000) }), at(120_000))?.getTime(), at(60_000).getTime());
    assert.equal(childExpiry(parent({ expiresAt: at(60_000) }), at(30_000))?.getTime(), at(30_000).getTime());
    assert.equal(childExpiry(parent(), undefined), undefined);
    assert.equal(childExpiry(undefined, at(5))?.getTime(), at(5).getTime());
  });

  it('drops a grant whose parent or any ancestor is gone (retired or revoked)', () => {
    const child = parent({ grantId: 'c', parentGrantId: 'g' });
    const grandchild = parent({ grantId: 'gc', parentGrantId: 'c' });
    assert.deepEqual(liveGrants([parent(), child, grandchild]).map((g) => g.grantId), ['g', 'c', 'gc']);
    assert.deepEqual(liveGrants([child, grandchild]).map((g) => g.grantId), []);
    assert.deepEqual(liveGrants([parent(), grandchild]).map((g) => g.grantId), ['g']);
  });

  it('gives each grant the earliest expiry along its chain', () => {
    const live = liveGrants([parent({ expiresAt: at(60_000) }), parent({ grantId: 'c', parentGrantId: 'g' }), parent({ grantId: 'gc', parentGrantId: 'c', expiresAt: at(90_000) })]);
    assert.deepEqual(live.map((g) => g.expiresAt?.getTime()), [at(60_000).getTime(), at(60_000).getTime(), at(60_000).getTime()]);
  });

  it('drops grants in a parent cycle (corrupt data fails closed)', () => {
    assert.deepEqual(liveGrants([parent({ grantId: 'a', parentGrantId: 'b' }), parent({ grantId: 'b', parentGrantId: 'a' })]), []);
  });

  it('delegates from the caller\'s grant that lasts longest', () => {
    const short = parent({ grantId: 's', expiresAt: at(60_000) });
    const forever = parent({ grantId: 'f' });
    const long = parent({ grantId: 'l', expiresAt: at(600_000) });
    const child = { operations: ['Decrypt' as const], constraints: undefined };
    assert.equal(delegatingParent([short, long], child, now)?.grantId, 'l');
    assert.equal(delegatingParent([short, forever, long], child, now)?.grantId, 'f');
    assert.equal(delegatingParent([parent({ operations: ['Decrypt'] })], child, now), undefined);
  });
});
