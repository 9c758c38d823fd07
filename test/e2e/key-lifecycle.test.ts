/**
 * The key lifecycle end to end, in process, with time moved by an injected clock: rotation keeps every
 * old ciphertext decryptable, deletion crypto-shreds the material from the SQLite files, the scheduler
 * catches up at start-up, and DisableKey takes effect on the very next request.
 */
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { readBlobHeader } from '../../src/crypto/ciphertext-blob.js';
import { receiptMessage } from '../../src/service/keys/lifecycle/get-destruction-receipt.js';
import { sweepCachedMaterial } from '../../src/service/keys/lifecycle/lifecycle.js';
import { SqliteKeyStore } from '../../src/store/sqlite/sqlite-key-store.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { callAt, DAY, filesContaining, recoverMaterial, TestClock, wrappedRows } from '../helpers/lifecycle.js';
import { removeDir, tempDataDir } from '../helpers/server.js';
import { sqliteOf } from '../helpers/in-process.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('key lifecycle', () => {
  const clock = new TestClock();
  let s: InProcessServer;
  const call = (name: string, body: Record<string, unknown>) => callAt(s, clock, name, body);
  const newKey = async () => String(((await call('CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
  const encrypt = async (keyId: string, text: string) => {
    const res = await call('Encrypt', { KeyId: keyId, Plaintext: b64(text) });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return String(res.json['CiphertextBlob']);
  };

  before(async () => {
    s = await startInProcess({ clock, minRotationPeriodDays: 1, schedulerIntervalMs: 0 });
  });
  after(() => s.close());

  it('20 rotations: every ciphertext of every version decrypts, and new ciphertexts use the newest version', async () => {
    const keyId = await newKey();
    assert.equal((await call('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 1 })).status, 200);
    const blobs: { blob: string; text: string }[] = [{ blob: await encrypt(keyId, 'v1'), text: 'v1' }];
    for (let i = 2; i <= 21; i++) {
      if (i % 2 === 0) {
        clock.advance(DAY);
        const run = await s.app.scheduler.runNow();
        assert.deepEqual(run.rotated, [{ keyId, version: i }], 'one automatic rotation per due date');
        assert.deepEqual((await s.app.scheduler.runNow()).rotated, [], 'running the jobs again rotates nothing');
      } else {
        assert.equal((await call('RotateKeyOnDemand', { KeyId: keyId })).status, 200);
      }
      const text = `v${i}`;
      const blob = await encrypt(keyId, text);
      assert.equal(readBlobHeader(Buffer.from(blob, 'base64'))?.version, i, 'a new ciphertext names the newest version');
      blobs.push({ blob, text });
    }
    for (const { blob, text } of blobs) {
      const res = await call('Decrypt', { CiphertextBlob: blob });
      assert.equal(res.status, 200, `${text}: ${JSON.stringify(res.json)}`);
      assert.equal(Buffer.from(String(res.json['Plaintext']), 'base64').toString(), text);
    }
    // ListKeyRotations pages through the 20 rotations, oldest first, with their types.
    const seen: { RotationType: string; RotationDate: number }[] = [];
    let marker: string | undefined;
    do {
      const page = await call('ListKeyRotations', { KeyId: keyId, Limit: 7, ...(marker ? { Marker: marker } : {}) });
      assert.equal(page.status, 200);
      seen.push(...(page.json['Rotations'] as { RotationType: string; RotationDate: number }[]));
      marker = page.json['NextMarker'] as string | undefined;
      assert.equal(page.json['Truncated'], marker !== undefined);
    } while (marker !== undefined);
    assert.equal(seen.length, 20);
    assert.deepEqual(seen.map((r) => r.RotationType), Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'AUTOMATIC' : 'ON_DEMAND')));
    const status = await call('GetKeyRotationStatus', { KeyId: keyId });
    assert.equal(status.json['KeyRotationEnabled'], true);
    assert.equal(status.json['RotationPeriodInDays'], 1);
    assert.equal(status.json['NextRotationDate'], (clock.now().getTime() + DAY) / 1000, 'the next rotation is one period after the last one');
  });

  it('allows 10 on-demand rotations per key, then answers LimitExceededException', async () => {
    const keyId = await newKey();
    for (let i = 0; i < 10; i++) assert.equal((await call('RotateKeyOnDemand', { KeyId: keyId })).status, 200);
    const res = await call('RotateKeyOnDemand', { KeyId: keyId });
    assert.equal(res.json.__type, 'LimitExceededException');
  });

  it('DisableKey takes effect on the very next request, cached material included', async () => {
    const keyId = await newKey();
    const blob = await encrypt(keyId, 'warm the cache');
    assert.equal((await call('Decrypt', { CiphertextBlob: blob })).status, 200);
    const held = s.app.hierarchy.heldSecrets;
    assert.equal((await call('DisableKey', { KeyId: keyId })).status, 200);
    assert.ok(s.app.hierarchy.heldSecrets < held, 'the cached material was dropped');
    for (const [name, body] of [
      ['Encrypt', { KeyId: keyId, Plaintext: b64('x') }],
      ['Decrypt', { CiphertextBlob: blob }],
      ['ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: keyId }],
      ['GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256' }],
    ] as const) {
      assert.equal((await call(name, body)).json.__type, 'DisabledException', name);
    }
    assert.equal((await call('EnableKey', { KeyId: keyId })).status, 200);
    assert.equal((await call('Decrypt', { CiphertextBlob: blob })).status, 200, 'enabled again, old ciphertexts decrypt');

    // Disabled by someone else (another node sharing the database): the warm cache does not bypass the state.
    sqliteOf(s.app).prepare("UPDATE keys SET state = 'Disabled' WHERE id = ?").run(keyId);
    assert.equal((await call('Decrypt', { CiphertextBlob: blob })).json.__type, 'DisabledException', 'the stored state is checked on every request');
  });

  it('the periodic sweep drops cached material of keys disabled or destroyed by another process', async () => {
    const keyId = await newKey();
    await encrypt(keyId, 'cache me');
    assert.ok(s.app.hierarchy.cachedKeyIds().includes(keyId));
    const deps = { keys: new SqliteKeyStore(sqliteOf(s.app)), hierarchy: s.app.hierarchy };
    await sweepCachedMaterial(deps); // also drops what the previous test left (a key disabled behind its back)
    assert.ok(s.app.hierarchy.cachedKeyIds().includes(keyId), 'an Enabled key keeps its cache');
    sqliteOf(s.app).prepare("UPDATE keys SET state = 'Disabled' WHERE id = ?").run(keyId);
    assert.equal(await sweepCachedMaterial(deps), 1);
    assert.ok(!s.app.hierarchy.cachedKeyIds().includes(keyId));
  });

  it('CancelKeyDeletion brings the key back Disabled and the scheduler leaves it alone', async () => {
    const keyId = await newKey();
    const blob = await encrypt(keyId, 'kept');
    const scheduled = await call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
    assert.equal(scheduled.json['KeyState'], 'PendingDeletion');
    assert.equal(scheduled.json['DeletionDate'], (clock.now().getTime() + 7 * DAY) / 1000);
    assert.equal((await call('Encrypt', { KeyId: keyId, Plaintext: b64('x') })).json.__type, 'KMSInvalidStateException');
    assert.equal((await call('CancelKeyDeletion', { KeyId: keyId })).status, 200);
    const meta = (await call('DescribeKey', { KeyId: keyId })).json['KeyMetadata'] as Record<string, unknown>;
    assert.equal(meta['KeyState'], 'Disabled');
    assert.equal(meta['DeletionDate'], undefined);
    clock.advance(8 * DAY);
    assert.deepEqual((await s.app.scheduler.runNow()).destroyed, []);
    assert.equal((await call('EnableKey', { KeyId: keyId })).status, 200);
    assert.equal((await call('Decrypt', { CiphertextBlob: blob })).status, 200);
  });
});

describe('crypto-shredding', () => {
  it('after the waiting period the material is gone from the SQLite file and WAL, decrypt fails, and a restart does not bring it back', async () => {
    const dataDir = tempDataDir();
    const clock = new TestClock();
    let s = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0 });
    try {
      const call = (name: string, body: Record<string, unknown>) => callAt(s, clock, name, body);
      const keyId = String(((await call('CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
      assert.equal((await call('RotateKeyOnDemand', { KeyId: keyId })).status, 200);
      assert.equal((await call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keyId })).status, 200);
      const blob = String((await call('Encrypt', { KeyId: keyId, Plaintext: b64('secret') })).json['CiphertextBlob']);
      assert.equal((await call('Decrypt', { CiphertextBlob: blob })).status, 200);

      // The canaries: each version's wrapped row and its plaintext material, both present on disk now.
      const rows = wrappedRows(dataDir, keyId);
      assert.equal(rows.length, 2);
      const canaries = rows.flatMap((r) => [r.wrapped, recoverMaterial(dataDir, keyId, r)]);
      assert.ok(filesContaining(dataDir, rows.map((r) => r.wrapped)).length > 0, 'the wrapped material is on disk before deletion');

      const scheduled = await call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 });
      assert.equal(scheduled.status, 200);
      clock.advance(7 * DAY - 1);
      assert.deepEqual((await s.app.scheduler.runNow()).destroyed, [], 'nothing is destroyed before the deletion date');
      clock.advance(1);
      const run = await s.app.scheduler.runNow();
      assert.equal(run.destroyed.length, 1);
      assert.deepEqual(run.destroyed[0]?.versions, [1, 2]);

      assert.deepEqual(wrappedRows(dataDir, keyId), [], 'no material rows left');
      assert.deepEqual(filesContaining(dataDir, canaries), [], 'material bytes found in the SQLite files after shredding');
      assert.equal((await call('Decrypt', { CiphertextBlob: blob })).json.__type, 'NotFoundException');
      const described = await call('DescribeKey', { KeyId: keyId });
      assert.equal(described.json.__type, 'NotFoundException');
      assert.match(String(described.json.message), /does not exist/);
      assert.equal((await call('DescribeKey', { KeyId: 'alias/doomed' })).json.__type, 'NotFoundException', 'the alias went with the key');
      const listed = (await call('ListKeys', {})).json['Keys'] as { KeyId: string }[];
      assert.ok(!listed.some((k) => k.KeyId === keyId), 'ListKeys no longer shows the key');
      const deleted = (await s.app.audit.list(100_000)).filter((e) => e.eventName === 'DeleteKey');
      assert.equal(deleted.length, 1, 'the destruction is in the audit trail');
      assert.deepEqual(deleted[0]?.resources, [{ ARN: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, type: 'AWS::KMS::Key' }]);
      assert.deepEqual(deleted[0]?.responseElements?.['destroyedVersions'], [1, 2]);
      const receipt = (await call('ArcaService.GetDestructionReceipt', { KeyId: keyId })).json;
      const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`;
      assert.equal(receipt['KeyArn'], arn);
      assert.deepEqual(receipt['DestroyedVersions'], [1, 2]);
      const message = Buffer.from(String(receipt['ReceiptMessage']), 'base64');
      assert.deepEqual(message, receiptMessage(arn, { keyId, versions: [1, 2], destroyedAt: new Date(Number(receipt['DestroyedAt']) * 1000) }));
      // Verified by node:crypto alone with the published audit key (raw Ed25519, as GetAuditProof gives it).
      const raw = Buffer.from(String(receipt['PublicKey']), 'base64');
      const publicKey = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
      const signature = Buffer.from(String(receipt['Signature']), 'base64');
      assert.ok(verify(null, message, publicKey, signature), 'the receipt verifies under the audit signing key');
      assert.deepEqual(raw, s.app.auditTrail.publicKey());
      signature[0] = (signature[0] ?? 0) ^ 1;
      assert.ok(!verify(null, message, publicKey, signature), 'a tampered receipt does not verify');

      await s.close();
      s = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0 });
      assert.equal((await call('Decrypt', { CiphertextBlob: blob })).json.__type, 'NotFoundException', 'a restart does not bring the key back');
      assert.equal((await call('DescribeKey', { KeyId: keyId })).json.__type, 'NotFoundException');
      assert.deepEqual(filesContaining(dataDir, canaries), []);
    } finally {
      await s.close();
      removeDir(dataDir);
    }
  });

  it('a deletion that came due while the server was down happens at start-up, before any request', async () => {
    const dataDir = tempDataDir();
    const clock = new TestClock();
    let s = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0 });
    try {
      const keyId = String(((await callAt(s, clock, 'CreateKey', {})).json['KeyMetadata'] as { KeyId: string }).KeyId);
      assert.equal((await callAt(s, clock, 'ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 30 })).status, 200);
      await s.close();
      clock.advance(31 * DAY);
      s = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0 });
      assert.deepEqual(wrappedRows(dataDir, keyId), [], 'destroyed during start-up');
      assert.equal((await callAt(s, clock, 'DescribeKey', { KeyId: keyId })).json.__type, 'NotFoundException');
    } finally {
      await s.close();
      removeDir(dataDir);
    }
  });
});
