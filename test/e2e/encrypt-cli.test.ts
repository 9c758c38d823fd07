/**
 * `arca encrypt` / `arca decrypt` (issue 23) against a real in-process Arca: the files are AWS Encryption
 * SDK messages the SDK library reads, and the CLI reads the library's; refusals leave no output file.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { buildClient, CommitmentPolicy, KmsKeyringNode, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node';
import { randomBytes } from 'node:crypto';
import { CreateAliasCommand, CreateKeyCommand, KMS } from '@aws-sdk/client-kms';
import { Command } from 'commander';
import { decryptCommand, encryptCommand, type CommandIo } from '../../src/cli/encrypt-command.js';
import { withGlobalOptions } from '../../src/cli/globals.js';
import { startInProcess, type InProcessServer } from '../helpers/in-process.js';
import { removeDir, tempDataDir } from '../helpers/server.js';

interface Run {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

describe('arca encrypt / decrypt (Encryption SDK message format)', () => {
  let s: InProcessServer;
  let dir: string;
  let kms: KMS;
  let keyArn: string;
  let otherKeyArn: string;
  const saved = { ...process.env };
  const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

  before(async () => {
    s = await startInProcess();
    dir = tempDataDir();
    process.env['AWS_ACCESS_KEY_ID'] = s.credentials.accessKeyId;
    process.env['AWS_SECRET_ACCESS_KEY'] = s.credentials.secretAccessKey;
    process.env['AWS_REGION'] = s.credentials.region;
    kms = new KMS({ endpoint: s.endpoint, region: s.credentials.region, credentials: { accessKeyId: s.credentials.accessKeyId, secretAccessKey: s.credentials.secretAccessKey }, maxAttempts: 1 });
    keyArn = String((await kms.send(new CreateKeyCommand({ Description: 'files' }))).KeyMetadata?.Arn);
    otherKeyArn = String((await kms.send(new CreateKeyCommand({ Description: 'other' }))).KeyMetadata?.Arn);
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/files', TargetKeyId: keyArn }));
  });
  after(async () => {
    process.env = saved;
    kms.destroy();
    await s.close();
    removeDir(dir);
  });

  /** Runs `arca <args>` in process, with `stdin` as standard input; stdout and stderr captured. */
  async function arca(args: readonly string[], stdin: Buffer = Buffer.alloc(0), tty = false): Promise<Run> {
    const out: Buffer[] = [];
    const stdout = new PassThrough();
    stdout.on('data', (c: Buffer) => out.push(c));
    let stderr = '';
    const err = Object.assign(new PassThrough(), { isTTY: tty });
    err.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const io: CommandIo = { stdin: Readable.from([stdin]), stdout, stderr: err };
    process.exitCode = 0;
    const program = withGlobalOptions(new Command('arca')).addCommand(encryptCommand(io)).addCommand(decryptCommand(io)).exitOverride();
    await program.parseAsync(['--endpoint', s.endpoint, ...args], { from: 'user' });
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, stdout: Buffer.concat(out), stderr };
  }

  const keyring = () => new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => kms });
  const file = (name: string, content: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const leftovers = () => readdirSync(dir).filter((n) => n.endsWith('.part'));

  it('a file made by arca encrypt decrypts with the Encryption SDK library, context and all', async () => {
    const plain = Buffer.from('quarterly numbers\n'.repeat(1000));
    const input = file('report.txt', plain);
    const r = await arca(['encrypt', '--key', 'alias/files', '--context', 'dept=finance', '--context', 'purpose=a=b', input, '-o', join(dir, 'report.txt.encrypted'), '--output', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const summary = JSON.parse(r.stdout.toString('utf8')) as { files: { messageId: string; algorithmSuite: string; bytesIn: number }[]; key: string };
    assert.equal(summary.files[0]?.bytesIn, plain.length);
    assert.match(summary.files[0]?.messageId ?? '', /^[0-9a-f]{64}$/);
    assert.match(summary.files[0]?.algorithmSuite ?? '', /COMMIT_KEY/);
    const { plaintext, messageHeader } = await sdk.decrypt(keyring(), readFileSync(join(dir, 'report.txt.encrypted')));
    assert.deepEqual(plaintext, plain);
    assert.equal(messageHeader.encryptionContext['dept'], 'finance');
    assert.equal(messageHeader.encryptionContext['purpose'], 'a=b');
    assert.equal(messageHeader.encryptedDataKeys[0]?.providerInfo, keyArn);
  });

  it('a message made by the library decrypts with arca decrypt, which checks the context it is given', async () => {
    const plain = Buffer.from('from the library');
    const { result } = await sdk.encrypt(keyring(), plain, { encryptionContext: { dept: 'finance', team: 'ap' } });
    const input = file('lib.encrypted', result);
    const out = join(dir, 'lib.txt');
    const ok = await arca(['decrypt', '--context', 'dept=finance', input, '-o', out]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(readFileSync(out), plain);
    assert.equal(ok.stdout.length, 0, 'prints nothing without --output json');

    const refused = await arca(['decrypt', '--context', 'dept=legal', input, '-o', join(dir, 'refused.txt')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^arca: EncryptionContextMismatch: .*dept=legal\n$/);
    assert.equal(existsSync(join(dir, 'refused.txt')), false);
    assert.deepEqual(leftovers(), []);
  });

  it('refuses a message whose data key another key wrapped when --key names an allow-list', async () => {
    const input = file('allow.encrypted', (await sdk.encrypt(keyring(), Buffer.from('x'))).result);
    const refused = await arca(['decrypt', '--key', otherKeyArn, input, '-o', join(dir, 'allow.txt')]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^arca: NoAcceptableDataKey: .+\n$/);
    assert.equal(existsSync(join(dir, 'allow.txt')), false);
    const allowed = await arca(['decrypt', '--key', 'alias/files', input, '-o', join(dir, 'allow.txt')]);
    assert.equal(allowed.code, 0, allowed.stderr);
  });

  it('without --key, refuses a message whose data key no Arca key wrapped (a raw AES keyring\'s)', async () => {
    const raw = new RawAesKeyringNode({ keyName: 'local', keyNamespace: 'not-arca', unencryptedMasterKey: randomBytes(32), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING });
    const input = file('raw.encrypted', (await sdk.encrypt(raw, Buffer.from('not for arca'))).result);
    const r = await arca(['decrypt', input, '-o', join(dir, 'raw.txt')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^arca: NoAcceptableDataKey: .+\n$/);
    assert.equal(existsSync(join(dir, 'raw.txt')), false);
  });

  it('a tampered file is refused and leaves no output file', async () => {
    const plain = Buffer.alloc(200_000, 9);
    const { result } = await sdk.encrypt(keyring(), plain);
    const tampered = Buffer.from(result);
    const at = tampered.length - 5000; // in the last frames' body, after plaintext of earlier frames was released
    tampered[at] = (tampered[at] ?? 0) ^ 1;
    const input = file('tampered.encrypted', tampered);
    const out = join(dir, 'tampered.txt');
    const r = await arca(['decrypt', input, '-o', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^arca: InvalidCiphertext: the message is damaged, truncated or was tampered with \(.+\)\n$/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(leftovers(), []);

    const truncated = file('truncated.encrypted', result.subarray(0, result.length - 1000));
    const cut = await arca(['decrypt', truncated, '-o', out]);
    assert.equal(cut.code, 1, 'a truncated message is refused');
    assert.match(cut.stderr, /^arca: \S+: .+\n$/);
    assert.equal(existsSync(out), false);
    assert.deepEqual(leftovers(), []);
  });

  it('reads stdin and writes stdout with -', async () => {
    const plain = Buffer.from('piped through\n'.repeat(500));
    const enc = await arca(['encrypt', '--key', keyArn, '-', '-o', '-'], plain);
    assert.equal(enc.code, 0, enc.stderr);
    assert.deepEqual((await sdk.decrypt(keyring(), enc.stdout)).plaintext, plain);
    const dec = await arca(['decrypt', '-', '-o', '-', '--output', 'json'], enc.stdout);
    assert.equal(dec.code, 0, dec.stderr);
    assert.deepEqual(dec.stdout, plain);
    assert.equal((JSON.parse(dec.stderr) as { operation: string }).operation, 'decrypt', 'the summary goes to stderr when stdout carries the data');
  });

  it('many files with the data-key cache make fewer GenerateDataKey calls than files', async () => {
    const batch = join(dir, 'batch');
    const outDir = join(dir, 'batch-out');
    mkdirSync(batch);
    mkdirSync(outDir);
    const inputs = Array.from({ length: 8 }, (_, i) => file(join('batch', `f${i}.txt`), `file ${i}\n`));
    const r = await arca(['encrypt', '--key', 'alias/files', '--output-dir', outDir, '--output', 'json', ...inputs]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.toString('utf8')) as { files: { messageId: string }[]; generateDataKeyCalls: number };
    assert.equal(summary.files.length, 8);
    assert.equal(summary.generateDataKeyCalls, 1);
    assert.equal(new Set(summary.files.map((f) => f.messageId)).size, 8, 'every file is its own message');
    for (let i = 0; i < 8; i++) assert.equal((await sdk.decrypt(keyring(), readFileSync(join(outDir, `f${i}.txt.encrypted`)))).plaintext.toString(), `file ${i}\n`);

    const capped = await arca(['encrypt', '--key', 'alias/files', '--output-dir', outDir, '--output', 'json', '--cache-max-messages', '3', ...inputs]);
    assert.equal((JSON.parse(capped.stdout.toString('utf8')) as { generateDataKeyCalls: number }).generateDataKeyCalls, 3, '8 files, 3 messages per data key');

    const back = join(dir, 'batch-back');
    mkdirSync(back);
    const dec = await arca(['decrypt', '--output-dir', back, ...inputs.map((_, i) => join(outDir, `f${i}.txt.encrypted`))]);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(readFileSync(join(back, 'f7.txt'), 'utf8'), 'file 7\n');
  });

  it('a file larger than a frame, read in chunks larger than a frame, encrypts with its length declared', async () => {
    // Regression: the SDK counted a chunk's tail twice against plaintextLength ("exceeded plaintextLength").
    const plain = Buffer.alloc((3 << 20) + 123, 5);
    const input = file('big.bin', plain);
    for (const frame of ['4096', '65536', '1000']) {
      const r = await arca(['encrypt', '--key', keyArn, '--frame-length', frame, input, '-o', join(dir, 'big.encrypted')]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((await sdk.decrypt(keyring(), readFileSync(join(dir, 'big.encrypted')))).plaintext, plain);
    }
  });

  it('draws a progress bar on stderr when it is a terminal and the input is a file, not for stdin', async () => {
    const input = file('bar.txt', Buffer.alloc(3 << 20, 1));
    const r = await arca(['encrypt', '--key', keyArn, input, '-o', join(dir, 'bar.encrypted')], undefined, true);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /bar\.txt \[.*\] \d+% \d+\/3145728 bytes/);
    const piped = await arca(['encrypt', '--key', keyArn, '-', '-o', join(dir, 'piped.encrypted')], Buffer.from('x'), true);
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stderr, '', 'the size of stdin is unknown: no bar');
  });

  it('usage errors exit 2: both or neither of -o and --output-dir, -o with several inputs', async () => {
    const input = file('u.txt', 'u');
    assert.equal((await arca(['encrypt', '--key', keyArn, input])).code, 2);
    assert.equal((await arca(['encrypt', '--key', keyArn, input, '-o', join(dir, 'a'), '--output-dir', dir])).code, 2);
    assert.equal((await arca(['encrypt', '--key', keyArn, input, input, '-o', join(dir, 'b')])).code, 2);
  });
});
