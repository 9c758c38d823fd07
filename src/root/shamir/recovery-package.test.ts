import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { custodianPrivateKey, custodianPublicKey, type CustodianPrivateKey } from '../../crypto/custodian-key.js';
import type { SealRecord, SealStore } from '../../core/ports.js';
import { makeRecoveryPackage, openRecoveryPackage, parseRecoveryPackage, RecoveryRefused, reissueShares, serializeRecoveryPackage, type RecoveryPackage } from './recovery-package.js';
import { ShamirRootOfTrust } from './shamir-root.js';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

function memoryStore(): SealStore & { record: SealRecord | undefined } {
  const s = {
    record: undefined as SealRecord | undefined,
    getSealRecord: async () => s.record,
    putSealRecord: async (r: SealRecord) => {
      s.record = r;
      return true;
    },
  };
  return s;
}

function rsa(bits: number): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return { publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A Shamir root (3 of 5) and its shares; three custodians (RSA-3072) and a 2-of-3 package. */
async function setup() {
  const store = memoryStore();
  const root = await ShamirRootOfTrust.open(store, clock);
  const shares = (await root.initialize(5, 3)).map((s) => Buffer.from(s.expose()));
  const record = store.record as SealRecord;
  const keys = [rsa(3072), rsa(3072), rsa(3072)];
  const pkg = makeRecoveryPackage({ record, currentShares: shares.slice(1, 4), custodians: keys.map((k) => custodianPublicKey(k.publicPem)), quorum: 2, now: clock.now() });
  const priv = keys.map((k) => custodianPrivateKey(k.privatePem));
  return { record, shares, keys, pkg, priv };
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof RecoveryRefused) return e.message;
    throw e;
  }
  return 'not refused';
}

const fixture = setup();

