import {
  AlgorithmSuiteIdentifier,
  buildClient,
  CommitmentPolicy,
  getLocalCryptographicMaterialsCache,
  KmsKeyringNode,
  NodeCachingMaterialsManager,
  type KeyringNode,
  type MessageHeader,
  type NodeMaterialsManager,
} from '@aws-crypto/client-node';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PassThrough, Transform, type Duplex, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArcaKms } from './arca-kms.js';
import { EncryptionCliError } from './errors.js';

/**
 * Streaming files and pipes through the AWS Encryption SDK message format (issue 23): the SDK's own
 * `encryptStream`/`decryptStream` in a `pipeline`, so memory stays constant whatever the size, and a file
 * output is written under a temporary name in the same directory and renamed only once the whole message
 * was verified (a signed message's signature is checked at its end: a tampered file leaves no output).
 */

/** Committing suites only, both ways (the Encryption SDK's default and recommended policy). */
const sdk = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);

/**
 * 64 KiB frames: 16 times fewer frames (cipher set-ups, tags) than the SDK's 4 KiB default, still a small
 * constant buffer for a streaming decrypt; every Encryption SDK reads any frame length.
 */
export const DEFAULT_FRAME_LENGTH = 64 * 1024;

export type EncryptionContext = Readonly<Record<string, string>>;

/** Where a message goes: a file (atomically, through a temp name) or an open stream (stdout: no such promise). */
export type Destination = { readonly file: string } | { readonly stream: Writable };

/** What one streamed message was. */
export interface StreamOutcome {
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** The message id, hex. */
  readonly messageId: string;
  /** The algorithm suite's name (`ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384`). */
  readonly algorithmSuite: string;
  readonly encryptionContext: EncryptionContext;
}

/** Encrypts under `keyArnOrAlias` with `kms`'s client; one keyring per call. */
export function encryptKeyring(kms: ArcaKms, keyId: string): KmsKeyringNode {
  return new KmsKeyringNode({ generatorKeyId: keyId, clientProvider: (region: string) => kms.client(region || undefined) });
}

/**
 * The keyring that decrypts: only data keys wrapped by one of `keyArns`, or, without any, by any key of
 * `account` (discovery with a filter, so a message whose data key names another account is refused
 * without asking anyone).
 */
export function decryptKeyring(kms: ArcaKms, allow: { readonly keyArns: readonly string[] } | { readonly account: string; readonly partition: string }): KmsKeyringNode {
  const clientProvider = (region: string) => kms.client(region || undefined);
  if ('keyArns' in allow) return new KmsKeyringNode({ keyIds: [...allow.keyArns], clientProvider });
  return new KmsKeyringNode({ discovery: true, discoveryFilter: { accountIDs: [allow.account], partition: allow.partition }, clientProvider });
}

/** The data-key cache of a batch (`--cache-max-age` seconds, `--cache-max-messages` messages per data key). */
export function cachingMaterials(keyring: KeyringNode, maxAgeSeconds: number, maxMessages: number): NodeCachingMaterialsManager {
  return new NodeCachingMaterialsManager({
    backingMaterials: keyring,
    cache: getLocalCryptographicMaterialsCache(Math.max(1, Math.min(maxMessages, 1000))),
    maxAge: maxAgeSeconds * 1000,
    maxMessagesEncrypted: maxMessages,
  });
}

/** Counts the bytes passing through (and reports them, for a progress bar). */
function byteCounter(onBytes?: (n: number) => void): Transform & { count: number } {
  const counter = Object.assign(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        counter.count += chunk.length;
        onBytes?.(chunk.length);
        done(null, chunk);
      },
    }),
    { count: 0 },
  );
  return counter;
}

/**
 * Cuts chunks so that none crosses a frame boundary. Why: the Encryption SDK's framed encrypt stream
 * (4.2.x) subtracts a chunk's tail from `plaintextLength` a second time when it re-enters `_transform`
 * with it, so a file larger than a frame, read in chunks larger than a frame, fails with "Encrypted data
 * exceeded plaintextLength" although it is exactly that length. Frame-aligned chunks have no tail.
 */
