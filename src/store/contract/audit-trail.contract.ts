import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEvent, checkpointOrigin, checkpointText, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../../core/audit.js';
import type { AuditTrail, Clock, TreeHeadSigner } from '../../core/ports.js';
import { ed25519Sign, ed25519Verify, generateEd25519 } from '../../crypto/ed25519.js';
import { rootOf, verifyConsistency, verifyInclusion } from '../../crypto/merkle.js';
import { noteKeyId } from '../../crypto/signed-note.js';

/** What the suite needs of the audit writer (AuditWriter; the store layer does not import it). */
export interface TrailWriter {
  readonly chainId: string;
  appendEvent(event: AuditEvent): Promise<AuditEvent>;
  checkpoint(): Promise<TreeHead | undefined>;
  prune(before: string): Promise<number>;
}

/** What the factory is given to open the writer and the trail with. */
export interface AuditTrailOptions {
  readonly clock: Clock;
  /** Attach to the writer; the trail's `publicKey` and `sign` are this signer's. */
  readonly signer: TreeHeadSigner;
  /** The trail's key-use event names (for lastUsage). */
  readonly keyUseEvents: readonly string[];
  /** The writer's `checkpointEvery`: large, so that tree heads are signed only when the suite asks. */
  readonly checkpointEvery: number;
}

/** An AuditWriter over a fresh, empty store and the store's AuditTrail over the writer's chain. */
export interface AuditTrailFixture {
  readonly writer: TrailWriter;
  readonly trail: AuditTrail;
  close(): void | Promise<void>;
}

/** Opens a fresh, empty store's writer and trail. */
export type AuditTrailFactory = (options: AuditTrailOptions) => Promise<AuditTrailFixture>;

const KEY_USES = ['Encrypt', 'Decrypt'];
const key = (n: number): string => `arn:aws:kms:us-east-1:111122223333:key/k${n}`;
const user = (name: string): string => `arn:aws:iam::111122223333:user/${name}`;

interface Spec {
  readonly name: string;
  readonly who: string;
  readonly key: number;
  readonly error?: string;
  readonly ip?: string;
}

/** The suite's events, oldest first: event i+1 is at 2026-01-(i+1). */
const SPECS: readonly Spec[] = [
  { name: 'CreateKey', who: 'alice', key: 1 },
  { name: 'Encrypt', who: 'alice', key: 1 },
  { name: 'Decrypt', who: 'bob', key: 1, error: 'AccessDeniedException', ip: '10.0.0.2' },
  { name: 'Encrypt', who: 'bob', key: 2 },
  { name: 'Decrypt', who: 'alice', key: 1, ip: '10.0.0.2' },
  { name: 'Encrypt', who: 'alice', key: 2, error: 'DisabledException' },
  { name: 'DescribeKey', who: 'bob', key: 1 },
];

function draft(i: number, s: Spec): AuditEvent {
  return auditEvent({
    eventTime: `2026-01-${String(i).padStart(2, '0')}T00:00:00.000Z`,
    eventName: s.name,
    awsRegion: 'us-east-1',
    sourceIPAddress: s.ip ?? '10.0.0.1',
    userAgent: 'contract',
    userIdentity: { type: 'IAMUser', arn: user(s.who) },
    requestParameters: { i },
    responseElements: null,
    ...(s.error !== undefined && { errorCode: s.error, errorMessage: 'refused' }),
    requestID: `request-${i}`,
    eventID: `event-${i}`,
    resources: [{ ARN: key(s.key), type: 'AWS::KMS::Key' }],
    readOnly: false,
  });
}

/** A plain event `i` (times 2026-02-01 onwards, after SPECS). */
const plain = (i: number): AuditEvent => ({ ...draft(i, { name: 'Encrypt', who: 'carol', key: 9 }), eventTime: `2026-02-01T00:00:${String(i % 60).padStart(2, '0')}.000Z` });

/** Runs `test` over a fresh writer and trail, closing them after. */
function withTrail(factory: AuditTrailFactory, test: (f: AuditTrailFixture & { readonly publicKey: Buffer }) => Promise<void>): () => Promise<void> {
  return async () => {
    const pair = generateEd25519();
    const signer: TreeHeadSigner = { publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) };
    const f = await factory({ clock: { now: () => new Date('2026-03-01T00:00:00.000Z') }, signer, keyUseEvents: KEY_USES, checkpointEvery: 1_000_000 });
    try {
      await test({ ...f, publicKey: pair.publicKey });
    } finally {
      await f.close();
      pair.privateKeyDer.dispose();
    }
  };
}

