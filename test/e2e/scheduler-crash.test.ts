/**
 * Scheduler crash safety: a real `arca dev` process is SIGKILLed in the middle of a lifecycle job (held
 * there by the insecure test-only hook ARCA_INSECURE_TEST_PAUSE_JOB_AT), then restarted: the end result is
 * exactly one rotation and exactly one completed destruction, never two and never half of one. Time is
 * moved with ARCA_INSECURE_TEST_CLOCK_OFFSET_MS; the SDK client signs with the same offset.
 */
import { CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, KMSClient, ListKeyRotationsCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { kmsClient } from '../helpers/kms-client.js';
import { DAY, filesContaining, wrappedRows } from '../helpers/lifecycle.js';
import { ARCA_BIN, readCredentials, removeDir, startDevServer, tempDataDir } from '../helpers/server.js';

const OFFSET = 8 * DAY;

/** Starts `arca dev` with the test hooks; resolves when it listens or when it reports the pause. */
async function startWithHooks(dataDir: string, pauseAt: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, ARCA_INSECURE_TEST_CLOCK_OFFSET_MS: String(OFFSET) };
  if (pauseAt !== undefined) env['ARCA_INSECURE_TEST_PAUSE_JOB_AT'] = pauseAt;
  const child = spawn(process.execPath, [ARCA_BIN, 'dev', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--quiet', '--min-rotation-days', '1'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const reached = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`arca dev neither listened nor paused in 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = /paused at (\S+)|listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1] ?? m[2] ?? '');
      }
    };
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), check()));
    child.stderr.on('data', (d: Buffer) => ((out += d.toString()), check()));
    void exited.then(() => fail(new Error(`arca dev exited early:\n${out}`)));
  });
  return {
    reached,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function facts(dataDir: string, rotatingKey: string, deletedKey: string) {
  const db = new Database(join(dataDir, 'arca.db'), { readonly: true });
  try {
    const count = (sql: string, id: string) => db.prepare<[string], { n: number }>(sql).get(id)?.n ?? -1;
    return {
      versions: count('SELECT COUNT(*) AS n FROM key_versions WHERE key_id = ?', rotatingKey),
      deletedKeyRows: count('SELECT COUNT(*) AS n FROM key_versions WHERE key_id = ?', deletedKey),
      destructions: count('SELECT COUNT(*) AS n FROM key_destructions WHERE key_id = ?', deletedKey),
    };
  } finally {
    db.close();
  }
}

describe('scheduler crash safety', () => {
  it('SIGKILL at every step of a rotation and a destruction, then restart: exactly one rotation and one complete destruction', async () => {
    const dataDir = tempDataDir();
    try {
      const setup = await startDevServer({ dataDir, args: ['--min-rotation-days', '1'] });
      const kms = kmsClient(setup);
      const rotating = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
      await kms.send(new EnableKeyRotationCommand({ KeyId: rotating, RotationPeriodInDays: 1 }));
      const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
      await kms.send(new EncryptCommand({ KeyId: doomed, Plaintext: Buffer.from('x') }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
      await setup.stop();
      const canary = wrappedRows(dataDir, doomed).map((r) => r.wrapped);
      assert.equal(canary.length, 1);

      const steps: { pause: string; expect: ReturnType<typeof facts> }[] = [
        { pause: 'rotation:before-commit', expect: { versions: 1, deletedKeyRows: 1, destructions: 0 } },
        { pause: 'rotation:after-commit', expect: { versions: 2, deletedKeyRows: 1, destructions: 0 } },
        { pause: 'deletion:before-commit', expect: { versions: 2, deletedKeyRows: 1, destructions: 0 } },
        { pause: 'deletion:after-commit', expect: { versions: 2, deletedKeyRows: 0, destructions: 1 } },
      ];
      for (const step of steps) {
        const server = await startWithHooks(dataDir, step.pause);
        assert.equal(server.reached, step.pause, `the job reached ${step.pause}`);
        await server.kill();
        assert.deepEqual(facts(dataDir, rotating, doomed), step.expect, `after SIGKILL at ${step.pause}`);
      }

      const final = await startWithHooks(dataDir, undefined);
      assert.match(final.reached, /^http:/);
      try {
        const creds = readCredentials(dataDir);
        // A fresh client per call: the SDK re-derives its clock offset from each response's Date header.
        const client = () => new KMSClient({
          endpoint: final.reached,
          region: creds.region,
          credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
          maxAttempts: 1,
          systemClockOffset: OFFSET,
        });
        const rotations = await client().send(new ListKeyRotationsCommand({ KeyId: rotating }));
        assert.equal(rotations.Rotations?.length, 1, 'exactly one rotation');
        assert.equal(rotations.Rotations?.[0]?.RotationType, 'AUTOMATIC');
        await assert.rejects(client().send(new DescribeKeyCommand({ KeyId: doomed })), { name: 'NotFoundException' });
        // Checked while the server runs: a clean shutdown would checkpoint the WAL anyway.
        assert.deepEqual(filesContaining(dataDir, canary), [], 'the start-up scrub finished the interrupted destruction');
      } finally {
        await final.stop();
      }
      assert.deepEqual(facts(dataDir, rotating, doomed), { versions: 2, deletedKeyRows: 0, destructions: 1 });
      assert.deepEqual(filesContaining(dataDir, canary), [], 'the destroyed key material is gone from the files');
    } finally {
      removeDir(dataDir);
    }
  });
});
