/**
 * The AWS CLI blocks of docs/signing.md and docs/hmac.md, run as written in a user's shell (in a scratch
 * directory whose `.arca-dev` is the dev server's data directory), so the pages stay true.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cliOrSkip } from '../helpers/aws-cli.js';
import { REPO_ROOT, removeDir, startDevServer, type DevServer } from '../helpers/server.js';

/** The ```sh blocks of a docs page, in order, up to the heading `until` (if given). */
function shellBlocks(page: string, until?: string): string[] {
  let text = readFileSync(join(REPO_ROOT, 'docs', page), 'utf8');
  if (until !== undefined) text = text.slice(0, text.indexOf(until));
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
}

function bash(script: string, cwd: string, path: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: path, HOME: cwd, AWS_PAGER: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
    execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd, env, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

describe('docs pages run as written with the AWS CLI', () => {
  let server: DevServer;
  let work: string;
  before(async () => {
    server = await startDevServer();
    work = mkdtempSync(join(tmpdir(), 'arca-docs-'));
    symlinkSync(server.dataDir, join(work, '.arca-dev'));
    writeFileSync(join(work, 'big.iso'), Buffer.alloc(100_000, 1));
  });
  after(async () => {
    await server.stop();
    removeDir(server.dataDir);
    rmSync(work, { recursive: true, force: true });
  });

  it('docs/signing.md: create, sign, verify, sign a digest, fetch the public key and verify with openssl alone', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const blocks = shellBlocks('signing.md', '## RSA encryption keys');
    const ecdsa = blocks.find((b) => b.startsWith('# ECDSA_SHA_256'));
    assert.ok(ecdsa, 'the page has the ECDSA openssl block');
    const script = [...blocks.filter((b) => !b.startsWith('# ')), ecdsa].join('\n');
    const r = await bash(script, work, `${dirname(cli)}:${process.env.PATH ?? ''}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"SignatureValid": true/);
    assert.match(r.stdout, /Verified OK/);
  });

  it('docs/hmac.md: create an HMAC key, generate and verify a MAC', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const r = await bash(shellBlocks('hmac.md').join('\n'), work, `${dirname(cli)}:${process.env.PATH ?? ''}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"MacValid": true/);
  });

  it('docs/byok.md: create an EXTERNAL key, get parameters, wrap with openssl, import, delete', async (t) => {
    const cli = cliOrSkip(t);
    if (cli === undefined) return;
    const blocks = shellBlocks('byok.md');
    const [create, params, ...rest] = blocks;
    const wrap = rest.find((b) => b.startsWith('# wrap with RSAES_OAEP_SHA_256'));
    const importBlock = rest.find((b) => b.startsWith('aws kms import-key-material'));
    const deleteBlock = rest.find((b) => b.startsWith('aws kms delete-imported-key-material'));
    assert.ok(create && params && wrap && importBlock && deleteBlock, 'the page has every step');
    const state = 'aws kms describe-key --endpoint-url "$ARCA_ENDPOINT" --key-id "$KEY_ID" --query KeyMetadata.KeyState --output text\n';
    const script = ['source .arca-dev/credentials.env', create, 'openssl rand -out PlaintextKeyMaterial.bin 32', params, wrap, importBlock, state, deleteBlock, state].join('\n');
    const r = await bash(script, work, `${dirname(cli)}:${process.env.PATH ?? ''}`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').filter((l) => /^(Enabled|PendingImport)$/.test(l)), ['Enabled', 'PendingImport']);
  });
});