async function appendSpecs(w: TrailWriter): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (const [i, s] of SPECS.entries()) out.push(await w.appendEvent(draft(i + 1, s)));
  return out;
}

const ids = (events: readonly AuditEvent[]): string[] => events.map((e) => e.eventID);
const leafOf = (e: AuditEvent): Buffer => Buffer.from(e.arca?.leafHash ?? '', 'hex');

/** A head's signature and checkpoint note verify under `publicKey`. */
function assertSigned(head: TreeHead, publicKey: Buffer, note?: string): void {
  const { signature, ...unsigned } = head;
  assert.equal(ed25519Verify(publicKey, treeHeadSigningBytes(unsigned), Buffer.from(signature, 'base64')), true, 'tree head signature');
  if (note === undefined) return;
  const text = checkpointText(head);
  const origin = checkpointOrigin(head.chainId);
  assert.ok(note.startsWith(`${text}\n\u2014 ${origin} `), 'checkpoint text and signature line');
  const blob = Buffer.from(note.slice(text.length + origin.length + 4).trim(), 'base64');
  assert.deepEqual(blob.subarray(0, 4), noteKeyId(origin, publicKey));
  assert.equal(ed25519Verify(publicKey, Buffer.from(text, 'utf8'), blob.subarray(4)), true, 'checkpoint signature');
}

