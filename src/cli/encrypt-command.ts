import { Command, InvalidArgumentError, Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { ArcaKms } from './encryption/arca-kms.js';
import { errorLine, EncryptionCliError } from './encryption/errors.js';
import { cachingMaterials, DEFAULT_FRAME_LENGTH, decryptKeyring, decryptMessage, encryptKeyring, encryptMessage, type Destination, type EncryptionContext, type StreamOutcome } from './encryption/message-stream.js';
import { clientOf, globalsOf } from './globals.js';

/**
 * `arca encrypt` and `arca decrypt` (issue 23): files and streams in the AWS Encryption SDK message format,
 * under an Arca key, so the official aws-encryption-cli and every Encryption SDK read what these write and
 * the reverse (docs/encrypt-files.md). `-` is stdin / stdout.
 */

/** The streams a command reads and writes (the process's, or a test's). */
export interface CommandIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { readonly isTTY?: boolean | undefined };
}

const processIo = (): CommandIo => ({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });

/** `k=v` (repeatable) into an encryption context; the value may contain `=`. */
function collectContext(pair: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = pair.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`write --context as key=value, not '${pair}'`);
  return { ...previous, [pair.slice(0, at)]: pair.slice(at + 1) };
}

function positiveInt(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive whole number, not '${text}'`);
  return n;
}

interface Plan {
  readonly input: string;
  readonly destination: Destination;
  readonly output: string;
}

/** Where each input goes: `-o OUT` for one input, `--output-dir D` for any number; exit 2 otherwise. */
function plan(inputs: readonly string[], out: string | undefined, outputDir: string | undefined, rename: (name: string) => string, io: CommandIo): Plan[] | string {
  if ((out === undefined) === (outputDir === undefined)) return 'give either -o OUT (one input) or --output-dir DIR';
  if (out !== undefined) {
    if (inputs.length !== 1) return `-o takes one input, not ${inputs.length}: use --output-dir for several`;
    const input = inputs[0] ?? '-';
    return [{ input, output: out, destination: out === '-' ? { stream: io.stdout } : { file: out } }];
  }
  if (inputs.includes('-')) return 'stdin (-) needs -o, not --output-dir';
  return inputs.map((input) => {
    const output = join(outputDir ?? '.', rename(basename(input)));
    return { input, output, destination: { file: output } };
  });
}

/** Opens an input, with its size when it is a file (the data-key cache and the progress bar need it). */
async function open(input: string, io: CommandIo): Promise<{ source: Readable; size?: number }> {
  if (input === '-') return { source: io.stdin };
  const info = await stat(input);
  if (!info.isFile()) throw new EncryptionCliError('InvalidInput', `${input} is not a file`);
  return { source: createReadStream(input, { highWaterMark: 1 << 20 }), size: info.size };
}

/** A progress bar on stderr, only on a terminal and for an input of known size. */
function progressFor(io: CommandIo, name: string, size: number | undefined): { onBytes?: (n: number) => void; stop(): void } {
  if (io.stderr.isTTY !== true || size === undefined) return { stop: () => undefined };
  const bar = new SingleBar({ stream: io.stderr, format: `${name} [{bar}] {percentage}% {value}/{total} bytes`, hideCursor: true, clearOnComplete: true });
  bar.start(size, 0);
  let done = 0;
  return { onBytes: (n) => bar.update((done += n)), stop: () => bar.stop() };
}

interface Summary {
  readonly operation: 'encrypt' | 'decrypt';
  readonly key?: string | undefined;
  readonly files: readonly (StreamOutcome & { readonly input: string; readonly output: string })[];
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly generateDataKeyCalls: number;
}

/** Prints the `--output json` summary (on stderr when the message itself went to stdout). */
function report(cmd: Command, io: CommandIo, summary: Summary, toStdout: boolean): void {
  const text = `${JSON.stringify(summary, null, 2)}\n`;
  if (globalsOf(cmd).output === 'json') (toStdout ? io.stderr : io.stdout).write(text);
  else if (summary.operation === 'encrypt' && summary.files.length > 1) {
    io.stderr.write(`arca: encrypted ${summary.files.length} files with ${summary.generateDataKeyCalls} GenerateDataKey call(s)\n`);
  }
}

interface Shared {
  readonly context?: Record<string, string>;
  readonly out?: string;
  readonly outputDir?: string;
}

/** Streams every planned input; stops at the first failure (earlier outputs stay, the failed one never appears). */
async function streamAll(io: CommandIo, plans: readonly Plan[], one: (source: Readable, p: Plan, size: number | undefined, onBytes?: (n: number) => void) => Promise<StreamOutcome>): Promise<Summary['files']> {
  const files: (StreamOutcome & { input: string; output: string })[] = [];
  for (const p of plans) {
    const { source, size } = await open(p.input, io);
    const progress = progressFor(io, basename(p.input), size);
    try {
      files.push({ input: p.input, output: p.output, ...(await one(source, p, size, progress.onBytes)) });
    } finally {
      progress.stop();
    }
  }
  return files;
}

const sum = (files: Summary['files'], k: 'bytesIn' | 'bytesOut') => files.reduce((n, f) => n + f[k], 0);

async function runEncrypt(inputs: string[], opts: Shared & { key: string; frameLength: number; cacheMaxAge: number; cacheMaxMessages: number }, cmd: Command, io: CommandIo): Promise<number> {
  const plans = plan(inputs, opts.out, opts.outputDir, (name) => `${name}.encrypted`, io);
  if (typeof plans === 'string') return usage(io, plans);
  const kms = new ArcaKms(clientOf(cmd), globalsOf(cmd).profile);
  try {
    const keyring = encryptKeyring(kms, opts.key);
    // Many files share data keys through the cache (each still gets its own message id and derived key).
    const materials = plans.length > 1 ? cachingMaterials(keyring, opts.cacheMaxAge, opts.cacheMaxMessages) : keyring;
    const context: EncryptionContext = opts.context ?? {};
    const files = await streamAll(io, plans, (source, p, size, onBytes) => encryptMessage(source, p.destination, { materials, context, plaintextLength: size, frameLength: opts.frameLength, onBytes }));
    report(cmd, io, { operation: 'encrypt', key: opts.key, files, bytesIn: sum(files, 'bytesIn'), bytesOut: sum(files, 'bytesOut'), generateDataKeyCalls: kms.generateDataKeyCalls }, opts.out === '-');
    return 0;
  } catch (e) {
    io.stderr.write(errorLine(e));
    return 1;
  } finally {
    kms.destroy();
  }
}

async function runDecrypt(inputs: string[], opts: Shared & { key?: string[] }, cmd: Command, io: CommandIo): Promise<number> {
  const plans = plan(inputs, opts.out, opts.outputDir, (name) => (name.endsWith('.encrypted') ? name.slice(0, -'.encrypted'.length) : `${name}.decrypted`), io);
  if (typeof plans === 'string') return usage(io, plans);
  const kms = new ArcaKms(clientOf(cmd), globalsOf(cmd).profile);
  try {
    const keys = opts.key ?? [];
    const allow = keys.length > 0 ? { keyArns: await Promise.all(keys.map((k) => kms.keyArn(k))) } : await kms.callerAccount();
    const materials = decryptKeyring(kms, allow);
    const expectContext: EncryptionContext = opts.context ?? {};
    const files = await streamAll(io, plans, (source, p, _size, onBytes) => decryptMessage(source, p.destination, { materials, expectContext, onBytes }));
    report(cmd, io, { operation: 'decrypt', key: keys.length > 0 ? keys.join(',') : undefined, files, bytesIn: sum(files, 'bytesIn'), bytesOut: sum(files, 'bytesOut'), generateDataKeyCalls: kms.generateDataKeyCalls }, opts.out === '-');
    return 0;
  } catch (e) {
    io.stderr.write(errorLine(e));
    return 1;
  } finally {
    kms.destroy();
  }
}

function usage(io: CommandIo, message: string): number {
  io.stderr.write(`arca: ${message}\n`);
  return 2;
}

const contextOption = (what: string) => new Option('--context <key=value>', what).argParser(collectContext);

/** `arca encrypt --key K [--context k=v ...] IN -o OUT` or `... IN... --output-dir D`. */
export function encryptCommand(io: CommandIo = processIo()): Command {
  return new Command('encrypt')
    .description('Encrypt files or stdin into AWS Encryption SDK messages under an Arca key')
    .argument('<inputs...>', 'files to encrypt (- for stdin)')
    .requiredOption('--key <key>', 'the key: id, ARN, alias/name or alias ARN')
    .addOption(contextOption('an encryption context pair (repeatable); decrypt can require it'))
    .option('-o, --out <file>', 'where the message goes (- for stdout); one input only')
    .option('--output-dir <dir>', 'write each input to DIR/<name>.encrypted (data keys cached across files)')
    .addOption(new Option('--frame-length <bytes>', 'plaintext bytes per frame').argParser(positiveInt).default(DEFAULT_FRAME_LENGTH))
    .addOption(new Option('--cache-max-age <seconds>', 'how long a cached data key is reused').argParser(positiveInt).default(300))
    .addOption(new Option('--cache-max-messages <n>', 'how many messages a cached data key encrypts').argParser(positiveInt).default(1000))
    .action(async (inputs: string[], opts: Shared & { key: string; frameLength: number; cacheMaxAge: number; cacheMaxMessages: number }, cmd: Command) => {
      process.exitCode = await runEncrypt(inputs, opts, cmd, io);
    });
}

/** `arca decrypt [--key K ...] [--context k=v ...] IN -o OUT` or `... IN... --output-dir D`. */
export function decryptCommand(io: CommandIo = processIo()): Command {
  return new Command('decrypt')
    .description('Decrypt AWS Encryption SDK messages whose data key an Arca key wrapped')
    .argument('<inputs...>', 'messages to decrypt (- for stdin)')
    .addOption(new Option('--key <key>', 'accept only data keys wrapped by this key (repeatable); default: any key of your account').argParser((k: string, prev: string[] = []) => [...prev, k]))
    .addOption(contextOption('a pair the message\'s encryption context must contain (repeatable)'))
    .option('-o, --out <file>', 'where the plaintext goes (- for stdout); one input only')
    .option('--output-dir <dir>', 'write each input to DIR/<name without .encrypted>')
    .action(async (inputs: string[], opts: Shared & { key?: string[] }, cmd: Command) => {
      process.exitCode = await runDecrypt(inputs, opts, cmd, io);
    });
}
