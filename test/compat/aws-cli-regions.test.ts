/**
 * Issue 20: regions and multi-Region keys through the AWS CLI v2 against one `arca dev` process (which
 * serves any region by default): `--region` picks the namespace; create-key --multi-region, replicate-key,
 * decrypt in the other region, update-primary-region. Without a v2 CLI the test skips with a reason,
 * except in CI.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { removeDir, startDevServer, type DevServer } from '../helpers/server.js';

let server: DevServer;
let home: string;

/** `aws kms <args> --region <region>` with the server's credentials; the parsed JSON output (or the error text). */
function awsKms(cli: string, region: string, args: readonly string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '', HOME: home, AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true', AWS_MAX_ATTEMPTS: '1',
  };
  return new Promise((resolve, reject) => {
    execFile(cli, ['kms', ...args, '--region', region, '--endpoint-url', server.endpoint, '--output', 'json'], { env, cwd: home, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') return reject(new Error(`could not run ${cli}: ${error.message}`));
      resolve({ code: error === null ? 0 : Number(error.code), json: stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>), stderr });
    });
  });
}

async function ok(cli: string, region: string, args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await awsKms(cli, region, args);
  assert.equal(r.code, 0, `aws kms ${args.join(' ')} --region ${region}: ${r.stderr}`);
  return r.json;
}

describe('AWS CLI: regions and multi-Region keys (issue 20)', () => {
  before(async () => {
    server = await startDevServer();
    home = mkdtempSync(join(tmpdir(), 'arca-cli-regions-'));
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
    removeDir(home);
  });

  it('two regions are two namespaces; a multi-Region key replicated with replicate-key decrypts the other region\'s ciphertext; update-primary-region moves the primary', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    await ok(cli, 'eu-west-1', ['create-key', '--description', 'eu only']);
    const usKeys = (await ok(cli, 'us-east-1', ['list-keys']))['Keys'] as unknown[];
    const euKeys = (await ok(cli, 'eu-west-1', ['list-keys']))['Keys'] as { KeyArn: string }[];
    assert.equal(usKeys.length, 0, 'the eu-west-1 key is not in us-east-1');
    assert.match(euKeys[0]?.KeyArn ?? '', /^arn:aws:kms:eu-west-1:/);

    const meta = (await ok(cli, 'us-east-1', ['create-key', '--multi-region', '--description', 'orders']))['KeyMetadata'] as { KeyId: string; MultiRegion: boolean };
    assert.match(meta.KeyId, /^mrk-/);
    assert.equal(meta.MultiRegion, true);
    const plain = join(home, 'plain.txt');
    writeFileSync(plain, 'replicated secret');
    const blob = String((await ok(cli, 'us-east-1', ['encrypt', '--key-id', meta.KeyId, '--plaintext', `fileb://${plain}`]))['CiphertextBlob']);
    const replica = (await ok(cli, 'us-east-1', ['replicate-key', '--key-id', meta.KeyId, '--replica-region', 'eu-west-1']))['ReplicaKeyMetadata'] as { Arn: string };
    assert.equal(replica.Arn, `arn:aws:kms:eu-west-1:111122223333:key/${meta.KeyId}`);
    writeFileSync(join(home, 'blob'), Buffer.from(blob, 'base64'));
    const opened = await ok(cli, 'eu-west-1', ['decrypt', '--ciphertext-blob', `fileb://${join(home, 'blob')}`]);
    assert.equal(Buffer.from(String(opened['Plaintext']), 'base64').toString(), 'replicated secret');
    await ok(cli, 'us-east-1', ['update-primary-region', '--key-id', meta.KeyId, '--primary-region', 'eu-west-1']);
    const described = (await ok(cli, 'eu-west-1', ['describe-key', '--key-id', meta.KeyId]))['KeyMetadata'] as { MultiRegionConfiguration: { MultiRegionKeyType: string; ReplicaKeys: { Region: string }[] } };
    assert.equal(described.MultiRegionConfiguration.MultiRegionKeyType, 'PRIMARY');
    assert.deepEqual(described.MultiRegionConfiguration.ReplicaKeys.map((r) => r.Region), ['us-east-1']);
    const refused = await awsKms(cli, 'us-east-1', ['replicate-key', '--key-id', meta.KeyId, '--replica-region', 'ap-south-1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /UnsupportedOperationException/);
  });
});
