import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, EnableKeyRotationCommand, EncryptCommand, ScheduleKeyDeletionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import type { DevAppConfig } from '../../src/server/app.js';
import { backupRows } from './backup-drill.js';
import { startInProcess, type InProcessServer } from './in-process.js';
import { kmsClient } from './kms-client.js';
import { DAY, TestClock } from './lifecycle.js';
import { ARCA_BIN } from './server.js';

const MESSAGE = 'encrypted before backup B1';

/** What the destruction-ledger scenario leaves for the tests: two backups, a ledger, and what the live site answered. */
export interface LedgerScenario {
  readonly kept: { keyId: string; blob: Uint8Array };
  /** Destroyed AFTER backup B1 (so B1 still holds it), before the ledger and backup B2. */
  readonly destroyed: { keyId: string; blob: Uint8Array };
  /** Made before the destruction: holds the destroyed key's material. */
  readonly b1: string;
  /** Made after the destruction. */
  readonly b2: string;
  /** `arca backup ledger --out` of the live site after the destruction. */
  readonly ledger: string;
  /** What the live site answered a Decrypt of the destroyed key's ciphertext with, after destruction. */
  readonly liveError: { readonly name: string; readonly message: string };
  /** The trail key that signed the backups (and the ledger). */
  readonly publicKey: string;
}

/**
 * On a running site (SQLite, or PostgreSQL with `config.storage`): two keys, each with a ciphertext; the
 * doomed one also has an alias and automatic rotation (rows destroyKey deletes). Backup B1 (the server
 * form, through the CLI); the doomed key's deletion scheduled, made due with the test clock and run by the
 * scheduler; the live answer to its ciphertext; the ledger exported (CLI); backup B2.
 */
export async function runLedgerScenario(dataDir: string, work: string, config: Partial<Omit<DevAppConfig, 'realm' | 'logger'>> = {}): Promise<LedgerScenario> {
  const clock = new TestClock();
  const server = await startInProcess({ dataDir, clock, schedulerIntervalMs: 0, ...config });
  const kms = kmsClient(server);
  try {
    const create = async (description: string) => (await kms.send(new CreateKeyCommand({ Description: description }))).KeyMetadata!.KeyId!;
    const encrypt = async (keyId: string) => (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(MESSAGE) }))).CiphertextBlob!;
    const kept = await create('kept');
    const doomed = await create('destroyed after B1');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed }));
    await kms.send(new EnableKeyRotationCommand({ KeyId: doomed }));
    const keptBlob = await encrypt(kept);
    const doomedBlob = await encrypt(doomed);
    await signHead(server);
    const b1 = join(work, 'b1.arcabak');
    const made = JSON.parse(await arcaAsync(server, 'backup', 'create', '--out', b1, '--output', 'json')) as { SignerPublicKey: string };

    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    clock.advance(8 * DAY);
    const run = await server.app.scheduler.runNow();
    clock.advance(-8 * DAY);
    assert.ok(JSON.stringify(run).includes(doomed), `the scheduler destroyed the key: ${JSON.stringify(run)}`);
    const liveError = await decryptError(kms, doomedBlob);
    assert.equal(await decrypt(kms, keptBlob), MESSAGE);

    const ledger = join(work, 'site.ledger');
    const exported = JSON.parse(await arcaAsync(server, 'backup', 'ledger', '--out', ledger, '--output', 'json')) as { Destructions: number; SignerPublicKey: string };
    assert.equal(exported.Destructions, 1);
    assert.equal(exported.SignerPublicKey, made.SignerPublicKey);
    await signHead(server);
    const b2 = join(work, 'b2.arcabak');
    await arcaAsync(server, 'backup', 'create', '--out', b2);
    return { kept: { keyId: kept, blob: keptBlob }, destroyed: { keyId: doomed, blob: doomedBlob }, b1, b2, ledger, liveError, publicKey: made.SignerPublicKey };
  } finally {
    kms.destroy();
    await server.close();
  }
}

/** Signs a tree head over the events so far (a checkpoint can be skipped while a commit is running: retried). */
async function signHead(server: InProcessServer): Promise<void> {
  for (let i = 0; i < 50 && (await server.app.audit.checkpoint()) === undefined; i++) await new Promise((ok) => setTimeout(ok, 20));
}

/** Decrypts; the plaintext as text. */
export async function decrypt(kms: KMSClient, blob: Uint8Array): Promise<string> {
  return Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();
}

/** The error a Decrypt answers (fails the test if it succeeds). */
export async function decryptError(kms: KMSClient, blob: Uint8Array): Promise<{ name: string; message: string }> {
  try {
    await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
  } catch (e) {
    assert.ok(e instanceof Error);
    return { name: e.name, message: e.message };
  }
  return assert.fail('the ciphertext of a destroyed key decrypted');
}

/** Tables whose rows name a key, and the column that does (neutral rows of backupRows). */
const KEY_COLUMN: Record<string, number> = { keys: 0, key_versions: 0, aliases: 1, tags: 0, key_policy_principals: 0, key_rotation: 0, key_destructions: 0, grants: 2 };

/** A key's rows in every domain table of a backup (decrypted with the dev root): what a restore left of it. */
export async function rowsOfKey(file: string, rootFile: string, keyId: string): Promise<Record<string, unknown[][]>> {
  const rows = await backupRows(readFileSync(file), rootFile);
  return Object.fromEntries(Object.entries(KEY_COLUMN).map(([table, column]) => [table, (rows.get(table) ?? []).filter((r) => r[column] === keyId)]));
}

/** Runs the built CLI against an in-process server without blocking its event loop. */
export async function arcaAsync(server: Pick<InProcessServer, 'endpoint' | 'credentials'>, ...args: string[]): Promise<string> {
  const env = { PATH: process.env['PATH'], ARCA_ENDPOINT: server.endpoint, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey, AWS_REGION: server.credentials.region };
  return (await promisify(execFile)(process.execPath, [ARCA_BIN, ...args], { encoding: 'utf8', env })).stdout;
}

/** Serves a restored store, runs `check` with a client, then checks that `arca audit verify` passes. */
export async function withRestored(config: Partial<Omit<DevAppConfig, 'realm' | 'logger'>>, check: (kms: KMSClient, server: InProcessServer) => Promise<void>): Promise<void> {
  const server = await startInProcess({ schedulerIntervalMs: 0, ...config });
  const kms = kmsClient(server);
  try {
    await check(kms, server);
    const verified = await arcaAsync(server, 'audit', 'verify');
    assert.match(verified, /OK|verified/i, verified);
  } finally {
    kms.destroy();
    await server.close();
  }
}
