/**
 * The "ideal KMS" baseline (issue 8): a single-file server that does only the irreducible work of an
 * Encrypt request, so that Arca's architecture can be measured against the machine's limit:
 *   1. SigV4 verification, with the signing key cached (one HMAC chain per day);
 *   2. JSON parsing and base64 decoding of the request, JSON/base64 encoding of the answer;
 *   3. one AES-256-GCM encryption under a key derived with HKDF-SHA256 from a random salt;
 *   4. one durable audit record, group-committed (SQLite WAL, synchronous=FULL), before answering: a
 *      CloudTrail-shaped event of the same fields and size as Arca's Encrypt event, hashed as a leaf of an
 *      RFC 9162 Merkle tree (SHA-256 of 0x00 ‖ event) whose completed interior nodes are stored, as Arca
 *      stores its tiles, and indexed by key ARN — the same bytes and hashing per event as Arca's trail
 *      (DESIGN §8), so that the ratio measures Arca's overhead and not a cheaper audit record.
 * The same server is the "ideal signing" baseline (issue 25): `TrentService.Sign` does the same work with
 * a signature instead of steps 3: ECDSA P-256 (ECDSA_SHA_256), Ed25519 (ED25519_SHA_512) or, where
 * node:crypto has it (Node ≥ 24.7), ML-DSA-65 (ML_DSA_SHAKE_256), each with a key object made once.
 * `TrentService.Decrypt` and `TrentService.GenerateDataKey` do the same work for the other two workloads
 * the targets name: an HKDF and an AES-256-GCM decryption of its own ciphertexts, and 32 random bytes
 * encrypted and answered with their plaintext. Run by ideal-kms-workers.ts as a worker process of
 * node:cluster, it keeps its own audit database (`<IDEAL_DB>.<worker id>`): one chain per process.
 * No framework, no policy, no abstraction. Not a product: it trusts one access key from the environment.
 *
 *   IDEAL_ACCESS_KEY_ID=... IDEAL_SECRET=... IDEAL_DB=/tmp/ideal.db node dist/bench/baselines/ideal-kms.js <port>
 */