describe('root-of-trust recovery package (Shamir)', () => {
  test('names the share set, M and N, and each custodian by key fingerprint; holds no share and no key in clear', async () => {
    const { pkg, shares, record } = await fixture;
    const text = serializeRecoveryPackage(pkg);
    assert.equal(pkg.root.fingerprint, `share-set:${record.shareSetId.toString('hex')}`);
    assert.deepEqual([pkg.quorum, pkg.custodians.length, pkg.root.sealRecord.threshold], [2, 3, 3]);
    assert.ok(pkg.custodians.every((c) => /^[0-9a-f]{64}$/.test(c.keyFingerprint) && c.bits === 3072));
    for (const s of shares) assert.ok(!text.includes(s.toString('base64')) && !text.includes(s.subarray(10).toString('hex')), 'no current share in the package');
    assert.deepEqual(parseRecoveryPackage(text), pkg);
  });

  test('any 2 of the 3 custodians rebuild the unseal key; re-issued shares of the same set unseal the root', async () => {
    const { pkg, priv, record } = await fixture;
    for (const pair of [[0, 1], [1, 2], [2, 0]] as const) {
      const { unsealKey } = openRecoveryPackage(pkg, [priv[pair[0]]!, priv[pair[1]]!]);
      const fresh = await ShamirRootOfTrust.open({ getSealRecord: async () => record, putSealRecord: async () => false }, clock);
      assert.equal(fresh.unsealWithKey(unsealKey).sealed, false);
      const reissued = reissueShares(unsealKey, record).map((s) => Buffer.from(s.expose()));
      unsealKey.dispose();
      assert.equal(reissued.length, 5);
      const restored = await ShamirRootOfTrust.open({ getSealRecord: async () => record, putSealRecord: async () => false }, clock);
      for (const s of reissued.slice(2, 5)) await restored.submitShare(s);
      assert.equal(restored.isSealed(), false, 'three re-issued shares unseal the same seal record');
    }
  });

  test('an old share and re-issued ones of the same set never combine: the quorum is refused', async () => {
    const { pkg, priv, record, shares } = await fixture;
    const { unsealKey } = openRecoveryPackage(pkg, priv.slice(0, 2));
    const reissued = reissueShares(unsealKey, record).map((s) => Buffer.from(s.expose()));
    unsealKey.dispose();
    const root = await ShamirRootOfTrust.open({ getSealRecord: async () => record, putSealRecord: async () => false }, clock);
    await root.submitShare(shares[0]!);
    await root.submitShare(reissued[1]!);
    await assert.rejects(root.submitShare(reissued[2]!), /do not unlock the root key/);
  });

  test('fewer than M custodian keys, a stranger\'s key, or one key twice is refused', async () => {
    const { pkg, priv } = await fixture;
    assert.match(refusal(() => openRecoveryPackage(pkg, priv.slice(0, 1))), /needs 2 of its 3 custodians' private keys.*1 given/);
    const stranger = custodianPrivateKey(rsa(3072).privatePem);
    assert.match(refusal(() => openRecoveryPackage(pkg, [priv[0]!, stranger])), /is not one of this package's 3 custodians/);
    assert.match(refusal(() => openRecoveryPackage(pkg, [priv[0]!, priv[0]!])), /given twice/);
  });

  test('a tampered package is refused: any covered field, an altered share, swapped shares', async () => {
    const { pkg, priv } = await fixture;
    const two: CustodianPrivateKey[] = priv.slice(0, 2);
    const altered = (f: (p: RecoveryPackage) => RecoveryPackage) => refusal(() => openRecoveryPackage(parseRecoveryPackage(serializeRecoveryPackage(f(structuredClone(pkg)))), two));
    assert.match(altered((p) => ({ ...p, createdAt: '2020-01-01T00:00:00.000Z' })), /integrity check/);
    assert.match(altered((p) => ({ ...p, root: { ...p.root, sealRecord: { ...p.root.sealRecord, initializedAt: 1 } } })), /integrity check/);
    assert.match(altered((p) => ({ ...p, custodians: p.custodians.map((c, i) => (i === 2 ? { ...c, bits: 4096 } : c)) })), /integrity check/);
    const flip = (b64: string) => {
      const b = Buffer.from(b64, 'base64');
      b[b.length - 1]! ^= 1;
      return b.toString('base64');
    };
    assert.match(altered((p) => ({ ...p, custodians: p.custodians.map((c, i) => (i === 0 ? { ...c, encryptedShare: flip(c.encryptedShare) } : c)) })), /does not decrypt/);
    assert.match(altered((p) => ({ ...p, mac: flip(p.mac) })), /integrity check/);
    const swapped = (p: RecoveryPackage) => ({ ...p, custodians: p.custodians.map((c, i) => ({ ...c, keyFingerprint: p.custodians[i === 0 ? 1 : i === 1 ? 0 : i]!.keyFingerprint })) });
    assert.match(altered(swapped), /does not decrypt|not the one made for them|integrity check/);
    assert.match(refusal(() => parseRecoveryPackage(serializeRecoveryPackage(pkg).slice(0, 200))), /not JSON/);
    assert.match(refusal(() => parseRecoveryPackage(JSON.stringify({ ...pkg, quorum: 9 }))), /malformed/);
  });

  test('export refuses wrong or too few current shares, bad quorums, small or duplicate custodian keys', async () => {
    const { record, shares, keys } = await fixture;
    const pubs = keys.map((k) => custodianPublicKey(k.publicPem));
    const make = (currentShares: Buffer[], quorum: number, custodians = pubs) => refusal(() => makeRecoveryPackage({ record, currentShares, custodians, quorum, now: clock.now() }));
    assert.match(make(shares.slice(0, 2), 2), /give 3 of the 5 current shares/);
    const wrong = Buffer.from(shares[0]!);
    wrong[20]! ^= 1;
    assert.match(make([wrong, shares[1]!, shares[2]!], 2), /do not unlock the root key/);
    const other = await (await ShamirRootOfTrust.open(memoryStore(), clock)).initialize(3, 2);
    assert.match(make(other.map((s) => Buffer.from(s.expose())), 2), /not of the current share set/);
    assert.match(make(shares.slice(0, 3), 1), /at least 2/);
    assert.match(make(shares.slice(0, 3), 4), /quorum must be 1 to 3/);
    assert.match(make(shares.slice(0, 3), 2, [pubs[0]!, pubs[0]!]), /given twice/);
    assert.equal(make(shares.slice(0, 3), 1, [pubs[0]!]), 'not refused', 'one custodian alone may hold a 1-of-1 package');
    assert.throws(() => custodianPublicKey(rsa(2048).publicPem), /RSA-2048.*at least RSA-3072/);
    assert.throws(() => custodianPublicKey(keys[0]!.privatePem), /PRIVATE key/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
    assert.throws(() => custodianPublicKey(ec), /ec key, not an RSA key/);
  });
});
