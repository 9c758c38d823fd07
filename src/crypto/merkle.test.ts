import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { consistencyProof, EMPTY_ROOT, inclusionProof, leafHash, MerkleFrontier, rootOf, verifyConsistency, verifyInclusion } from './merkle.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Buffer => Buffer.from(s, 'hex');

// The RFC 6962 reference leaves and roots (certificate-transparency / transparency-dev test data).
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => leafHash(unhex(h)));
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  { index: 0, size: 8, proof: ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7', '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { index: 5, size: 8, proof: ['bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
];
const CT_CONSISTENCY = [
  { first: 2, second: 8, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'] },
  { first: 6, second: 8, proof: ['0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a', 'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0', 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'] },
  { first: 2, second: 5, proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'] },
];

function flip(b: Buffer | undefined, at: number, mask: number): void {
  if (b === undefined) throw new Error('no such proof element');
  b[at] = (b[at] ?? 0) ^ mask;
}

const synthetic = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => leafHash(createHash('sha256').update(`leaf ${i}`).digest()));

describe('RFC 9162 Merkle trees', () => {
  it('matches the RFC 6962 reference roots for sizes 0..8, also through the frontier', () => {
    const f = new MerkleFrontier();
    assert.equal(hex(f.root()), CT_ROOTS[0]);
    for (let n = 0; n <= 8; n++) {
      assert.equal(hex(rootOf(CT_LEAVES.slice(0, n))), CT_ROOTS[n], `size ${n}`);
      if (n > 0) {
        f.append(CT_LEAVES[n - 1] as Buffer);
        assert.equal(hex(f.root()), CT_ROOTS[n], `frontier size ${n}`);
      }
    }
    assert.equal(hex(EMPTY_ROOT), CT_ROOTS[0]);
  });

  it('produces and verifies the reference inclusion proofs', () => {
    for (const v of CT_INCLUSION) {
      assert.deepEqual(inclusionProof(CT_LEAVES, v.index, v.size).map(hex), v.proof);
      assert.ok(verifyInclusion(CT_LEAVES[v.index] as Buffer, v.index, v.size, v.proof.map(unhex), unhex(CT_ROOTS[v.size] as string)));
    }
  });

  it('produces and verifies the reference consistency proofs', () => {
    for (const v of CT_CONSISTENCY) {
      assert.deepEqual(consistencyProof(CT_LEAVES, v.first, v.second).map(hex), v.proof);
      assert.ok(verifyConsistency(v.first, v.second, unhex(CT_ROOTS[v.first] as string), unhex(CT_ROOTS[v.second] as string), v.proof.map(unhex)));
    }
  });

  it('every inclusion and consistency proof verifies for random tree sizes', () => {
    const leaves = synthetic(300);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, i, m) => {
        const index = i % size;
        const first = m % (size + 1);
        const root = rootOf(leaves.slice(0, size));
        assert.ok(verifyInclusion(leaves[index] as Buffer, index, size, inclusionProof(leaves, index, size), root));
        const proof = consistencyProof(leaves, first, size);
        assert.ok(verifyConsistency(first, size, rootOf(leaves.slice(0, first)), root, proof));
        const f = new MerkleFrontier();
        for (const l of leaves.slice(0, size)) f.append(l);
        assert.ok(f.root().equals(root));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects malformed inclusion proofs: flipped, truncated, extended, reordered, wrong index or size, short hashes', () => {
    const leaves = synthetic(40);
    for (let n = 2; n <= 40; n++) {
      const root = rootOf(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const leaf = leaves[i] as Buffer;
        const proof = inclusionProof(leaves, i, n);
        const flipped = proof.map((p) => Buffer.from(p));
        flip(flipped.at(-1), 7, 1);
        assert.equal(verifyInclusion(leaf, i, n, flipped, root), false);
        assert.equal(verifyInclusion(leaf, i, n, proof.slice(0, -1), root), false);
        assert.equal(verifyInclusion(leaf, i, n, [...proof, Buffer.alloc(32, 0xab)], root), false);
        if (proof.length >= 2) assert.equal(verifyInclusion(leaf, i, n, [proof[1] as Buffer, proof[0] as Buffer, ...proof.slice(2)], root), false);
        assert.equal(verifyInclusion(leaf, (i + 1) % n, n, proof, root), false);
        assert.equal(verifyInclusion(leaf, n, n, proof, root), false);
        assert.equal(verifyInclusion(leaf.subarray(0, 31), i, n, proof, root), false);
      }
    }
    assert.equal(verifyInclusion(leaves[0] as Buffer, -1, 8, [], EMPTY_ROOT), false);
    assert.throws(() => inclusionProof(leaves, 8, 8), RangeError);
    assert.throws(() => rootOf([Buffer.alloc(31)]), TypeError);
  });

  it('rejects malformed consistency proofs and the degenerate cases', () => {
    const leaves = synthetic(40);
    const roots = Array.from({ length: 41 }, (_, n) => rootOf(leaves.slice(0, n)));
    for (let second = 2; second <= 40; second++) {
      for (let first = 1; first < second; first++) {
        const [r1, r2] = [roots[first] as Buffer, roots[second] as Buffer];
        const proof = consistencyProof(leaves, first, second);
        const flipped = proof.map((p) => Buffer.from(p));
        flip(flipped[0], 3, 0x80);
        assert.equal(verifyConsistency(first, second, r1, r2, flipped), false);
        assert.equal(verifyConsistency(first, second, r1, r2, proof.slice(0, -1)), false);
        assert.equal(verifyConsistency(first, second, r1, r2, [...proof, Buffer.alloc(32, 0xcd)]), false);
        assert.equal(verifyConsistency(second, first, r2, r1, proof), false);
        assert.equal(verifyConsistency(first, second, r2, r1, proof), false);
      }
    }
    assert.equal(verifyConsistency(4, 4, roots[4] as Buffer, roots[4] as Buffer, []), true);
    assert.equal(verifyConsistency(4, 4, roots[4] as Buffer, roots[5] as Buffer, []), false);
    assert.equal(verifyConsistency(0, 8, EMPTY_ROOT, roots[8] as Buffer, []), true);
    assert.equal(verifyConsistency(0, 8, roots[1] as Buffer, roots[8] as Buffer, []), false);
    assert.equal(verifyConsistency(6, 8, roots[6] as Buffer, roots[8] as Buffer, []), false);
  });
});
