import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import { createSoftHsmToken, softHsmMissing, type SoftHsmToken } from '../../../test/helpers/softhsm.js';
import { removeDir } from '../../../test/helpers/server.js';
import { HsmConnectionError, HsmDecryptError, type HsmConnectionErrorCode } from '../../core/hsm-keys.js';
import { SecretBytes } from '../../crypto/secret-bytes.js';
import { HsmKeyLabelError, Pkcs11HsmClusters, type HsmPkcs11Api } from './hsm-key-store.js';
import { loadPkcs11Module } from './pkcs11-module.js';

const missing = softHsmMissing();
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(`SoftHSM2 is required in CI: ${missing}`);
if (missing !== undefined) process.stdout.write(`# skipping the HSM key store tests: ${missing}\n`);

const PIN = '12345678';
const secret = (s: string) => SecretBytes.copyOf(Buffer.from(s, 'utf8'));

async function connectError(clusters: Pkcs11HsmClusters, id: string, pin: string): Promise<HsmConnectionErrorCode> {
  try {
    const c = await clusters.connect(id, secret(pin));
    await c.close();
  } catch (e) {
    if (e instanceof HsmConnectionError) return e.code;
    throw e;
  }
  assert.fail(`connect(${id}) succeeded`);
}

/** A module whose C_Login answers `ckr` (SoftHSM2 has no lockout, so CKR_PIN_LOCKED is injected). */
function loginAnswers(real: HsmPkcs11Api, ckr: string): HsmPkcs11Api {
  return new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (prop === 'C_Login') return () => { throw new Error(`C_Login:0xa4 ${ckr}`); };
      return typeof value === 'function' ? (...a: unknown[]) => (value as (...x: unknown[]) => unknown).apply(target, a) : value;
    },
  });
}

