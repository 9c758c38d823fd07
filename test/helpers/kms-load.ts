import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListResourceTagsCommand,
  TagResourceCommand,
} from '@aws-sdk/client-kms';

/**
 * A mixed AWS SDK v3 load against several Arca endpoints (fault tests, issue 14): CreateKey, Encrypt,
 * Decrypt, GenerateDataKey and TagResource from a few concurrent workers per endpoint, every call timed
 * and its outcome kept. Every ACKNOWLEDGED write (a key created, a tag set, a ciphertext or data key
 * handed out) is recorded in {@link AckedWrites}, so that a test can check after a fault that none was lost.
 */

/** One call's outcome: which endpoint, which operation, when (ms, `performance.now()`), and how it ended. */
export interface Outcome {
  readonly node: string;
  readonly op: string;
  readonly start: number;
  readonly end: number;
  readonly ok: boolean;
  /** The SDK error's name (`KMSInternalException`) or the socket error's code (`ECONNREFUSED`). */
  readonly error?: string;
  readonly status?: number;
}

/** What the load was told succeeded: each key with its tags and the ciphertexts made under it. */
export interface AckedKey {
  readonly keyId: string;
  readonly createdOn: string;
  readonly tags: Map<string, string>;
  readonly ciphertexts: { readonly blob: Uint8Array; readonly plaintext: Buffer; readonly context: Record<string, string> }[];
}

export type AckedWrites = Map<string, AckedKey>;

export interface LoadTarget {
  readonly name: string;
  readonly endpoint: string;
}

/** An SDK client that never retries (each failure is seen) and never waits on a socket beyond `requestTimeoutMs`. */
export function faultClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, requestTimeoutMs = 15_000): KMSClient {
  return new KMSClient({
    endpoint,
    region: 'us-east-1',
    credentials,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: requestTimeoutMs },
  });
}