import Database from 'better-sqlite3';
import cluster from 'node:cluster';
import { createCipheriv, createDecipheriv, createHash, createHmac, generateKeyPairSync, hkdfSync, randomBytes, randomUUID, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';

const accessKeyId = process.env['IDEAL_ACCESS_KEY_ID'] ?? '';
const secret = process.env['IDEAL_SECRET'] ?? '';
const region = process.env['IDEAL_REGION'] ?? 'us-east-1';
const port = Number(process.argv[2] ?? '0');

const dbFile = process.env['IDEAL_DB'] ?? ':memory:';
const db = new Database(cluster.isWorker && dbFile !== ':memory:' ? `${dbFile}.${cluster.worker?.id ?? 0}` : dbFile);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(`CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, body TEXT NOT NULL, leaf_hash BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS audit_keys (key_arn TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key_arn, seq)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS audit_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;`);
const insert = db.prepare('INSERT INTO audit (seq, event_id, body, leaf_hash) VALUES (?, ?, ?, ?)');
const insertKey = db.prepare('INSERT INTO audit_keys (key_arn, seq) VALUES (?, ?)');
const insertNode = db.prepare('INSERT INTO audit_nodes (level, idx, hash) VALUES (?, ?, ?)');
/** The Merkle tree's right edge: the root of the perfect subtree at each level where one is open (RFC 9162 §2.1). */
const frontier: (Buffer | undefined)[] = [];
let size = 0;
/** Hashes the event as the next leaf (over its text without the leaf hash), stores it with its leaf hash, and stores the interior nodes it completes. */
function appendLeaf(eventId: string, event: { arca: Record<string, unknown> }): void {
  const seq = size + 1;
  event.arca['sequence'] = seq;
  const leaf = createHash('sha256').update(Buffer.of(0)).update(JSON.stringify(event)).digest();
  event.arca['leafHash'] = leaf.toString('hex');
  insert.run(seq, eventId, JSON.stringify(event), leaf);
  insertKey.run(keyArn, seq);
  let node = leaf;
  let level = 0;
  for (; ((size >> level) & 1) === 1; level++) {
    node = createHash('sha256').update(Buffer.of(1)).update(frontier[level] as Buffer).update(node).digest();
    frontier[level] = undefined;
    insertNode.run(level + 1, size >> (level + 1), node);
  }
  frontier[level] = node;
  size++;
}
type Event = { arca: Record<string, unknown> };
let pending: { event: Event; eventId: string; done: () => void }[] = [];
function audit(eventId: string, event: Event): Promise<void> {
  return new Promise((done) => {
    if (pending.length === 0) setImmediate(flushAndAck);
    pending.push({ event, eventId, done });
  });
}
const flush = db.transaction(() => {
  const batch = pending;
  pending = [];
  for (const p of batch) appendLeaf(p.eventId, p.event);
  return batch;
});
/** One transaction (one fsync) for every event queued since the last flush; acknowledged after commit. */
function flushAndAck(): void {
  for (const p of flush()) p.done();
}

const material = randomBytes(32);
const keyId = '11111111-2222-4333-8444-555555555555';
const keyArn = `arn:aws:kms:${region}:111122223333:key/${keyId}`;
const CHAIN_ID = randomUUID();
const signingKeys = new Map<string, Buffer>();
const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();

function verify(method: string, url: string, raw: string[], body: Buffer): boolean {
  const headers = new Map<string, string>();
  for (let i = 0; i < raw.length; i += 2) {
    const n = (raw[i] ?? '').toLowerCase();
    const v = (raw[i + 1] ?? '').trim().replace(/\s+/g, ' ');
    headers.set(n, headers.has(n) ? `${headers.get(n)},${v}` : v);
  }
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/kms\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(headers.get('authorization') ?? '');
  if (!m || m[1] !== accessKeyId || m[3] !== region) return false;
  const amzDate = headers.get('x-amz-date') ?? '';
  const signed = (m[4] ?? '').split(';');
  const canonical = [method, url, '', signed.map((h) => `${h}:${headers.get(h) ?? ''}\n`).join(''), m[4], createHash('sha256').update(body).digest('hex')].join('\n');
  const scope = `${m[2]}/${region}/kms/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
  let key = signingKeys.get(scope);
  if (!key) {
    key = hmac(hmac(hmac(hmac(`AWS4${secret}`, m[2] ?? ''), region), 'kms'), 'aws4_request');
    signingKeys.set(scope, key);
  }
  return timingSafeEqual(hmac(key, toSign), Buffer.from(m[5] ?? '', 'hex'));
}

/** The signing keys, made once; ML-DSA-65 only where node:crypto has it. */
const signers = new Map<string, (message: Buffer) => Buffer>();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
signers.set('ECDSA_SHA_256', (m) => sign('sha256', m, { key: ec, dsaEncoding: 'der' }));
const ed = generateKeyPairSync('ed25519').privateKey;
signers.set('ED25519_SHA_512', (m) => sign(null, m, ed));
try {
  const mlDsa: KeyObject = (generateKeyPairSync as unknown as (type: string) => { privateKey: KeyObject })('ml-dsa-65').privateKey;
  signers.set('ML_DSA_SHAKE_256', (m) => sign(null, m, mlDsa));
} catch {
  // Node < 24.7: no ML-DSA; the bench then measures none either.
}

/** The audit event of one request: the fields and size of Arca's event for that operation. */
function requestEvent(eventName: string, req: IncomingMessage, requestParameters: Record<string, unknown>, responseElements: Record<string, unknown>): Event & { eventID: string; [field: string]: unknown } {
  return {
    awsRegion: region,
    eventCategory: 'Management',
    eventID: randomUUID(),
    eventName,
    eventSource: 'kms',
    eventTime: new Date().toISOString(),
    eventVersion: '1.08',
    readOnly: true,
    requestID: randomUUID(),
    requestParameters,
    resources: [{ ARN: keyArn, type: 'AWS::KMS::Key' }],
    responseElements,
    sourceIPAddress: req.socket.remoteAddress,
    userAgent: req.headers['user-agent'] ?? '',
    userIdentity: { accessKeyId, accountId: '111122223333', arn: 'arn:aws:iam::111122223333:user/admin', type: 'IAMUser' },
    arca: { chainId: CHAIN_ID } as Record<string, unknown>,
  };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const reply = (status: number, value: unknown) => {
      const out = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    };
    if (!verify(req.method ?? '', req.url ?? '/', req.rawHeaders, body)) return reply(400, { __type: 'InvalidSignatureException' });
    const target = req.headers['x-amz-target'];
    if (target === 'TrentService.Sign') {
      const input = JSON.parse(body.toString()) as { Message: string; SigningAlgorithm: string };
      const signer = signers.get(input.SigningAlgorithm);
      if (signer === undefined) return reply(400, { __type: 'UnsupportedOperationException' });
      const signature = signer(Buffer.from(input.Message, 'base64'));
      const event = requestEvent('Sign', req, { keyId, messageType: 'RAW', signingAlgorithm: input.SigningAlgorithm }, {});
      return void audit(event.eventID, event).then(() => reply(200, { KeyId: keyArn, Signature: signature.toString('base64'), SigningAlgorithm: input.SigningAlgorithm }));
    }
    if (target === 'TrentService.Decrypt') {
      const blob = Buffer.from((JSON.parse(body.toString()) as { CiphertextBlob: string }).CiphertextBlob, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', dataKey(blob.subarray(0, 32)), blob.subarray(32, 44), { authTagLength: 16 });
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const plaintext = Buffer.concat([decipher.update(blob.subarray(44, blob.length - 16)), decipher.final()]);
      const event = requestEvent('Decrypt', req, { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' }, { keyId: keyArn });
      return void audit(event.eventID, event).then(() => reply(200, { KeyId: keyArn, Plaintext: plaintext.toString('base64'), EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));
    }
    if (target === 'TrentService.GenerateDataKey') {
      const plaintext = randomBytes(32);
      const event = requestEvent('GenerateDataKey', req, { keyId, keySpec: 'AES_256' }, { keyId: keyArn });
      const ciphertext = encrypt(plaintext);
      return void audit(event.eventID, event).then(() => reply(200, { CiphertextBlob: ciphertext.toString('base64'), KeyId: keyArn, Plaintext: plaintext.toString('base64') }));
    }
    const input = JSON.parse(body.toString()) as { Plaintext: string };
    const plaintext = Buffer.from(input.Plaintext, 'base64');
    const ciphertext = encrypt(plaintext);
    const event = requestEvent('Encrypt', req, { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', keyId, plaintextLength: plaintext.length }, { keyId: keyArn });
    void audit(event.eventID, event).then(() =>
      reply(200, { CiphertextBlob: ciphertext.toString('base64'), KeyId: keyArn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
    );
  });
});
/** The data key of one ciphertext: HKDF-SHA256 of the key material with the ciphertext's salt. */
function dataKey(salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, salt, keyId, 32));
}
/** salt ‖ nonce ‖ AES-256-GCM ciphertext ‖ tag. */
function encrypt(plaintext: Buffer): Buffer {
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey(salt), nonce, { authTagLength: 16 });
  return Buffer.concat([salt, nonce, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