/** The AuditTrail port's contract: the read side of a trail written through the audit writer. */
export function auditTrailContract(factory: AuditTrailFactory): void {
  describe('AuditTrail', () => {
    it('queryEvents: newest first, every filter, AND-combined, paged by sequence cursor', withTrail(factory, async ({ writer, trail }) => {
      const all = await appendSpecs(writer);
      const q = async (query: Parameters<AuditTrail['queryEvents']>[0], limit = 100) => ids((await trail.queryEvents(query, undefined, limit)).items);
      assert.deepEqual(await q({}), ids([...all].reverse()));
      assert.deepEqual(await q({ eventName: 'Encrypt' }), ['event-6', 'event-4', 'event-2']);
      assert.deepEqual(await q({ principalArn: user('bob') }), ['event-7', 'event-4', 'event-3']);
      assert.deepEqual(await q({ keyArn: key(2) }), ['event-6', 'event-4']);
      assert.deepEqual(await q({ outcome: 'failure' }), ['event-6', 'event-3']);
      assert.deepEqual(await q({ outcome: 'success', keyArn: key(1) }), ['event-7', 'event-5', 'event-2', 'event-1']);
      assert.deepEqual(await q({ errorCode: 'DisabledException' }), ['event-6']);
      assert.deepEqual(await q({ sourceIp: '10.0.0.2' }), ['event-5', 'event-3']);
      assert.deepEqual(await q({ from: '2026-01-03T00:00:00.000Z', to: '2026-01-05T00:00:00.000Z' }), ['event-5', 'event-4', 'event-3']);
      assert.deepEqual(await q({ eventName: 'Decrypt', principalArn: user('alice'), sourceIp: '10.0.0.2' }), ['event-5']);
      assert.deepEqual(await q({ keyArn: key(3) }), []);
      const pages: string[][] = [];
      let before: number | undefined;
      for (;;) {
        const page = await trail.queryEvents({}, before, 3);
        pages.push(ids(page.items));
        if (page.next === undefined) break;
        before = Number(page.next);
      }
      assert.deepEqual(pages, [['event-7', 'event-6', 'event-5'], ['event-4', 'event-3', 'event-2'], ['event-1']]);
      assert.equal((await trail.queryEvents({}, undefined, 7)).next, undefined, 'no cursor when nothing follows');
    }));

    it('eventsBefore: newest first by (event time, sequence), below a position, with the filters', withTrail(factory, async ({ writer, trail }) => {
      // Times out of sequence order, and ties: what a merge across nodes pages through.
      const times = ['02', '01', '02', '03', '01'];
      for (const [i, t] of times.entries()) await writer.appendEvent({ ...draft(i + 1, SPECS[i] ?? { name: 'Encrypt', who: 'alice', key: 1 }), eventTime: `2026-01-${t}T00:00:00.000Z` });
      const at = (t: string, sequence: number) => ({ time: `2026-01-${t}T00:00:00.000Z`, sequence });
      const q = async (before: ReturnType<typeof at> | undefined, limit = 100, query = {}) => ids(await trail.eventsBefore(query, before, limit));
      assert.deepEqual(await q(undefined), ['event-4', 'event-3', 'event-1', 'event-5', 'event-2']);
      assert.deepEqual(await q(undefined, 2), ['event-4', 'event-3']);
      assert.deepEqual(await q(at('02', 3), 2), ['event-1', 'event-5'], 'strictly below (time, sequence)');
      assert.deepEqual(await q(at('02', Number.MAX_SAFE_INTEGER)), ['event-3', 'event-1', 'event-5', 'event-2'], 'every event of that time');
      assert.deepEqual(await q(at('02', 0)), ['event-5', 'event-2'], 'none of that time');
      assert.deepEqual(await q(undefined, 100, { principalArn: user('bob') }), ['event-4', 'event-3']);
      assert.deepEqual(await q(at('03', 4), 100, { outcome: 'failure' }), ['event-3']);
      await writer.prune('2026-01-01T12:00:00.000Z');
      assert.deepEqual(await q(undefined), ['event-4', 'event-3', 'event-1'], 'pruned events are hidden');
    }));

    it('getEvent, entriesInRange and leafHash read back what the writer recorded', withTrail(factory, async ({ writer, trail }) => {
      assert.equal(await trail.getEvent('event-1'), undefined);
      assert.deepEqual(await trail.entriesInRange(1, 10), []);
      const all = await appendSpecs(writer);
      assert.deepEqual(await trail.getEvent('event-3'), all[2]);
      assert.equal((await trail.getEvent('event-3'))?.arca?.chainId, writer.chainId);
      assert.equal(await trail.getEvent('event-99'), undefined);
      assert.deepEqual(await trail.entriesInRange(2, 4), all.slice(1, 4).map((e) => ({ sequence: e.arca?.sequence, leafHash: e.arca?.leafHash, event: e })));
      assert.deepEqual((await trail.entriesInRange(6, 100)).map((e) => e.sequence), [6, 7]);
      assert.deepEqual(await trail.leafHash(4), leafOf(all[3]!));
      assert.equal(await trail.leafHash(8), undefined);
      assert.equal(trail.chainId(), writer.chainId);
    }));

    it('inclusion and consistency proofs verify against the signed roots, for every size and position', withTrail(factory, async ({ writer, trail, publicKey }) => {
      const all: AuditEvent[] = [];
      for (let i = 1; i <= 5; i++) all.push(await writer.appendEvent(plain(i)));
      const first = await trail.checkpoint();
      for (let i = 6; i <= 13; i++) all.push(await writer.appendEvent(plain(i)));
      const second = await trail.checkpoint();
      assert.ok(first !== undefined && second !== undefined);
      assert.deepEqual([first.treeSize, second.treeSize], [5, 13]);
      assertSigned(first, publicKey);
      const leaves = all.map(leafOf);
      assert.equal(second.rootHash, rootOf(leaves).toString('hex'));
      const secondRoot = Buffer.from(second.rootHash, 'hex');
      assert.equal(verifyConsistency(5, 13, Buffer.from(first.rootHash, 'hex'), secondRoot, await trail.consistencyProof(5, 13)), true);
      for (let size = 1; size <= 13; size++) {
        const root = rootOf(leaves.slice(0, size));
        for (let s = 1; s <= size; s++) assert.equal(verifyInclusion(leaves[s - 1]!, s - 1, size, await trail.inclusionProof(s, size), root), true, `inclusion of ${s} in ${size}`);
        for (let m = 0; m <= size; m++) assert.equal(verifyConsistency(m, size, rootOf(leaves.slice(0, m)), root, await trail.consistencyProof(m, size)), true, `consistency ${m} → ${size}`);
      }
      assert.equal(verifyInclusion(leaves[2]!, 2, 13, await trail.inclusionProof(3, 13), Buffer.from(first.rootHash, 'hex')), false, 'a proof binds its root');
      await assert.rejects(trail.inclusionProof(14, 13));
    }));

    it('tree heads: none before a checkpoint, then oldest first, by size, the latest, all signed', withTrail(factory, async ({ writer, trail, publicKey }) => {
      assert.deepEqual(await trail.treeHeads(), []);
      assert.equal(await trail.latestTreeHead(), undefined);
      assert.equal(await trail.checkpoint(), undefined, 'nothing to sign');
      for (let i = 1; i <= 3; i++) await writer.appendEvent(plain(i));
      const a = await writer.checkpoint();
      await writer.appendEvent(plain(4));
      const b = await trail.checkpoint();
      assert.ok(a !== undefined && b !== undefined);
      assert.deepEqual(await trail.treeHeads(), [a, b]);
      assert.deepEqual(await trail.latestTreeHead(), b);
      assert.deepEqual(await trail.treeHead(3), a);
      assert.equal(await trail.treeHead(2), undefined);
      assert.deepEqual([b.chainId, b.treeSize, b.timestamp], [writer.chainId, 4, '2026-03-01T00:00:00.000Z']);
      for (const h of [a, b]) assertSigned(h, publicKey);
      assert.deepEqual(await trail.checkpoint(), b, 'no new head without new events');
    }));

    it('checkpointNote signs a head over every committed event, as a C2SP checkpoint', withTrail(factory, async ({ writer, trail, publicKey }) => {
      assert.equal(await trail.checkpointNote(), undefined);
      for (let i = 1; i <= 6; i++) await writer.appendEvent(plain(i));
      const c = await trail.checkpointNote();
      assert.ok(c !== undefined);
      assert.equal(c.treeHead.treeSize, 6);
      assert.deepEqual(await trail.latestTreeHead(), c.treeHead);
      assertSigned(c.treeHead, publicKey, c.note);
      assert.deepEqual(trail.publicKey(), publicKey);
      const statement = Buffer.from('statement');
      assert.equal(ed25519Verify(publicKey, statement, trail.signStatement(statement) ?? Buffer.alloc(64)), true);
    }));

    it('lastUsage: the latest successful key-use event naming the key; trackingStart: the first event', withTrail(factory, async ({ writer, trail }) => {
      assert.equal(await trail.trackingStart(), undefined);
      assert.equal(await trail.lastUsage(key(1)), undefined);
      await appendSpecs(writer);
      // k1: Decrypt 5 is the latest success; DescribeKey 7 is no key use, Decrypt 3 failed.
      assert.deepEqual(await trail.lastUsage(key(1)), { eventTime: '2026-01-05T00:00:00.000Z', eventName: 'Decrypt', eventId: 'event-5', requestId: 'request-5' });
      // k2: Encrypt 6 failed, so Encrypt 4.
      assert.equal((await trail.lastUsage(key(2)))?.eventId, 'event-4');
      assert.equal(await trail.lastUsage(key(3)), undefined);
      assert.equal(await trail.trackingStart(), '2026-01-01T00:00:00.000Z');
    }));

    it('pruned events are hidden from every query but keep their leaves, so proofs still verify', withTrail(factory, async ({ writer, trail }) => {
      const all = await appendSpecs(writer);
      const head = await trail.checkpoint();
      assert.ok(head !== undefined);
      assert.equal(await writer.prune('2026-01-04T00:00:00.000Z'), 3);
      assert.deepEqual(ids((await trail.queryEvents({}, undefined, 100)).items), ['event-7', 'event-6', 'event-5', 'event-4']);
      assert.deepEqual(ids((await trail.queryEvents({ keyArn: key(1) }, undefined, 100)).items), ['event-7', 'event-5']);
      assert.equal(await trail.getEvent('event-2'), undefined);
      assert.deepEqual(await trail.entriesInRange(3, 4), [
        { sequence: 3, leafHash: all[2]?.arca?.leafHash, event: undefined },
        { sequence: 4, leafHash: all[3]?.arca?.leafHash, event: all[3] },
      ]);
      assert.deepEqual(await trail.leafHash(1), leafOf(all[0]!));
      assert.equal(verifyInclusion(leafOf(all[1]!), 1, 7, await trail.inclusionProof(2, 7), Buffer.from(head.rootHash, 'hex')), true);
    }));
  });
}