function errorOf(e: unknown): { error: string; status?: number } {
  const x = e as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = x.$metadata?.httpStatusCode;
  const error = x.name !== undefined && x.name !== 'Error' ? x.name : (x.code ?? String(e));
  return status === undefined ? { error } : { error, status };
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** Runs workers against the targets until {@link stop}; see the module comment. */
export class KmsLoad {
  readonly outcomes: Outcome[] = [];
  readonly acked: AckedWrites;
  readonly #clients: { name: string; client: KMSClient }[];
  #stopping = false;
  #workers: Promise<void>[] = [];
  #count = 0;

  constructor(targets: readonly LoadTarget[], credentials: { accessKeyId: string; secretAccessKey: string }, acked: AckedWrites = new Map()) {
    this.#clients = targets.map((t) => ({ name: t.name, client: faultClient(t.endpoint, credentials) }));
    this.acked = acked;
  }

  /** Starts `perTarget` workers per endpoint, each pausing `pauseMs` between calls. */
  start(perTarget = 2, pauseMs = 25): void {
    this.#stopping = false;
    for (const c of this.#clients) for (let i = 0; i < perTarget; i++) this.#workers.push(this.#worker(c.name, c.client, pauseMs));
  }

  /** Stops the workers after their current call, and closes the clients' sockets. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#workers);
    this.#workers = [];
  }

  destroy(): void {
    for (const c of this.#clients) c.client.destroy();
  }

  /** Outcomes that started at or after `from` and ended before `to` (ms, `performance.now()`). */
  between(from: number, to: number): Outcome[] {
    return this.outcomes.filter((o) => o.start >= from && o.end <= to);
  }

  async #worker(node: string, client: KMSClient, pauseMs: number): Promise<void> {
    while (!this.#stopping) {
      await this.#one(node, client);
      await sleep(pauseMs);
    }
  }

  /** A random acknowledged key, or undefined before the first. */
  #someKey(): AckedKey | undefined {
    const keys = [...this.acked.values()];
    return keys[Math.floor(Math.random() * keys.length)];
  }

  async #one(node: string, client: KMSClient): Promise<void> {
    const n = ++this.#count;
    const key = this.#someKey();
    const roll = Math.random();
    const op = key === undefined || roll < 0.2 ? 'CreateKey' : roll < 0.45 ? 'Encrypt' : roll < 0.65 ? 'Decrypt' : roll < 0.85 ? 'GenerateDataKey' : 'TagResource';
    const start = performance.now();
    const record = (extra: { ok: boolean; error?: string; status?: number }) => this.outcomes.push({ node, op, start, end: performance.now(), ...extra });
    try {
      switch (op) {
        case 'CreateKey': {
          const id = (await client.send(new CreateKeyCommand({ Description: `load ${n}` }))).KeyMetadata?.KeyId;
          if (id === undefined) throw new Error('CreateKey answered no KeyId');
          this.acked.set(id, { keyId: id, createdOn: node, tags: new Map(), ciphertexts: [] });
          break;
        }
        case 'Encrypt': {
          const k = key as AckedKey;
          const plaintext = Buffer.from(`plaintext ${n}`);
          const context = { n: String(n) };
          const blob = (await client.send(new EncryptCommand({ KeyId: k.keyId, Plaintext: plaintext, EncryptionContext: context }))).CiphertextBlob;
          if (blob === undefined) throw new Error('Encrypt answered no CiphertextBlob');
          k.ciphertexts.push({ blob, plaintext, context });
          break;
        }
        case 'Decrypt': {
          const k = key as AckedKey;
          const c = k.ciphertexts[Math.floor(Math.random() * k.ciphertexts.length)];
          if (c === undefined) {
            await client.send(new DescribeKeyCommand({ KeyId: k.keyId }));
            break;
          }
          const plain = (await client.send(new DecryptCommand({ CiphertextBlob: c.blob, EncryptionContext: c.context }))).Plaintext;
          if (plain === undefined || !Buffer.from(plain).equals(c.plaintext)) throw new Error(`Decrypt of a ciphertext of ${k.keyId} answered other bytes`);
          break;
        }
        case 'GenerateDataKey': {
          const k = key as AckedKey;
          const context = { dk: String(n) };
          const out = await client.send(new GenerateDataKeyCommand({ KeyId: k.keyId, KeySpec: 'AES_256', EncryptionContext: context }));
          if (out.CiphertextBlob === undefined || out.Plaintext === undefined) throw new Error('GenerateDataKey answered no data key');
          k.ciphertexts.push({ blob: out.CiphertextBlob, plaintext: Buffer.from(out.Plaintext), context });
          break;
        }
        case 'TagResource': {
          const k = key as AckedKey;
          // A fresh tag key per call, on a key with room (AWS's 50 tags), so every acknowledged tag must stay.
          if (k.tags.size >= 40) break;
          const tagKey = `t${n}`;
          await client.send(new TagResourceCommand({ KeyId: k.keyId, Tags: [{ TagKey: tagKey, TagValue: node }] }));
          k.tags.set(tagKey, node);
          break;
        }
      }
      record({ ok: true });
    } catch (e) {
      record({ ok: false, ...errorOf(e) });
    }
  }
}

/**
 * Checks every acknowledged write through `client`: each key exists, each of its ciphertexts decrypts to
 * its plaintext, each of its tags is there. Returns the problems found (empty: nothing was lost).
 */
export async function lostWrites(client: KMSClient, acked: AckedWrites): Promise<string[]> {
  const problems: string[] = [];
  for (const k of acked.values()) {
    try {
      await client.send(new DescribeKeyCommand({ KeyId: k.keyId }));
    } catch (e) {
      problems.push(`key ${k.keyId} (created on ${k.createdOn}): ${errorOf(e).error}`);
      continue;
    }
    for (const c of k.ciphertexts) {
      try {
        const plain = (await client.send(new DecryptCommand({ CiphertextBlob: c.blob, EncryptionContext: c.context }))).Plaintext;
        if (plain === undefined || !Buffer.from(plain).equals(c.plaintext)) problems.push(`a ciphertext of ${k.keyId} decrypts to other bytes`);
      } catch (e) {
        problems.push(`a ciphertext of ${k.keyId} does not decrypt: ${errorOf(e).error}`);
      }
    }
    if (k.tags.size > 0) {
      const tags = new Map((await client.send(new ListResourceTagsCommand({ KeyId: k.keyId, Limit: 50 }))).Tags?.map((t) => [t.TagKey, t.TagValue]) ?? []);
      for (const [name, value] of k.tags) if (tags.get(name) !== value) problems.push(`tag ${name} of ${k.keyId} is ${tags.get(name) ?? 'missing'}, acknowledged as ${value}`);
    }
  }
  return problems;
}

/** Counts of outcomes by `op ok|error` (a compact summary for a report line). */
export function summarize(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const k = `${o.ok ? 'ok' : o.error ?? 'error'}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}
