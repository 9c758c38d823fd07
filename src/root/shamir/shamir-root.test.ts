import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeFields } from '../../crypto/encoding.js';
import { randomSecret } from '../../crypto/random.js';
import type { SecretBytes } from '../../crypto/secret-bytes.js';
import { isKmsError } from '../../core/errors.js';
import type { SealRecord, SealStore } from '../../core/ports.js';
import { ShamirRootOfTrust } from './shamir-root.js';

class MemorySealStore implements SealStore {
  record: SealRecord | undefined;
  async getSealRecord() {
    return this.record;
  }
  async putSealRecord(r: SealRecord, replacing: Buffer | undefined) {
    if (replacing === undefined ? this.record !== undefined : !this.record?.shareSetId.equals(replacing)) return false;
    this.record = r;
    return true;
  }
}

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const binding = encodeFields(['test-domain-key', 1]);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isKmsError(e)) return e.code;
    throw e;
  }
}

/** An initialized store with a domain key wrapped under its root, and the shares (as raw buffers). */
async function setup(n: number, t: number) {
  const store = new MemorySealStore();
  const first = await ShamirRootOfTrust.open(store, clock);
  const shares = (await first.initialize(n, t)).map((s) => Buffer.from(s.expose()));
  const domainKey = randomSecret(32);
  const wrapped = await first.wrap(domainKey, binding);
  first.seal();
  return { store, shares, domainKey, wrapped };
}

const params = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.integer({ min: 1, max: n }).chain((t) => fc.shuffledSubarray([...Array(n).keys()], { minLength: t, maxLength: t }).map((pick) => ({ n, t, pick }))));

describe('ShamirRootOfTrust', () => {
  test('any t of n shares unseal it, and the unsealed root unwraps what the first root wrapped (property)', async () => {
    await fc.assert(
      fc.asyncProperty(params, async ({ n, t, pick }) => {
        const { store, shares, domainKey, wrapped } = await setup(n, t);
        const root = await ShamirRootOfTrust.open(store, clock);
        assert.equal(root.isSealed(), true);
        for (const [i, at] of pick.entries()) {
          const s = await root.submitShare(shares[at] as Buffer);
          assert.equal(s.sealed, i + 1 < t);
          assert.equal(s.progress, i + 1 < t ? i + 1 : 0);
        }
        assert.deepEqual((await root.unwrap(wrapped, binding)).expose(), domainKey.expose());
      }),
      { numRuns: 25 },
    );
  });

  test('t−1 shares plus a forged share fail closed and reset progress (property)', async () => {
    await fc.assert(
      fc.asyncProperty(params.filter((p) => p.t >= 2), fc.integer({ min: 0, max: 31 }), async ({ n, t, pick }, at) => {
        const { store, shares } = await setup(n, t);
        const root = await ShamirRootOfTrust.open(store, clock);
        for (const i of pick.slice(0, -1)) await root.submitShare(shares[i] as Buffer);
        const forged = Buffer.from(shares[pick[pick.length - 1] as number] as Buffer);
        forged[10 + at] = (forged[10 + at] ?? 0) ^ 0x5a;
        assert.equal(await codeOf(root.submitShare(forged)), 'UnsealFailed');
        assert.equal(root.isSealed(), true);
        assert.equal(root.status().progress, 0);
        assert.equal(await codeOf(root.wrap(randomSecret(32), binding)), 'Sealed');
      }),
      { numRuns: 25 },
    );
  });

  test('duplicate, zero-index, malformed and other-set shares are refused and reset progress', async () => {
    const { store, shares } = await setup(5, 3);
    const other = await setup(5, 3);
    const root = await ShamirRootOfTrust.open(store, clock);
    const zero = Buffer.from(shares[1] as Buffer);
    zero[9] = 0;
    for (const bad of [shares[0] as Buffer, zero, Buffer.from('not a share at all'), other.shares[1] as Buffer]) {
      await root.submitShare(shares[0] as Buffer);
      assert.equal(root.status().progress, 1);
      assert.equal(await codeOf(root.submitShare(bad)), 'UnsealFailed');
      assert.equal(root.status().progress, 0);
    }
    assert.equal(root.heldSecrets, 0);
  });

  test('rekey: new shares unseal, old shares are refused, and the root (hence every wrapped domain key) is unchanged', async () => {
    const { store, shares, domainKey, wrapped } = await setup(5, 3);
    const root = await ShamirRootOfTrust.open(store, clock);
    assert.equal(await codeOf(root.rekey([shares[0] as Buffer, shares[1] as Buffer], 3, 2)), 'UnsealFailed');
    const fresh = (await root.rekey([shares[4] as Buffer, shares[2] as Buffer, shares[0] as Buffer], 3, 2)).map((s: SecretBytes) => Buffer.from(s.expose()));
    assert.equal(fresh.length, 3);
    const restarted = await ShamirRootOfTrust.open(store, clock);
    assert.deepEqual([restarted.status().threshold, restarted.status().shares], [2, 3]);
    assert.equal(await codeOf(restarted.submitShare(shares[0] as Buffer)), 'UnsealFailed');
    await restarted.submitShare(fresh[2] as Buffer);
    await restarted.submitShare(fresh[0] as Buffer);
    assert.deepEqual((await restarted.unwrap(wrapped, binding)).expose(), domainKey.expose());
  });

  test('after a rekey, any quorum of old shares fails and any quorum of new shares unseals (property)', async () => {
    await fc.assert(
      fc.asyncProperty(params, params, async (before, after) => {
        const { store, shares, domainKey, wrapped } = await setup(before.n, before.t);
        const root = await ShamirRootOfTrust.open(store, clock);
        const fresh = (await root.rekey(before.pick.map((i) => shares[i] as Buffer), after.n, after.t)).map((s) => Buffer.from(s.expose()));
        const restarted = await ShamirRootOfTrust.open(store, clock);
        for (const i of before.pick.slice(0, -1)) await codeOf(restarted.submitShare(shares[i] as Buffer));
        assert.equal(await codeOf(restarted.submitShare(shares[before.pick[before.pick.length - 1] as number] as Buffer)), 'UnsealFailed');
        assert.equal(restarted.isSealed(), true);
        for (const i of after.pick) await restarted.submitShare(fresh[i] as Buffer);
        assert.deepEqual((await restarted.unwrap(wrapped, binding)).expose(), domainKey.expose());
      }),
      { numRuns: 20 },
    );
  });

  test('seal zeroes the root key and pending shares; initialize twice is refused', async () => {
    const store = new MemorySealStore();
    const root = await ShamirRootOfTrust.open(store, clock);
    assert.equal(root.status().initialized, false);
    assert.equal(await codeOf(root.submitShare(Buffer.alloc(43, 1))), 'InvalidSealState');
    const shares = await root.initialize(3, 2);
    assert.equal(root.isSealed(), false);
    assert.equal(await codeOf(root.initialize(3, 2)), 'InvalidSealState');
    root.seal();
    assert.equal(root.isSealed(), true);
    await root.submitShare(shares[0]?.expose() as Buffer);
    assert.equal(root.heldSecrets, 1);
    root.seal();
    assert.equal(root.heldSecrets, 0);
    assert.equal(store.record?.wrappedRoot.length, 1 + 12 + 32 + 16, 'the store holds only the wrapped root');
  });
});
