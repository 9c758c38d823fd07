import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEvent, type AuditEvent, type AuditPosition } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { AuditEntry } from '../../core/ports.js';
import { chainCursor, decodeMergedMarker, encodeMergedMarker, listMergedEvents, mergeNewestFirst, type MergeSource } from './merged-events.js';

/** Event `sequence` of `chainId` at second `second` (ties on purpose). */
function recorded(chainId: string, sequence: number, second: number): AuditEvent {
  const e = auditEvent({
    eventTime: `2026-05-01T00:00:${String(second).padStart(2, '0')}.000Z`,
    eventName: sequence % 2 === 0 ? 'Encrypt' : 'Decrypt',
    awsRegion: 'us-east-1',
    sourceIPAddress: '10.0.0.1',
    userAgent: 'merge',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice' },
    requestParameters: null,
    responseElements: null,
    requestID: `${chainId}-${sequence}`,
    eventID: `${chainId}-${sequence}`,
    resources: [],
    readOnly: true,
  });
  return { ...e, arca: { chainId, sequence, leafHash: '00' } };
}

const below = (e: AuditEvent, p: AuditPosition): boolean => e.eventTime < p.time || (e.eventTime === p.time && (e.arca?.sequence ?? 0) < p.sequence);

/** An in-memory source: chains of events (sequence order), answering eventsBefore as the stores do. */
function source(chains: Record<string, { node: string; seconds: number[] }>, pruned: ReadonlySet<string> = new Set()): MergeSource {
  const events = new Map(Object.entries(chains).map(([id, c]) => [id, c.seconds.map((s, i) => recorded(id, i + 1, s))]));
  return {
    list: async () => Object.entries(chains).map(([chainId, c]) => ({ chainId, node: c.node })).sort((a, b) => (a.node < b.node ? -1 : 1)),
    trailOf: async (chainId) => {
      const all = events.get(chainId);
      if (all === undefined) return undefined;
      const live = all.filter((e) => !pruned.has(e.eventID));
      return {
        eventsBefore: async (q, before, limit) =>
          live
            .filter((e) => (before === undefined || below(e, before)) && (q.eventName === undefined || e.eventName === q.eventName))
            .sort((a, b) => (a.eventTime === b.eventTime ? (b.arca?.sequence ?? 0) - (a.arca?.sequence ?? 0) : a.eventTime < b.eventTime ? 1 : -1))
            .slice(0, limit),
        entriesInRange: async (from, to): Promise<AuditEntry[]> =>
          all.filter((e) => (e.arca?.sequence ?? 0) >= from && (e.arca?.sequence ?? 0) <= to).map((e) => ({ sequence: e.arca?.sequence ?? 0, leafHash: '00', event: pruned.has(e.eventID) ? undefined : e })),
      };
    },
  };
}

const isInvalidMarker = (e: unknown): boolean => e instanceof KmsError && e.code === 'InvalidMarker';

/** Pages through the merged list `limit` at a time; every page's events, in order. */
async function pageThrough(s: MergeSource, limit: number, query = {}): Promise<string[][]> {
  const pages: string[][] = [];
  let marker: string | undefined;
  do {
    const page = await listMergedEvents({ auditChains: s }, query, marker, limit);
    pages.push(page.events.map((e) => e.eventID));
    marker = page.nextMarker;
    assert.ok(pages.length < 100, 'paging ends');
  } while (marker !== undefined);
  return pages;
}

describe('merged audit events across chains', () => {
  // Node "a" has chain c1, "b" c2, "c" c3; seconds repeat across and within chains, and run backwards in c2.
  const chains = { c2: { node: 'b', seconds: [5, 3, 3, 1] }, c1: { node: 'a', seconds: [1, 3, 3, 4, 5] }, c3: { node: 'c', seconds: [3] } };
  // Descending (time, node, sequence).
  const expected = ['c2-1', 'c1-5', 'c1-4', 'c3-1', 'c2-3', 'c2-2', 'c1-3', 'c1-2', 'c2-4', 'c1-1'];

  it('merges newest first by time, then node, then sequence (all in one page)', async () => {
    assert.deepEqual(await pageThrough(source(chains), 100), [expected]);
  });

  it('pages with the marker are complete and without duplicates, at every page size', async () => {
    for (let limit = 1; limit <= expected.length + 1; limit++) {
      const pages = await pageThrough(source(chains), limit);
      assert.deepEqual(pages.flat(), expected, `limit ${limit}`);
      assert.ok(pages.every((p) => p.length <= limit && p.length > 0), `limit ${limit}: no empty or oversized page`);
    }
  });

  it('filters apply on every chain', async () => {
    assert.deepEqual((await pageThrough(source(chains), 2, { eventName: 'Encrypt' })).flat(), expected.filter((id) => Number(id.split('-')[1]) % 2 === 0));
  });

  it('a marker round-trips; malformed, forged and stale markers are InvalidMarker', async () => {
    const p = { time: '2026-05-01T00:00:03.000Z', chainId: 'c2', sequence: 3 };
    assert.deepEqual(decodeMergedMarker(encodeMergedMarker(p)), p);
    const s = source(chains, new Set(['c1-4']));
    const reject = (marker: string) => assert.rejects(listMergedEvents({ auditChains: s }, {}, marker, 10), isInvalidMarker, marker);
    for (const bad of ['', '17', Buffer.from('arca-nodes1:[1,2]').toString('base64url'), Buffer.from('arca-nodes1:{').toString('base64url'), Buffer.from('arca1:17').toString('base64url')]) await reject(bad);
    await reject(encodeMergedMarker({ ...p, sequence: 0 }));
    await reject(encodeMergedMarker({ ...p, time: 'yesterday' }));
    await reject(encodeMergedMarker({ ...p, chainId: 'c9' }));
    await reject(encodeMergedMarker({ ...p, time: '2026-05-01T00:00:04.000Z' }));
    await reject(encodeMergedMarker({ ...p, sequence: 99 }));
    await reject(encodeMergedMarker({ time: '2026-05-01T00:00:04.000Z', chainId: 'c1', sequence: 4 }));
    assert.deepEqual((await listMergedEvents({ auditChains: s }, {}, encodeMergedMarker(p), 2)).events.map((e) => e.eventID), ['c2-2', 'c1-3']);
  });

  it('chainCursor: at a tie in time, a node before the marker keeps that time, one after it does not', () => {
    const at = { time: 't', node: 'b', chainId: 'c2', sequence: 7 };
    assert.deepEqual(chainCursor('b', at), { time: 't', sequence: 7 });
    assert.deepEqual(chainCursor('a', at), { time: 't', sequence: Number.MAX_SAFE_INTEGER });
    assert.deepEqual(chainCursor('c', at), { time: 't', sequence: 0 });
  });

  it('mergeNewestFirst reports more only when the streams hold more than the limit', () => {
    const one = { node: 'a', chainId: 'c1', events: [recorded('c1', 2, 2), recorded('c1', 1, 1)] };
    assert.equal(mergeNewestFirst([one], 2).next, undefined);
    assert.deepEqual(mergeNewestFirst([one], 1).next, { time: '2026-05-01T00:00:02.000Z', node: 'a', chainId: 'c1', sequence: 2 });
  });
});