describe('HSM key store over PKCS#11 (SoftHSM2)', { skip: missing }, () => {
  let token: SoftHsmToken;
  let clusters: Pkcs11HsmClusters;

  before(() => {
    token = createSoftHsmToken('arca-hsm-a', PIN);
    for (const label of ['arca-hsm-b', 'arca-hsm-c']) {
      const r = spawnSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', PIN, '--so-pin', '87654321'], { encoding: 'utf8', env: process.env });
      assert.equal(r.status, 0, r.stderr);
    }
    clusters = new Pkcs11HsmClusters({
      clusters: [
        { clusterId: 'cluster-aaaaaaaaaaa', module: token.module, token: { label: 'arca-hsm-a' }, sessions: 2 },
        { clusterId: 'cluster-bbbbbbbbbbb', module: token.module, token: { label: 'arca-hsm-b' } },
        { clusterId: 'cluster-ccccccccccc', module: token.module, token: { label: 'arca-hsm-c' } },
        { clusterId: 'cluster-missingtoken', module: token.module, token: { label: 'no-such-token' } },
        { clusterId: 'cluster-nomodulehere', module: '/nonexistent/libnothing.so', token: { label: 'x' } },
      ],
    });
  });
  after(() => {
    if (token !== undefined) removeDir(token.dir);
  });

  test('generate, hasKey, encrypt/decrypt round trip with AAD; a second key with the same label is refused', async () => {
    const c = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    try {
      assert.equal(await c.hasKey('k-round'), false);
      await c.generateKey('k-round');
      assert.equal(await c.hasKey('k-round'), true);
      await assert.rejects(c.generateKey('k-round'), HsmKeyLabelError);
      const aad = Buffer.from('header+context');
      const sealed = await c.encrypt('k-round', secret('attack at dawn'), aad);
      assert.equal(sealed.iv.length, 12);
      assert.equal(sealed.tag.length, 16);
      assert.equal(sealed.ciphertext.length, 14);
      assert.notDeepEqual(sealed.ciphertext, Buffer.from('attack at dawn'));
      const again = await c.encrypt('k-round', secret('attack at dawn'), aad);
      assert.notDeepEqual(again.iv, sealed.iv, 'a fresh IV each call');
      assert.equal((await c.decrypt('k-round', sealed, aad)).expose().toString('utf8'), 'attack at dawn');
      await assert.rejects(c.encrypt('no-such-key', secret('x'), aad), HsmKeyLabelError);
    } finally {
      await c.close();
    }
  });

  test('a wrong AAD, tag, IV or ciphertext is HsmDecryptError; so is an unknown key', async () => {
    const c = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    try {
      await c.generateKey('k-tamper');
      const aad = Buffer.from('aad');
      const sealed = await c.encrypt('k-tamper', secret('secret data'), aad);
      const flip = (b: Buffer) => Buffer.from(b.map((x, i) => (i === 0 ? x ^ 1 : x)));
      await assert.rejects(c.decrypt('k-tamper', sealed, Buffer.from('aad2')), HsmDecryptError);
      await assert.rejects(c.decrypt('k-tamper', { ...sealed, tag: flip(sealed.tag) }, aad), HsmDecryptError);
      await assert.rejects(c.decrypt('k-tamper', { ...sealed, iv: flip(sealed.iv) }, aad), HsmDecryptError);
      await assert.rejects(c.decrypt('k-tamper', { ...sealed, ciphertext: flip(sealed.ciphertext) }, aad), HsmDecryptError);
      await assert.rejects(c.decrypt('k-tamper', { ...sealed, tag: sealed.tag.subarray(0, 12) }, aad), HsmDecryptError);
      await assert.rejects(c.decrypt('k-unknown', sealed, aad), HsmDecryptError);
      assert.equal((await c.decrypt('k-tamper', sealed, aad)).expose().toString('utf8'), 'secret data', 'the session still works after refusals');
    } finally {
      await c.close();
    }
  });

  test('the key is sensitive and non-extractable: reading CKA_VALUE is refused', async () => {
    const c = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    try {
      await c.generateKey('k-attrs');
      const mod = loadPkcs11Module(token.module);
      const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === 'arca-hsm-a') as Buffer;
      const session = mod.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION); // logged in: the connection's login is the process's
      try {
        mod.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'k-attrs' }]);
        const [key] = mod.C_FindObjects(session, 2);
        mod.C_FindObjectsFinal(session);
        assert.ok(key !== undefined);
        assert.throws(() => mod.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }]), /CKR_ATTRIBUTE_SENSITIVE/);
        const attrs = mod.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_TOKEN }, { type: pkcs11js.CKA_VALUE_LEN }]);
        assert.deepEqual(attrs.slice(0, 3).map((a) => (a.value instanceof Buffer ? a.value[0] : -1)), [1, 0, 1]);
        assert.equal(attrs[3]?.value instanceof Buffer ? attrs[3].value.readUInt32LE(0) : -1, 32);
      } finally {
        mod.C_CloseSession(session);
      }
    } finally {
      await c.close();
    }
  });

  test('connection errors: wrong password, unknown cluster, missing token, missing module, locked user', async () => {
    assert.equal(await connectError(clusters, 'cluster-bbbbbbbbbbb', 'wrong-password'), 'INVALID_CREDENTIALS');
    assert.equal(await connectError(clusters, 'cluster-bbbbbbbbbbb', 'abc'), 'INVALID_CREDENTIALS', 'shorter than the token minimum: refused before C_Login');
    assert.equal(clusters.has('cluster-zzzzzzzzzzz'), false);
    assert.equal(await connectError(clusters, 'cluster-zzzzzzzzzzz', PIN), 'CLUSTER_NOT_FOUND');
    assert.equal(await connectError(clusters, 'cluster-missingtoken', PIN), 'NETWORK_ERRORS');
    assert.equal(await connectError(clusters, 'cluster-nomodulehere', PIN), 'INTERNAL_ERROR');
    // SoftHSM2 never locks a user out: the token's CKR_PIN_LOCKED answer is injected.
    const locked = new Pkcs11HsmClusters({
      clusters: [{ clusterId: 'cluster-bbbbbbbbbbb', module: token.module, token: { label: 'arca-hsm-b' } }],
      load: (m) => loginAnswers(loadPkcs11Module(m), 'CKR_PIN_LOCKED'),
    });
    assert.equal(await connectError(locked, 'cluster-bbbbbbbbbbb', PIN), 'USER_LOCKED_OUT');
    // and the right password still works afterwards
    const c = await clusters.connect('cluster-bbbbbbbbbbb', secret(PIN));
    await c.close();
  });

  test('a token already logged in by another part of the process (the root of trust) is refused', async () => {
    const mod = loadPkcs11Module(token.module);
    const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === 'arca-hsm-c') as Buffer;
    const session = mod.C_OpenSession(slot, pkcs11js.CKF_RW_SESSION | pkcs11js.CKF_SERIAL_SESSION);
    try {
      mod.C_Login(session, pkcs11js.CKU_USER, PIN);
      assert.equal(await connectError(clusters, 'cluster-ccccccccccc', 'any-password'), 'INTERNAL_ERROR');
      assert.equal(mod.C_GetSessionInfo(session).state, 3, 'the other login is left alone');
    } finally {
      mod.C_CloseSession(session);
    }
  });

  test('two connections share the login; the second needs the same password; closing one keeps the other working', async () => {
    const a = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    assert.equal(await connectError(clusters, 'cluster-aaaaaaaaaaa', 'another-password'), 'INVALID_CREDENTIALS');
    const b = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    await a.generateKey('k-shared');
    await a.close();
    const sealed = await b.encrypt('k-shared', secret('still here'), Buffer.alloc(0));
    assert.equal((await b.decrypt('k-shared', sealed, Buffer.alloc(0))).expose().toString('utf8'), 'still here');
    await b.close();
  });

  test('concurrent encrypts from one connection all succeed and decrypt', async () => {
    const c = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    try {
      await c.generateKey('k-concurrent');
      const n = 40;
      const sealed = await Promise.all(Array.from({ length: n }, (_, i) => c.encrypt('k-concurrent', secret(`message ${i}`), Buffer.from(`aad ${i}`))));
      assert.equal(new Set(sealed.map((s) => s.iv.toString('hex'))).size, n);
      const plain = await Promise.all(sealed.map((s, i) => c.decrypt('k-concurrent', s, Buffer.from(`aad ${i}`))));
      assert.deepEqual(plain.map((p) => p.expose().toString('utf8')), Array.from({ length: n }, (_, i) => `message ${i}`));
    } finally {
      await c.close();
    }
  });

  test('destroyKey removes the key and answers false when there is none; close is idempotent, then use is a clear error', async () => {
    const c = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    await c.generateKey('k-destroy');
    const sealed = await c.encrypt('k-destroy', secret('gone soon'), Buffer.alloc(0));
    assert.equal(await c.destroyKey('k-destroy'), true);
    assert.equal(await c.hasKey('k-destroy'), false);
    assert.equal(await c.destroyKey('k-destroy'), false);
    await assert.rejects(c.decrypt('k-destroy', sealed, Buffer.alloc(0)), HsmDecryptError);
    await c.close();
    await c.close();
    await assert.rejects(c.hasKey('k-round'), (e: unknown) => e instanceof HsmConnectionError && /closed/.test(e.message));
    await assert.rejects(c.encrypt('k-round', secret('x'), Buffer.alloc(0)), (e: unknown) => e instanceof HsmConnectionError && /closed/.test(e.message));
    const again = await clusters.connect('cluster-aaaaaaaaaaa', secret(PIN));
    assert.equal(await again.hasKey('k-round'), true, 'the keys live in the token, not in the connection');
    await again.close();
  });
});
