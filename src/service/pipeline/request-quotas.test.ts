import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quotaClass, RequestQuotas, type QuotaConfig } from './request-quotas.js';

const key = (n: number, keySpec: 'SYMMETRIC_DEFAULT' | 'RSA_2048' | 'HMAC_256' = 'SYMMETRIC_DEFAULT') => ({ arn: `arn:aws:kms:us-east-1:111122223333:key/k${n}`, id: `k${n}`, keySpec });
const ALICE = 'arn:aws:iam::111122223333:user/alice';
const BOB = 'arn:aws:iam::111122223333:user/bob';

function quotas(config: QuotaConfig) {
  let now = 0;
  const q = new RequestQuotas(config, { now: () => new Date(now) });
  const admitted = (principalArn: string, operation: string, keys: ReturnType<typeof key>[] = [key(1)]): boolean => {
    try {
      q.admit({ principalArn, operation, keys });
      return true;
    } catch (e) {
      assert.equal((e as { code?: string }).code, 'Throttled');
      assert.equal((e as Error).message, 'Rate exceeded');
      return false;
    }
  };
  const count = (n: number, f: () => boolean) => Array.from({ length: n }, f).filter(Boolean).length;
  return { q, admitted, count, advance: (ms: number) => void (now += ms) };
}

describe('request quotas', () => {
  it('classes follow AWS: symmetric and HMAC crypto, asymmetric by key spec or pair, GenerateRandom, management', () => {
    assert.equal(quotaClass('Encrypt', ['SYMMETRIC_DEFAULT']), 'symmetric');
    assert.equal(quotaClass('GenerateMac', ['HMAC_256']), 'symmetric');
    assert.equal(quotaClass('Decrypt', ['RSA_2048']), 'asymmetric');
    assert.equal(quotaClass('Sign', ['ECC_NIST_P256']), 'asymmetric');
    assert.equal(quotaClass('GenerateDataKeyPair', ['SYMMETRIC_DEFAULT']), 'asymmetric');
    assert.equal(quotaClass('GenerateRandom', []), 'generateRandom');
    assert.equal(quotaClass('CreateKey', []), 'management');
    assert.equal(quotaClass('DescribeKey', ['SYMMETRIC_DEFAULT']), 'management');
  });

  it('a principal over its rate is throttled while another principal is not; tokens come back with time', () => {
    const { admitted, count, advance } = quotas({ perPrincipal: { symmetric: 10 } });
    assert.equal(count(15, () => admitted(ALICE, 'Encrypt')), 10, 'one second of burst');
    assert.equal(count(5, () => admitted(BOB, 'Encrypt')), 5, 'bob has his own bucket');
    assert.equal(admitted(ALICE, 'CreateKey'), true, 'another class is not limited');
    advance(500);
    assert.equal(count(10, () => admitted(ALICE, 'Encrypt')), 5, 'half a second refills half the rate');
  });

  it('a key quota counts every caller of the key; a refused request takes no token from any bucket', () => {
    const { admitted, count } = quotas({ perPrincipal: { symmetric: 100 }, perKey: { symmetric: 4 } });
    assert.equal(count(3, () => admitted(ALICE, 'Encrypt', [key(1)])), 3);
    assert.equal(count(3, () => admitted(BOB, 'Encrypt', [key(1)])), 1);
    assert.equal(count(4, () => admitted(ALICE, 'Encrypt', [key(2)])), 4, 'another key has its own bucket');
    // ReEncrypt on key 1 (empty) and key 3: refused, and key 3 keeps its tokens.
    assert.equal(admitted(ALICE, 'ReEncrypt', [key(1), key(3)]), false);
    assert.equal(count(4, () => admitted(ALICE, 'Encrypt', [key(3)])), 4);
  });

  it('named principals and keys override the defaults class by class; asymmetric keys use the asymmetric rate', () => {
    const { admitted, count } = quotas({ perPrincipal: { symmetric: 2, asymmetric: 1 }, principals: { [BOB]: { symmetric: 50 } }, keys: { k9: { symmetric: 3 } } });
    assert.equal(count(10, () => admitted(BOB, 'Encrypt', [key(1)])), 10);
    assert.equal(count(5, () => admitted(BOB, 'Sign', [key(2, 'RSA_2048')])), 1, 'bob keeps the default asymmetric rate');
    assert.equal(count(10, () => admitted(BOB, 'Encrypt', [key(9)])), 3, 'key k9 by id');
  });

  it('a cluster node enforces its share; hot reload changes the rates', () => {
    const { q, admitted, count, advance } = quotas({ perPrincipal: { management: 10 } });
    q.setShare(2);
    assert.equal(count(10, () => admitted(ALICE, 'CreateKey')), 5);
    q.update({});
    assert.equal(count(10, () => admitted(ALICE, 'CreateKey')), 10, 'no quota after the reload');
    q.update({ perPrincipal: { management: 2 } });
    q.setShare(1);
    advance(5000);
    assert.equal(count(10, () => admitted(ALICE, 'CreateKey')), 2);
    assert.equal(q.throttledTotal, 5 + 8);
  });
});
