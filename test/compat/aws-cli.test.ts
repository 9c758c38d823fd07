/**
 * Compatibility: the AWS CLI v2 (Python botocore, a different SigV4 and JSON implementation than the JS
 * SDK) against a real `arca dev` process. The Debian package (2.9) predates AWS_ENDPOINT_URL_KMS, so
 * every call passes `--endpoint-url`. Without a v2 CLI the tests skip with a reason, except in CI
 * (`CI=true`), where a missing CLI is a failure: a compatibility suite that silently runs nothing proves nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { removeDir, startDevServer, type DevServer } from '../helpers/server.js';

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

let server: DevServer;
let home: string;

/** Runs `aws kms <args>` against the dev server with only the server's credentials in its environment. */
function awsKms(cli: string, args: readonly string[]): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_REGION: server.credentials.region,
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  return new Promise((resolve, reject) => {
    execFile(
      cli,
      ['kms', ...args, '--endpoint-url', server.endpoint, '--output', 'json', '--cli-read-timeout', '30', '--cli-connect-timeout', '10'],
      { env, cwd: home, encoding: 'utf8', timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`could not run ${cli}: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ code: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/** Runs the CLI, requires success, and parses its JSON output with `schema`. */
async function awsKmsJson<T>(cli: string, args: readonly string[], schema: z.ZodType<T>): Promise<T> {
  const r = await awsKms(cli, args);
  assert.equal(r.code, 0, `aws kms ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}`);
  return schema.parse(JSON.parse(r.stdout));
}

const keyMetadataOutput = z.object({
  KeyMetadata: z.object({ KeyId: z.string(), Arn: z.string(), KeyState: z.literal('Enabled'), KeySpec: z.literal('SYMMETRIC_DEFAULT') }),
});
const encryptOutput = z.object({ CiphertextBlob: z.string().min(1), KeyId: z.string(), EncryptionAlgorithm: z.literal('SYMMETRIC_DEFAULT') });
const decryptOutput = z.object({ Plaintext: z.string(), KeyId: z.string(), EncryptionAlgorithm: z.literal('SYMMETRIC_DEFAULT') });

/** Writes `bytes` to a fresh file under the temp HOME and returns its `fileb://` reference. */
function fileb(bytes: Buffer): string {
  const path = join(home, `${randomUUID()}.bin`);
  writeFileSync(path, bytes);
  return `fileb://${path}`;
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'arca-cli-home-'));
  server = await startDevServer();
});

after(async () => {
  if (server) {
    await server.stop();
    removeDir(server.dataDir);
  }
  if (home) removeDir(home);
});

describe('AWS CLI v2 against Arca', () => {
  it('create-key, encrypt of a binary file and decrypt give back the same bytes', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const created = await awsKmsJson(cli, ['create-key', '--description', 'aws cli compat'], keyMetadataOutput);
    const plaintext = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

    const enc = await awsKmsJson(
      cli,
      ['encrypt', '--key-id', created.KeyMetadata.KeyId, '--plaintext', fileb(plaintext), '--encryption-context', 'purpose=cli,tenant=acme'],
      encryptOutput,
    );
    assert.equal(enc.KeyId, created.KeyMetadata.Arn);
    const blob = Buffer.from(enc.CiphertextBlob, 'base64');
    assert.equal(blob.includes(plaintext), false, 'the ciphertext does not contain the plaintext');

    const dec = await awsKmsJson(cli, ['decrypt', '--ciphertext-blob', fileb(blob), '--encryption-context', 'purpose=cli,tenant=acme'], decryptOutput);
    assert.equal(dec.KeyId, created.KeyMetadata.Arn);
    assert.deepEqual(Buffer.from(dec.Plaintext, 'base64'), plaintext);

    const wrongContext = await awsKms(cli, ['decrypt', '--ciphertext-blob', fileb(blob), '--encryption-context', 'purpose=other']);
    assert.notEqual(wrongContext.code, 0);
    assert.match(wrongContext.stderr, /InvalidCiphertextException/);
  });

  it('create-alias makes the key usable for encrypt by its alias name', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const created = await awsKmsJson(cli, ['create-key'], keyMetadataOutput);
    const alias = `alias/cli-${randomUUID().slice(0, 8)}`;
    const made = await awsKms(cli, ['create-alias', '--alias-name', alias, '--target-key-id', created.KeyMetadata.KeyId]);
    assert.equal(made.code, 0, made.stderr);
    assert.equal(made.stdout.trim(), '', 'create-alias prints nothing on success');

    const enc = await awsKmsJson(cli, ['encrypt', '--key-id', alias, '--plaintext', fileb(Buffer.from('via alias'))], encryptOutput);
    assert.equal(enc.KeyId, created.KeyMetadata.Arn);
    const ciphertextPath = join(home, `${randomUUID()}.ct`);
    writeFileSync(ciphertextPath, Buffer.from(enc.CiphertextBlob, 'base64'));
    const dec = await awsKmsJson(cli, ['decrypt', '--ciphertext-blob', `fileb://${ciphertextPath}`, '--key-id', alias], decryptOutput);
    assert.equal(dec.KeyId, created.KeyMetadata.Arn);
    assert.equal(Buffer.from(dec.Plaintext, 'base64').toString(), 'via alias');
  });

  it('list-keys with a small --page-size follows NextMarker until every key is listed', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const mine: string[] = [];
    for (let i = 0; i < 3; i++) mine.push((await awsKmsJson(cli, ['create-key'], keyMetadataOutput)).KeyMetadata.KeyId);
    // The CLI pages by itself (Limit 2, then Marker) and prints the merged list.
    const listed = await awsKmsJson(cli, ['list-keys', '--page-size', '2'], z.object({ Keys: z.array(z.object({ KeyId: z.string(), KeyArn: z.string() })) }));
    const ids = listed.Keys.map((k) => k.KeyId);
    assert.ok(ids.length >= 3, `expected at least 3 keys, got ${ids.length}`);
    assert.equal(new Set(ids).size, ids.length, 'no key is listed twice');
    for (const id of mine) assert.ok(ids.includes(id), `key ${id} was not listed`);
  });

  it('describe-key of an unknown key exits non-zero and reports NotFoundException', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const r = await awsKms(cli, ['describe-key', '--key-id', randomUUID()]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFoundException/);
    assert.equal(r.stdout.trim(), '');
  });
});
