// The browser's RFC 9162 port (web/src/lib/merkle.ts) against the server's src/crypto/merkle.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, rootOf as serverRootOf, verifyConsistency as serverVerifyConsistency } from '../../src/crypto/merkle.js';
import { rootOf, verifyConsistency, verifyInclusion } from '../src/lib/merkle';

const leaves = Array.from({ length: 70 }, (_, i) => createHash('sha256').update(`leaf ${i}`).digest());

describe('Merkle tree, browser port vs the server', () => {
  it('the root of every size 1..70 equals the server root', async () => {
    for (let n = 1; n <= 70; n++) expect(Buffer.from(await rootOf(leaves.slice(0, n))).toString('hex'), `size ${n}`).toBe(serverRootOf(leaves.slice(0, n)).toString('hex'));
  });

  it("every server consistency proof between sizes 1..70 verifies in the browser, as the server's verifier says; a changed proof or root does not", async () => {
    const roots = leaves.map((_, i) => serverRootOf(leaves.slice(0, i + 1)));
    for (let n = 1; n <= 70; n++) {
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProof(leaves, m, n);
        const [a, b] = [roots[m - 1] as Buffer, roots[n - 1] as Buffer];
        expect(await verifyConsistency(m, n, a, b, proof), `${m}..${n}`).toBe(true);
        expect(serverVerifyConsistency(m, n, a, b, proof)).toBe(true);
        // The negative checks on every fifth pair keep the test short; they do not depend on the sizes' shape.
        if (m < n && (m + n) % 5 === 0) {
          const bad = proof.map((p, i) => (i === proof.length - 1 ? createHash('sha256').update(p).digest() : p));
          expect(await verifyConsistency(m, n, a, b, bad), `tampered ${m}..${n}`).toBe(serverVerifyConsistency(m, n, a, b, bad));
          expect(await verifyConsistency(m, n, b, a, proof), `swapped roots ${m}..${n}`).toBe(false);
          expect(await verifyConsistency(m, n, a, b, proof.slice(1)), `short proof ${m}..${n}`).toBe(serverVerifyConsistency(m, n, a, b, proof.slice(1)));
        }
      }
    }
  }, 120_000);

  it('inclusion proofs of every leaf in trees of sizes 1..70 verify, and not at another index', async () => {
    for (let n = 1; n <= 70; n += 3) {
      const root = serverRootOf(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(leaves, i, n);
        expect(await verifyInclusion(leaves[i] as Buffer, i, n, proof, root)).toBe(true);
        if (n > 1) expect(await verifyInclusion(leaves[i] as Buffer, (i + 1) % n, n, proof, root)).toBe(false);
      }
    }
  });
});