function frameAligned(frameLength: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let at = 0;
      while (at < chunk.length) {
        const take = Math.min(frameLength - offset, chunk.length - at);
        this.push(chunk.subarray(at, at + take));
        at += take;
        offset = (offset + take) % frameLength;
      }
      done();
    },
  });
}

function suiteName(id: number): string {
  return AlgorithmSuiteIdentifier[id] ?? `0x${id.toString(16).padStart(4, '0')}`;
}

/** Pipes `source` through `transform` to `destination`; a file appears only when everything succeeded. */
async function run(source: Readable, transform: Duplex, destination: Destination, onBytes?: (n: number) => void, align?: Transform): Promise<StreamOutcome> {
  let header: MessageHeader | undefined;
  transform.once('MessageHeader', (h: MessageHeader) => (header = h));
  const bytesIn = byteCounter(onBytes);
  const bytesOut = byteCounter();
  const input: Duplex = align ?? new PassThrough();
  if ('stream' in destination) {
    await pipeline(source, bytesIn, input, transform, bytesOut, destination.stream);
  } else {
    const temp = join(dirname(destination.file), `.${basename(destination.file)}.${randomBytes(6).toString('hex')}.part`);
    try {
      await pipeline(source, bytesIn, input, transform, bytesOut, createWriteStream(temp, { flags: 'wx', mode: 0o600 }));
      await rename(temp, destination.file);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }
  if (header === undefined) throw new EncryptionCliError('InvalidCiphertext', 'the message has no header');
  return {
    bytesIn: bytesIn.count,
    bytesOut: bytesOut.count,
    messageId: Buffer.from(header.messageId).toString('hex'),
    algorithmSuite: suiteName(header.suiteId),
    encryptionContext: { ...header.encryptionContext },
  };
}

export interface EncryptInput {
  readonly materials: KeyringNode | NodeMaterialsManager;
  readonly context: EncryptionContext;
  /** The plaintext's size when known (a file): the data-key cache is used only then. */
  readonly plaintextLength?: number | undefined;
  /** Plaintext bytes per frame (the SDK's default is 4096); decrypt holds one frame at a time. */
  readonly frameLength?: number | undefined;
  readonly onBytes?: ((n: number) => void) | undefined;
}

/** Encrypts `source` into one Encryption SDK message at `destination`. */
export function encryptMessage(source: Readable, destination: Destination, input: EncryptInput): Promise<StreamOutcome> {
  const frameLength = input.frameLength ?? DEFAULT_FRAME_LENGTH;
  const transform = sdk.encryptStream(input.materials, {
    encryptionContext: { ...input.context },
    frameLength,
    ...(input.plaintextLength !== undefined && { plaintextLength: input.plaintextLength }),
  });
  return run(source, transform, destination, input.onBytes, input.plaintextLength !== undefined ? frameAligned(frameLength) : undefined);
}

export interface DecryptInput {
  readonly materials: KeyringNode | NodeMaterialsManager;
  /** Pairs the message's encryption context must contain (checked on the header, before any plaintext). */
  readonly expectContext: EncryptionContext;
  readonly onBytes?: ((n: number) => void) | undefined;
}

/** The `--context` pairs missing from (or different in) `actual`, as `k=v` texts. */
export function missingContext(expected: EncryptionContext, actual: EncryptionContext): string[] {
  return Object.entries(expected)
    .filter(([k, v]) => actual[k] !== v)
    .map(([k, v]) => `${k}=${v}`);
}

/** Decrypts one Encryption SDK message from `source` to `destination`, refusing a context without `expectContext`. */
export function decryptMessage(source: Readable, destination: Destination, input: DecryptInput): Promise<StreamOutcome> {
  const transform = sdk.decryptStream(input.materials);
  transform.once('MessageHeader', (h: MessageHeader) => {
    const missing = missingContext(input.expectContext, h.encryptionContext);
    if (missing.length > 0) {
      transform.destroy(new EncryptionCliError('EncryptionContextMismatch', `the message's encryption context does not contain ${missing.join(', ')}`));
    }
  });
  return run(source, transform, destination, input.onBytes);
}
