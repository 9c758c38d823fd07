import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DecryptCommand, EncryptCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import pkcs11js from 'pkcs11js';
import { callOperation, type ClientConfig } from '../../src/cli/client.js';
import { encodeFields } from '../../src/crypto/encoding.js';
import { randomSecret } from '../../src/crypto/random.js';
import { loadPkcs11Module } from '../../src/root/pkcs11/pkcs11-module.js';
import type { Pkcs11Api } from '../../src/root/pkcs11/pkcs11-root.js';
import { kmsClient } from '../helpers/kms-client.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { checkRotateRoot, errorOf, startSealedServer, type SealedServer } from '../helpers/sealed-server.js';
import { createSoftHsmToken, softHsmMissing, type SoftHsmToken } from '../helpers/softhsm.js';

const missing = softHsmMissing();
if (missing !== undefined && process.env['CI'] === 'true') throw new Error(`SoftHSM2 is required in CI: ${missing}`);
if (missing !== undefined) process.stdout.write(`# skipping the PKCS#11 root tests: ${missing}\n`);

/** A PKCS#11 module that can be "unplugged" (every call fails as CKR_DEVICE_REMOVED) and counts logins. */
function faultyModule(real: Pkcs11Api): { api: Pkcs11Api; unplugged: boolean; logins: number } {
  const state = { unplugged: false, logins: 0, api: undefined as unknown as Pkcs11Api };
  state.api = new Proxy(real, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (prop === 'C_Login') state.logins++;
        if (state.unplugged) throw new Error(`${String(prop)}:0x32 CKR_DEVICE_REMOVED`);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return state;
}


describe('PKCS#11 root of trust (SoftHSM2)', { skip: missing }, () => {
  let token: SoftHsmToken;
  const dirs: string[] = [];
  const servers: SealedServer[] = [];
  const env = { ARCA_TEST_HSM_PIN: '1234', ARCA_TEST_WRONG_PIN: '0000' };
  const rootConfig = (keyLabel: string, pinEnv = 'ARCA_TEST_HSM_PIN') => ({ type: 'pkcs11', module: token.module, tokenLabel: token.label, pinEnv, keyLabel });
  const dataDir = () => {
    const d = tempDataDir();
    dirs.push(d);
    return d;
  };
  async function initialized(server: SealedServer): Promise<ClientConfig> {
    const out = await callOperation(server.anonymous, 'ArcaService.InitializeRoot', {});
    assert.deepEqual(out['UnsealShares'], [], 'an HSM root hands out no shares');
    return { endpoint: server.endpoint, region: 'us-east-1', credentials: { accessKeyId: String(out['AdminAccessKeyId']), secretAccessKey: String(out['AdminSecretAccessKey']) } };
  }

  before(() => {
    token = createSoftHsmToken();
  });
  after(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) removeDir(d);
    if (token !== undefined) removeDir(token.dir);
  });

  test('init creates a sensitive, non-extractable AES-256 root in the token: reading CKA_VALUE is refused', async () => {
    const server = await startSealedServer(dataDir(), rootConfig('root-init'), env);
    servers.push(server);
    assert.deepEqual((await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {}))['Initialized'], false);
    await initialized(server);
    const status = await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {});
    assert.deepEqual([status['RootType'], status['Initialized'], status['Sealed']], ['pkcs11', true, false]);

    const mod = loadPkcs11Module(token.module);
    const slot = mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === token.label) as Buffer;
    const session = mod.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      try {
        mod.C_Login(session, pkcs11js.CKU_USER, token.pin);
      } catch (e) {
        if (!String(e).includes('CKR_USER_ALREADY_LOGGED_IN')) throw e;
      }
      mod.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_LABEL, value: 'root-init' }]);
      const [key] = mod.C_FindObjects(session, 2);
      mod.C_FindObjectsFinal(session);
      assert.ok(key !== undefined, 'the root key is a token object');
      const attrs = mod.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_VALUE_LEN }]);
      assert.deepEqual(attrs.map((a) => a.value), [Buffer.of(1), Buffer.of(0), Buffer.from([32, 0, 0, 0, 0, 0, 0, 0])]);
      assert.throws(() => mod.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_VALUE }]), /CKR_ATTRIBUTE_SENSITIVE/);
    } finally {
      mod.C_CloseSession(session);
    }
  });

  test('AWS SDK round trip; a restarted server auto-unseals from the HSM and decrypts old ciphertext', async () => {
    const dir = dataDir();
    const first = await startSealedServer(dir, rootConfig('root-sdk'), env);
    servers.push(first);
    const admin = await initialized(first);
    // The HSM wrap keeps the binding (KWP has no AAD): another binding or a flipped bit does not unwrap.
    const secret = randomSecret(32);
    const wrapped = await first.app.root.wrap(secret, encodeFields(['arca.domain-key.v1', 7]));
    assert.deepEqual((await first.app.root.unwrap(wrapped, encodeFields(['arca.domain-key.v1', 7]))).expose(), secret.expose());
    await assert.rejects(first.app.root.unwrap(wrapped, encodeFields(['arca.domain-key.v1', 8])), /wrong binding/);
    const flipped = Buffer.from(wrapped);
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    await assert.rejects(first.app.root.unwrap(flipped, encodeFields(['arca.domain-key.v1', 7])), /failed to unwrap/);
    assert.equal(first.app.root.isSealed(), false, 'a corrupted blob is not mistaken for a lost token');
    const creds = { endpoint: first.endpoint, credentials: { ...admin.credentials!, region: 'us-east-1', endpoint: first.endpoint } };
    const kms = kmsClient(creds);
    const key = await kms.send(new CreateKeyCommand({}));
    const enc = await kms.send(new EncryptCommand({ KeyId: key.KeyMetadata?.KeyId, Plaintext: Buffer.from('through the HSM') }));
    await first.close();

    const second = await startSealedServer(dir, rootConfig('root-sdk'), env);
    servers.push(second);
    assert.equal((await callOperation(second.anonymous, 'ArcaService.GetSealStatus', {}))['Sealed'], false, 'auto-unsealed at boot');
    const kms2 = kmsClient({ endpoint: second.endpoint, credentials: { ...admin.credentials!, region: 'us-east-1', endpoint: second.endpoint } });
    const dec = await kms2.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }));
    assert.equal(Buffer.from(dec.Plaintext ?? []).toString(), 'through the HSM');
  });

  test('rotate-root: the new domain key is wrapped inside the HSM; everything is rewrapped and old ciphertext decrypts after restart', async () => {
    const dir = dataDir();
    const server = await startSealedServer(dir, rootConfig('root-rotate'), env);
    servers.push(server);
    const admin = await initialized(server);
    const { blob } = await checkRotateRoot(server, admin);
    await server.close();
    const again = await startSealedServer(dir, rootConfig('root-rotate'), env);
    servers.push(again);
    const out = await callOperation({ ...admin, endpoint: again.endpoint }, 'TrentService.Decrypt', { CiphertextBlob: blob });
    assert.equal(Buffer.from(String(out['Plaintext']), 'base64').toString(), 'before rotation');
  });

  test('token removed: operations fail closed as sealed (503), nothing crashes, and they resume when it returns', async () => {
    const fault = faultyModule(loadPkcs11Module(token.module));
    const server = await startSealedServer(dataDir(), rootConfig('root-unplug'), env, { pkcs11Api: fault.api, probeIntervalMs: 3_600_000 });
    servers.push(server);
    const admin = await initialized(server);
    const keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    const plaintext = Buffer.from('x').toString('base64');
    await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext });

    fault.unplugged = true;
    await server.app.sealing.refresh();
    const refused = await errorOf(callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext }));
    assert.deepEqual([refused?.type, refused?.status], ['KMSInternalException', 503]);
    assert.match(refused?.message ?? '', /sealed/);
    assert.deepEqual(server.app.heldSecrets(), { root: 0, hierarchy: 0, signingKeys: 0 }, 'losing the HSM zeroes the domain keys and caches');
    await server.app.sealing.refresh(); // still gone: stays sealed, no crash
    assert.equal((await fetch(`${server.endpoint}/readyz`)).status, 503);

    fault.unplugged = false;
    await server.app.sealing.refresh();
    await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext });

    // An operator's seal is not undone by the probe; Unseal (no share) reconnects.
    await callOperation(admin, 'ArcaService.Seal', {});
    await server.app.sealing.refresh();
    assert.equal((await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {}))['Sealed'], true);
    assert.equal((await callOperation(server.anonymous, 'ArcaService.Unseal', {}))['Sealed'], false);
    await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: plaintext });
  });

  test('wrong PIN: sealed with a clear reason, and the PIN is not retried in a loop', async () => {
    // PKCS#11 logins are per process and token: close every other session first, or the token would
    // still be logged in (CKR_USER_ALREADY_LOGGED_IN) whatever PIN this server gives.
    // (The simulated unplug above leaked a session: its C_CloseSession failed as "removed".)
    for (const s of servers.splice(0)) await s.close();
    const mod = loadPkcs11Module(token.module);
    (mod as pkcs11js.PKCS11).C_CloseAllSessions(mod.C_GetSlotList(true).find((s) => mod.C_GetTokenInfo(s).label.trim() === token.label) as Buffer);
    const dir = dataDir();
    const good = await startSealedServer(dir, rootConfig('root-pin'), env);
    await initialized(good);
    await good.close();

    const fault = faultyModule(loadPkcs11Module(token.module));
    const server = await startSealedServer(dir, rootConfig('root-pin', 'ARCA_TEST_WRONG_PIN'), env, { pkcs11Api: fault.api, probeIntervalMs: 3_600_000 });
    servers.push(server);
    for (let i = 0; i < 5; i++) await server.app.sealing.refresh();
    assert.equal(fault.logins, 1, 'one login attempt at boot, none by the periodic probe');
    const status = await callOperation(server.anonymous, 'ArcaService.GetSealStatus', {});
    assert.equal(status['Sealed'], true);
    assert.match(String(status['SealedReason']), /rejected the PIN/);
    const unseal = await errorOf(callOperation(server.anonymous, 'ArcaService.Unseal', {}));
    assert.match(unseal?.message ?? '', /rejected the PIN \(CKR_PIN_INCORRECT\)/);
    assert.equal(fault.logins, 2, 'an operator Unseal is the only retry');
  });
});
