import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, type AuditEvent } from '../core/audit.js';
import { ed25519Sign, generateEd25519 } from '../crypto/ed25519.js';
import { openDatabase } from '../store/sqlite/database.js';
import { sqliteAuditWriter } from '../server/audit-wiring.js';
import { SqliteAuditTrail } from '../store/sqlite/sqlite-audit-trail.js';
import { DUPLICATE_WINDOW, exportLines, verifyExport, verifyExportStream } from './verify-log.js';
import { testAuditEvent } from '../../test/helpers/audit-events.js';

function draft(i: number): AuditEvent {
  return testAuditEvent(i, { sourceIPAddress: '10.0.0.7', userAgent: 'stream-test', requestID: `req-${i}`, eventID: `evt-${i}` });
}

async function sample(n: number, every: number): Promise<{ lines: string[]; publicKey: Buffer }> {
  const db = openDatabase(':memory:');
  const log = await sqliteAuditWriter(db, { clock: { now: () => new Date(Date.UTC(2026, 0, 2)) }, checkpointEvery: every });
  const pair = generateEd25519();
  log.attachSigner({ publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) });
  await Promise.all(Array.from({ length: n }, (_, i) => log.append(draft(i + 1))));
  await log.checkpoint();
  const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => undefined, () => undefined, []);
  const lines = exportLines({ arcaAuditExport: 1, chainId: log.chainId, publicKey: pair.publicKey.toString('base64') }, await trail.entriesInRange(1, n), await trail.treeHeads());
  db.close();
  return { lines, publicKey: pair.publicKey };
}

/** A stream that counts how often it is opened and never holds more than one line. */
function streamOf(lines: readonly string[]): { open: () => AsyncIterable<string>; opened: () => number } {
  let opened = 0;
  return {
    open: () => {
      opened++;
      return (async function* () {
        yield* lines;
      })();
    },
    opened: () => opened,
  };
}

describe('streaming verification', () => {
  it('a streamed export (two passes: heads, then entries) gives the same report as the in-memory verifier, tampered or not', async () => {
    const { lines, publicKey } = await sample(40, 8);
    const heads = lines.slice(41);
    const ev = (seq: number): string => lines[seq] as string;
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    const variants: string[][] = [
      lines,
      [lines[0] as string, ...all.filter((s) => s !== 17).map(ev), ...heads],
      [lines[0] as string, ...[1, 2, 4, 3, ...all.slice(4)].map(ev), ...heads],
      [lines[0] as string, ...[...all.slice(0, 20), 20, ...all.slice(20)].map(ev), ...heads],
      [lines[0] as string, ...all.slice(0, 30).map(ev), ...heads],
      [lines[0] as string, ...all.map(ev)],
      [lines[0] as string, ...all.map(ev), ...heads.map((h) => h.replace('"signature":"', '"signature":"A'))],
    ];
    const kinds: string[] = [];
    for (const v of variants) {
      const s = streamOf(v);
      const streamed = await verifyExportStream(s.open, publicKey);
      assert.deepEqual(streamed, verifyExport(v, publicKey));
      assert.ok(s.opened() <= 2);
      kinds.push(streamed.ok ? 'ok' : (streamed.divergence?.kind ?? ''));
    }
    assert.deepEqual(kinds, ['ok', 'missing', 'reordered', 'duplicated', 'truncated', 'unsigned', 'bad-tree-head']);
  });

  it('events are stored as canonical text and verify without canonicalizing; any other spelling of the same events verifies too, an edit does not', async () => {
    const { lines, publicKey } = await sample(12, 5);
    const events = lines.slice(1, 13);
    for (const l of events) assert.equal(l, canonicalJson(JSON.parse(l)), 'stored and exported canonical');
    // Members reordered (as events recorded before issue 12 are stored): the slow path recanonicalizes.
    const respelled = events.map((l) => {
      const e = JSON.parse(l) as AuditEvent;
      const { eventID, ...rest } = e;
      return JSON.stringify({ eventID, ...rest, arca: { sequence: e.arca?.sequence, leafHash: e.arca?.leafHash, chainId: e.arca?.chainId } });
    });
    assert.notDeepEqual(respelled, events);
    assert.equal(verifyExport([lines[0] as string, ...respelled, ...lines.slice(13)], publicKey).ok, true);
    // A canonical line with a different sequence, or another event's body under this leaf hash, is refused.
    const other = events.map((l) => l.replace('"sequence":3}', '"sequence":3 }'));
    assert.equal(verifyExport([lines[0] as string, ...other, ...lines.slice(13)], publicKey).ok, true, 'whitespace is not content');
    const swapped = [...events];
    const [a, b] = [JSON.parse(events[2] as string) as AuditEvent, JSON.parse(events[3] as string) as AuditEvent];
    swapped[2] = canonicalJson({ ...b, arca: a.arca });
    assert.equal(verifyExport([lines[0] as string, ...swapped, ...lines.slice(13)], publicKey).divergence?.kind, 'modified');
  });

  it('a tree head spelled so that the first pass cannot see it is refused, not skipped', async () => {
    const { lines, publicKey } = await sample(4, 2);
    const hidden = lines.map((l) => l.replace('{"treeHead"', '{"\\u0074reeHead"'));
    const r = await verifyExportStream(streamOf(hidden).open, publicKey);
    assert.equal(r.ok, false);
  });

  it(`a copy of one of the last ${DUPLICATE_WINDOW} events is named duplicated; a copy of a much older one is still refused (inserted)`, async () => {
    const n = 2 * DUPLICATE_WINDOW + 10;
    const { lines, publicKey } = await sample(n, 1000);
    const events = lines.slice(1, n + 1);
    const withCopyOf = (seq: number): string[] => [lines[0] as string, ...events, events[seq - 1] as string, ...lines.slice(n + 1)];
    const recent = await verifyExportStream(streamOf(withCopyOf(n - DUPLICATE_WINDOW + 1)).open, publicKey);
    assert.deepEqual([recent.divergence?.kind, recent.divergence?.sequence], ['duplicated', n - DUPLICATE_WINDOW + 1]);
    const old = await verifyExportStream(streamOf(withCopyOf(1)).open, publicKey);
    assert.deepEqual([old.divergence?.kind, old.divergence?.sequence], ['inserted', 1]);
  });
});
