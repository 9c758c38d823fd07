import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ArcaCallError, callOperation, type ClientConfig } from '../../src/cli/client.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { checkRotateRoot, errorOf, initialize, startSealedServer, unsealWith, type SealedServer } from '../helpers/sealed-server.js';
import { sqliteOf } from '../helpers/in-process.js';


async function encrypt(admin: ClientConfig, keyId: string, text: string): Promise<string> {
  const out = await callOperation(admin, 'TrentService.Encrypt', { KeyId: keyId, Plaintext: Buffer.from(text).toString('base64') });
  return String(out['CiphertextBlob']);
}

async function decrypt(admin: ClientConfig, blob: string): Promise<string> {
  const out = await callOperation(admin, 'TrentService.Decrypt', { CiphertextBlob: blob });
  return Buffer.from(String(out['Plaintext']), 'base64').toString();
}

describe('arca server: the sealed life cycle (Shamir root)', () => {
  const dataDir = tempDataDir();
  const servers: SealedServer[] = [];
  const dirs = [dataDir];
  after(async () => {
    for (const s of servers) await s.close();
    for (const d of dirs) removeDir(d);
  });
  const freshDir = () => {
    const dir = tempDataDir();
    dirs.push(dir);
    return dir;
  };
  /** A server on `dir`, initialized with 3 shares (threshold 2) and unsealed with the first two. */
  const unsealedServer = async (dir: string) => {
    const server = await startSealedServer(dir);
    servers.push(server);
    const { shares, admin } = await initialize(server, 3, 2);
    await unsealWith(server, shares.slice(0, 2));
    return { server, shares, admin };
  };

  test('init → sealed → unseal → ops → restart → sealed → unseal with other custodians → old ciphertext decrypts', async () => {
    const first = await startSealedServer(dataDir);
    servers.push(first);
    const before = await callOperation(first.anonymous, 'ArcaService.GetSealStatus', {});
    assert.deepEqual([before['Initialized'], before['Sealed']], [false, true]);
    const { shares, admin } = await initialize(first, 5, 3);
    assert.equal(shares.length, 5);
    assert.equal((await errorOf(initialize(first)))?.type, 'InvalidSealStateException', 'a second init is refused');

    const sealedCall = await errorOf(callOperation(admin, 'TrentService.ListKeys', {}));
    assert.equal(sealedCall?.type, 'KMSInternalException');
    assert.equal(sealedCall?.status, 503);
    assert.match(sealedCall?.message ?? '', /sealed/);
    assert.equal((await fetch(`${first.endpoint}/readyz`)).status, 503);
    assert.equal((await fetch(`${first.endpoint}/healthz`)).status, 200);

    const progress = await unsealWith(first, [shares[0] as string]);
    assert.deepEqual([progress['Sealed'], progress['Progress'], progress['Threshold']], [true, 1, 3]);
    const done = await unsealWith(first, [shares[2] as string, shares[4] as string]);
    assert.deepEqual([done['Sealed'], done['Progress']], [false, 0]);
    assert.equal((await fetch(`${first.endpoint}/readyz`)).status, 200);

    const keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    const blob = await encrypt(admin, keyId, 'kept across restarts');
    await first.close();

    const second = await startSealedServer(dataDir);
    servers.push(second);
    const restarted = await callOperation(second.anonymous, 'ArcaService.GetSealStatus', {});
    assert.deepEqual([restarted['Initialized'], restarted['Sealed']], [true, true], 'a restarted server is sealed');
    const adminHere = { ...admin, endpoint: second.endpoint };
    assert.equal((await errorOf(decrypt(adminHere, blob)))?.status, 503);
    // Two custodians are lost: shares 1 and 2 of 5; the other three still unseal.
    await unsealWith(second, [shares[4] as string, shares[3] as string, shares[2] as string]);
    assert.equal(await decrypt(adminHere, blob), 'kept across restarts');
  });

  test('a wrong, duplicate or other-set share fails closed with a clear message and resets progress', async () => {
    const a = await startSealedServer(freshDir());
    const b = await startSealedServer(freshDir());
    servers.push(a, b);
    const sa = (await initialize(a, 3, 2)).shares;
    const sb = (await initialize(b, 3, 2)).shares;
    await unsealWith(a, [sa[0] as string]);
    const dup = await errorOf(unsealWith(a, [sa[0] as string]));
    assert.equal(dup?.type, 'UnsealFailedException');
    assert.match(dup?.message ?? '', /given twice.*progress was reset/);
    await unsealWith(a, [sa[0] as string]);
    const mixed = await errorOf(unsealWith(a, [sb[1] as string]));
    assert.match(mixed?.message ?? '', /share set/);
    const status = await callOperation(a.anonymous, 'ArcaService.GetSealStatus', {});
    assert.deepEqual([status['Sealed'], status['Progress']], [true, 0]);
    const tampered = Buffer.from(sa[1] as string, 'base64');
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    await unsealWith(a, [sa[0] as string]);
    const wrong = await errorOf(unsealWith(a, [tampered.toString('base64')]));
    assert.match(wrong?.message ?? '', /do not unlock the root key/);
    assert.equal((await unsealWith(a, [sa[2] as string, sa[1] as string]))['Sealed'], false);
  });

  test('seal zeroes the root, domain keys, cached key material and signing keys; requests in flight lose no acknowledged write', async () => {
    const dir = freshDir();
    const { server, shares, admin } = await unsealedServer(dir);
    const keyId = String(((await callOperation(admin, 'TrentService.CreateKey', {}))['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    await encrypt(admin, keyId, 'warm the caches');
    const held = server.app.heldSecrets();
    assert.ok(held.root === 1 && held.hierarchy >= 2 && held.signingKeys >= 1, `caches are warm: ${JSON.stringify(held)}`);
    // A reference to the cached material buffer, to check that seal zeroes it (not just forgets it).
    const material = (await server.app.hierarchy.material(keyId, 1, async () => undefined))?.expose();
    assert.ok(material !== undefined && material.some((b) => b !== 0));

    const inFlight = Array.from({ length: 30 }, (_, i) =>
      encrypt(admin, keyId, `message ${i}`).then(
        (blob) => ({ i, blob }),
        (e: unknown) => ({ i, error: e }),
      ),
    );
    // Writes in flight too: every CreateKey acknowledged must exist, with usable material, after unseal.
    const creates = Array.from({ length: 10 }, () =>
      callOperation(admin, 'TrentService.CreateKey', {}).then(
        (o) => String((o['KeyMetadata'] as Record<string, unknown>)['KeyId']),
        (e: unknown) => {
          assert.equal((e as ArcaCallError).status, 503, `a failed CreateKey failed as sealed: ${String(e)}`);
          return undefined;
        },
      ),
    );
    const sealed = callOperation(admin, 'ArcaService.Seal', {});
    const results = await Promise.all(inFlight);
    const created = (await Promise.all(creates)).filter((k): k is string => k !== undefined);
    await sealed;
    assert.deepEqual(server.app.heldSecrets(), { root: 0, hierarchy: 0, signingKeys: 0 });
    assert.ok(material.every((b) => b === 0), 'the cached key material buffer is zeroed');
    for (const r of results) if ('error' in r) assert.equal((r.error as ArcaCallError).status, 503, `a failed request failed as sealed: ${String(r.error)}`);

    await unsealWith(server, [shares[2] as string, shares[0] as string]);
    const acknowledged = results.filter((r): r is { i: number; blob: string } => 'blob' in r);
    for (const r of acknowledged) assert.equal(await decrypt(admin, r.blob), `message ${r.i}`);
    for (const k of created) assert.equal(await decrypt(admin, await encrypt(admin, k, 'new key')), 'new key');
    // The seal operations are audited; no share ever reaches the audit trail.
    const events = sqliteOf(server.app).prepare<[], { event_name: string; body: string }>("SELECT event_name, body FROM audit_events WHERE event_name IN ('Unseal', 'Seal', 'InitializeRoot')").all();
    assert.ok(events.some((e) => e.event_name === 'Seal') && events.filter((e) => e.event_name === 'Unseal').length >= 4);
    for (const e of events) for (const share of shares) assert.ok(!e.body.includes(share) && !e.body.includes(Buffer.from(share, 'base64').toString('hex')), 'no share in the audit trail');
  });

  test('rotate-root: new material under the new domain key, old secrets rewrapped in the background, old ciphertext decrypts after restart', async () => {
    const dir = freshDir();
    const { server, shares, admin } = await unsealedServer(dir);
    const { blob } = await checkRotateRoot(server, admin);
    await server.close();
    const again = await startSealedServer(dir);
    servers.push(again);
    await unsealWith(again, shares.slice(1, 3));
    assert.equal(await decrypt({ ...admin, endpoint: again.endpoint }, blob), 'before rotation');
  });

  test('rekey needs the current quorum; afterwards the old shares fail and the new ones unseal', async () => {
    const dir = freshDir();
    const { server, shares, admin } = await unsealedServer(dir);
    assert.equal((await errorOf(callOperation(admin, 'ArcaService.Rekey', { CurrentShares: shares.slice(0, 1), Shares: 2, Threshold: 2 })))?.type, 'UnsealFailedException');
    const out = await callOperation(admin, 'ArcaService.Rekey', { CurrentShares: shares.slice(1, 3), Shares: 2, Threshold: 2 });
    const fresh = (out['UnsealShares'] as string[]).map(String);
    await callOperation(admin, 'ArcaService.Seal', {});
    assert.equal((await errorOf(unsealWith(server, shares.slice(0, 1))))?.type, 'UnsealFailedException');
    assert.equal((await unsealWith(server, fresh))['Sealed'], false);
  });
});

describe('arca dev and the seal operations', () => {
  test('dev mode reports itself unsealed with the insecure dev root, and refuses to seal or unseal', async () => {
    const { startInProcess } = await import('../helpers/in-process.js');
    const dev = await startInProcess();
    try {
      const admin: ClientConfig = { endpoint: dev.endpoint, region: 'us-east-1', credentials: dev.credentials };
      const status = await callOperation({ endpoint: dev.endpoint, region: 'us-east-1' }, 'ArcaService.GetSealStatus', {});
      assert.deepEqual([status['RootType'], status['Sealed'], status['Initialized']], ['insecure-dev-file', false, true]);
      assert.equal((await errorOf(callOperation(admin, 'ArcaService.Seal', {})))?.type, 'UnsupportedOperationException');
      assert.equal((await errorOf(callOperation(admin, 'ArcaService.InitializeRoot', {})))?.type, 'UnsupportedOperationException');
      assert.equal((await callOperation(admin, 'TrentService.ListKeys', {}))['Truncated'], false);
    } finally {
      await dev.close();
    }
  });
});
