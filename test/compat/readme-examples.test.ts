import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { REPO_ROOT, removeDir, startDevServer, type DevServer } from '../helpers/server.js';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const EXAMPLES = ['cli-roundtrip.sh', 'sdk-encrypt.mjs', 'encryption-sdk.mjs'];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

/** The README's copy-paste examples, run as a user would after `npm start`. */
describe('README examples', () => {
  let server: DevServer;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    server = await startDevServer();
    // What `source .arca-dev/credentials.env` gives a user's shell.
    env = {
      PATH: process.env.PATH,
      HOME: server.dataDir,
      ARCA_DATA_DIR: server.dataDir,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_REGION: server.credentials.region,
      ARCA_ENDPOINT: server.endpoint,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
  });

  for (const file of EXAMPLES) {
    it(`README shows docs/examples/${file} unchanged`, () => {
      const text = readFileSync(join(REPO_ROOT, 'docs', 'examples', file), 'utf8');
      assert.ok(README.includes(text.trimEnd()), `README.md does not contain the current text of docs/examples/${file}`);
    });
  }

  it('the AWS CLI example round-trips', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    // The example calls `aws`: put the v2 CLI first on PATH, as a user with it installed would have.
    const r = await run('bash', [join('docs', 'examples', 'cli-roundtrip.sh')], { ...env, PATH: `${dirname(cli)}:${env.PATH ?? ''}` });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello, arca\n');
  });

  it('the AWS SDK example round-trips', async () => {
    const r = await run(process.execPath, ['--no-warnings', join('docs', 'examples', 'sdk-encrypt.mjs')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^hello from the SDK decrypted with arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}\n$/);
  });

  it('the AWS Encryption SDK example round-trips with either key', async () => {
    const r = await run(process.execPath, ['--no-warnings', join('docs', 'examples', 'encryption-sdk.mjs')], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello from the Encryption SDK example\n');
  });
});
