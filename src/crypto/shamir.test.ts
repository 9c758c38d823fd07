import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { randomSecret } from './random.js';
import { SecretBytes } from './secret-bytes.js';
import { checkShares, combineShares, gfInv, gfMul, newShareSetId, ShareError, splitSecret } from './shamir.js';

function problemOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ShareError) return e.problem;
    throw e;
  }
  return 'none';
}

/** Parameters (n, t) and a subset of t distinct share positions. */
const quorum = fc
  .integer({ min: 1, max: 16 })
  .chain((n) => fc.integer({ min: 1, max: n }).chain((t) => fc.shuffledSubarray([...Array(n).keys()], { minLength: t, maxLength: t }).map((pick) => ({ n, t, pick }))));

describe('GF(2^8)', () => {
  test('every non-zero element times its inverse is 1', () => {
    for (let a = 1; a < 256; a++) assert.equal(gfMul(a, gfInv(a)), 1, `a = ${a}`);
  });
  test('multiplication matches the AES field (FIPS-197 example {57}·{83} = {c1})', () => {
    assert.equal(gfMul(0x57, 0x83), 0xc1);
    assert.equal(gfMul(0x57, 0x13), 0xfe);
  });
});

describe('splitSecret / combineShares', () => {
  test('any t of n shares reconstruct the secret (property)', () => {
    fc.assert(
      fc.property(quorum, fc.uint8Array({ minLength: 1, maxLength: 48 }), ({ n, t, pick }, bytes) => {
        const shares = splitSecret(SecretBytes.copyOf(bytes), n, t);
        const got = combineShares(pick.map((i) => (shares[i] as SecretBytes).expose()));
        assert.deepEqual(got.expose(), Buffer.from(bytes));
      }),
      { numRuns: 200 },
    );
  });

  test('t−1 shares do not reconstruct a 32-byte secret (property)', () => {
    fc.assert(
      fc.property(quorum.filter(({ t }) => t >= 2), ({ n, t, pick }) => {
        const secret = randomSecret(32);
        const shares = splitSecret(secret, n, t);
        const got = combineShares(pick.slice(1).map((i) => (shares[i] as SecretBytes).expose()));
        assert.notDeepEqual(got.expose(), secret.expose());
      }),
      { numRuns: 200 },
    );
  });

  test('duplicate, zero-index, malformed and mixed-set shares are refused (property)', () => {
    fc.assert(
      fc.property(quorum.filter(({ t }) => t >= 2), ({ n, t, pick }) => {
        const secret = randomSecret(32);
        const shares = splitSecret(secret, n, t).map((s) => s.expose());
        const chosen = pick.map((i) => shares[i] as Buffer);
        assert.equal(problemOf(() => combineShares([...chosen.slice(1), chosen[1] as Buffer])), 'duplicate');
        const zero = Buffer.from(chosen[0] as Buffer);
        zero[9] = 0;
        assert.equal(problemOf(() => combineShares([zero, ...chosen.slice(1)])), 'zero-index');
        const other = splitSecret(secret, n, t).map((s) => s.expose());
        assert.equal(problemOf(() => combineShares([other[pick[0] as number] as Buffer, ...chosen.slice(1)])), 'mixed-set');
        const badVersion = Buffer.from(chosen[0] as Buffer);
        badVersion[0] = 2;
        assert.equal(problemOf(() => combineShares([badVersion, ...chosen.slice(1)])), 'malformed');
        assert.equal(problemOf(() => combineShares([(chosen[0] as Buffer).subarray(0, 30), ...chosen.slice(1)])), 'length-mismatch');
      }),
      { numRuns: 100 },
    );
  });

  test('a tampered y byte changes the result, so only the AEAD check can catch it (property)', () => {
    fc.assert(
      fc.property(quorum, fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1, max: 255 }), ({ n, t, pick }, at, delta) => {
        const secret = randomSecret(32);
        const shares = splitSecret(secret, n, t).map((s) => Buffer.from(s.expose()));
        const chosen = pick.map((i) => shares[i] as Buffer);
        const first = chosen[0] as Buffer;
        first[10 + at] = (first[10 + at] ?? 0) ^ delta;
        assert.equal(problemOf(() => checkShares(chosen)), 'none');
        assert.notDeepEqual(combineShares(chosen).expose(), secret.expose());
      }),
      { numRuns: 100 },
    );
  });

  test('parameters outside 1 ≤ t ≤ n ≤ 16 are refused', () => {
    const s = randomSecret(32);
    for (const [n, t] of [[0, 0], [3, 0], [3, 4], [17, 3], [2.5, 1]] as const) assert.throws(() => splitSecret(s, n, t), RangeError);
    assert.throws(() => splitSecret(s, 3, 2, Buffer.alloc(4)), RangeError);
  });

  test('shares carry the share-set id they were made with', () => {
    const id = newShareSetId();
    const shares = splitSecret(randomSecret(32), 3, 2, id);
    for (const s of shares) assert.deepEqual(s.expose().subarray(1, 9), id);
  });
});
