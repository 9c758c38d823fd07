import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateMacCommand, ScheduleKeyDeletionCommand, SignCommand, VerifyCommand, VerifyMacCommand, type CreateKeyCommandInput, type KMSClient,
} from '@aws-sdk/client-kms';
import { parseBackupFile } from '../../src/core/backup-file.js';
import { openBackupPayload } from '../../src/custody/backup-crypto.js';
import { InsecureDevFileRootOfTrust } from '../../src/root/insecure-dev-file-root.js';
import type { DevAppConfig } from '../../src/server/app.js';
import { checkEverySpec, proveEverySpec, type SpecProof } from './backup-drill-specs.js';
import { startInProcess } from './in-process.js';
import { kmsClient } from './kms-client.js';
import { DAY, TestClock } from './lifecycle.js';
import { ARCA_BIN, removeDir } from './server.js';

/** What a drill checks after a restore: every ciphertext, signature and MAC made before the backup. */
export interface DrillData {
  readonly symmetric: { keyId: string; blob: Uint8Array };
  readonly rsa: { keyId: string; blob: Uint8Array };
  readonly ecc: { keyId: string; signature: Uint8Array };
  readonly hmac: { keyId: string; mac: Uint8Array };
  /** Destroyed before the backup: its material must not be in it. */
  readonly destroyedKeyId: string;
  /** A key of every available spec and usage, and what each made. */
  readonly everySpec: readonly SpecProof[];
}

const MESSAGE = Buffer.from('made before the backup');
const CONTEXT = { purpose: 'backup-drill' };

/** Fills a running dev store: keys of every spec and usage, their outputs, and a key destroyed (past its window). */
export async function populateForDrill(kms: KMSClient, clock: TestClock, runScheduler: () => Promise<unknown>): Promise<DrillData> {
  const create = async (input: CreateKeyCommandInput) => (await kms.send(new CreateKeyCommand(input))).KeyMetadata!.KeyId!;
  const destroyedKeyId = await create({ Description: 'destroyed before the backup' });
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: destroyedKeyId, PendingWindowInDays: 7 }));
  const sym = await create({});
  const rsa = await create({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
  const ecc = await create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
  const hmac = await create({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
  const data: DrillData = {
    symmetric: { keyId: sym, blob: (await kms.send(new EncryptCommand({ KeyId: sym, Plaintext: MESSAGE, EncryptionContext: CONTEXT }))).CiphertextBlob! },
    rsa: { keyId: rsa, blob: (await kms.send(new EncryptCommand({ KeyId: rsa, Plaintext: MESSAGE, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).CiphertextBlob! },
    ecc: { keyId: ecc, signature: (await kms.send(new SignCommand({ KeyId: ecc, Message: MESSAGE, SigningAlgorithm: 'ECDSA_SHA_256' }))).Signature! },
    hmac: { keyId: hmac, mac: (await kms.send(new GenerateMacCommand({ KeyId: hmac, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }))).Mac! },
    destroyedKeyId,
    everySpec: await proveEverySpec(kms),
  };
  clock.advance(8 * DAY);
  await runScheduler();
  // Back to the real time, so that signed requests (dated now) are accepted again; the key stays destroyed.
  clock.advance(-8 * DAY);
  return data;
}

/** Every output of {@link populateForDrill} checks out against a (restored) server. */
export async function checkDrillData(kms: KMSClient, data: DrillData): Promise<void> {
  const sym = await kms.send(new DecryptCommand({ CiphertextBlob: data.symmetric.blob, EncryptionContext: CONTEXT }));
  assert.equal(Buffer.from(sym.Plaintext!).toString(), MESSAGE.toString());
  const rsa = await kms.send(new DecryptCommand({ KeyId: data.rsa.keyId, CiphertextBlob: data.rsa.blob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
  assert.equal(Buffer.from(rsa.Plaintext!).toString(), MESSAGE.toString());
  const verified = await kms.send(new VerifyCommand({ KeyId: data.ecc.keyId, Message: MESSAGE, Signature: data.ecc.signature, SigningAlgorithm: 'ECDSA_SHA_256' }));
  assert.equal(verified.SignatureValid, true);
  const mac = await kms.send(new VerifyMacCommand({ KeyId: data.hmac.keyId, Message: MESSAGE, Mac: data.hmac.mac, MacAlgorithm: 'HMAC_SHA_256' }));
  assert.equal(mac.MacValid, true);
  await checkEverySpec(kms, data.everySpec);
}

/** Starts a dev server on a restored store, checks the data, runs `arca audit verify`, makes a new key, verifies again. */
export async function serveRestored(dataDir: string, data: DrillData, extra: Partial<Omit<DevAppConfig, 'realm' | 'logger'>> = {}): Promise<void> {
  const server = await startInProcess({ dataDir, schedulerIntervalMs: 0, ...extra });
  const kms = kmsClient(server);
  try {
    await checkDrillData(kms, data);
    await assertAuditVerifies(server);
    const fresh = (await kms.send(new CreateKeyCommand({ Description: 'after the restore' }))).KeyMetadata!.KeyId!;
    const blob = (await kms.send(new EncryptCommand({ KeyId: fresh, Plaintext: MESSAGE }))).CiphertextBlob!;
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), MESSAGE.toString());
    await assertAuditVerifies(server);
  } finally {
    kms.destroy();
    await server.close();
  }
}

/** `arca audit verify` against a running (in-process, so not spawnSync) server exits 0. */
export async function assertAuditVerifies(server: { endpoint: string; credentials: { accessKeyId: string; secretAccessKey: string; region: string } }): Promise<void> {
  const env = { PATH: process.env['PATH'], ARCA_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: server.credentials.region };
  const run = await promisify(execFile)(process.execPath, [ARCA_BIN, 'audit', 'verify'], { encoding: 'utf8', env });
  assert.match(run.stdout, /OK|verified/i, run.stdout + run.stderr);
}

/** The decrypted rows of a backup, by table (the test holds the dev root). */
export async function backupRows(file: Buffer, devRootFile: string): Promise<Map<string, unknown[][]>> {
  const root = InsecureDevFileRootOfTrust.openOrCreate(devRootFile);
  try {
    const payload = gunzipSync(await openBackupPayload(parseBackupFile(file), root)).toString('utf8');
    const out = new Map<string, unknown[][]>();
    for (const line of payload.split('\n').filter(Boolean)) {
      const { t, r } = JSON.parse(line) as { t: string; r: unknown[] };
      out.set(t, [...(out.get(t) ?? []), r]);
    }
    return out;
  } finally {
    root.seal();
  }
}

/** Keeps the dev root file outside the data directory (as an operator keeps shares), then deletes the directory. */
export function loseDataDir(dataDir: string, keepRootAt: string): void {
  copyFileSync(join(dataDir, 'insecure-dev-root.key'), keepRootAt);
  removeDir(dataDir);
}
