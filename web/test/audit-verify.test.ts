// The browser verifier (web/src/lib/audit-verify.ts) on exports the SERVER's code wrote (its SQLite audit
// writer, trail and exportLines), compared with the server's own verifier (verifyExport) on the same lines.
import { describe, expect, it } from 'vitest';
import { exportLines, verifyExport } from '../../src/audit/verify-log.js';
import type { AuditEvent as ServerEvent, TreeHead } from '../../src/core/audit.js';
import { ed25519Sign, generateEd25519 } from '../../src/crypto/ed25519.js';
import { sqliteAuditWriter } from '../../src/server/audit-wiring.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { SqliteAuditTrail } from '../../src/store/sqlite/sqlite-audit-trail.js';
import { testAuditEvent } from '../../test/helpers/audit-events.js';
import type { AuditEvent } from '../src/lib/audit-canonical';
import { checkConsistency, parsePublicKey, verifyChain, type ExportPage, type VerifyResult } from '../src/lib/audit-verify';

interface Sample {
  lines: string[];
  publicKey: Buffer;
  /** The server's consistency proof between two sizes, as GetAuditProof would answer it (hex). */
  proof(first: number, second: number): Promise<string[]>;
}

/** A trail of `n` events with a signed head every `every` events, exported by the server's code. */
async function sample(n: number, every: number): Promise<Sample> {
  const db = openDatabase(':memory:');
  const log = await sqliteAuditWriter(db, { clock: { now: () => new Date(Date.UTC(2026, 0, 2)) }, checkpointEvery: every });
  const pair = generateEd25519();
  log.attachSigner({ publicKey: pair.publicKey, sign: (m) => ed25519Sign(pair.privateKeyDer, m) });
  for (let i = 1; i <= n; i++) await log.append(testAuditEvent(i, { eventName: i % 2 === 0 ? 'Encrypt' : 'Decrypt', requestParameters: { keyId: `k${i % 3}`, note: 'é€𝄞' }, eventID: `evt-${i}` }));
  await log.checkpoint();
  const trail = new SqliteAuditTrail(db, () => log.chainId, () => pair.publicKey, () => undefined, () => undefined, []);
  const lines = exportLines({ arcaAuditExport: 1, chainId: log.chainId, publicKey: pair.publicKey.toString('base64') }, await trail.entriesInRange(1, n), await trail.treeHeads());
  return { lines, publicKey: pair.publicKey, proof: async (a, b) => (await trail.consistencyProof(a, b)).map((h) => h.toString('hex')) };
}

/** Serves export lines as ExportAuditLog pages of `limit` entries (the first page with the key and heads). */
function pagesOf(lines: readonly string[], limit: number): (from: number) => Promise<ExportPage> {
  const header = JSON.parse(lines[0] as string) as { chainId: string; publicKey: string };
  const parsed = lines.slice(1).map((l) => JSON.parse(l) as Record<string, unknown>);
  const heads = parsed.filter((p) => 'treeHead' in p).map((p) => p['treeHead'] as TreeHead);
  const entries = parsed
    .filter((p) => !('treeHead' in p))
    .map((p) => {
      const ev = p as unknown as ServerEvent;
      return { Sequence: ev.arca?.sequence ?? 0, LeafHash: ev.arca?.leafHash ?? '', Event: p as unknown as AuditEvent };
    });
  // Pages are cut by position in the (possibly tampered) list, as the server pages by sequence.
  return async (from) => {
    const start = from - 1;
    const page = entries.slice(start, start + limit);
    return { Entries: page, ...(start + limit < entries.length && { NextSequence: from + limit }), ...(from === 1 && { ChainId: header.chainId, PublicKey: header.publicKey, TreeHeads: heads }) };
  };
}

const verify = (lines: readonly string[], pinnedKey?: Uint8Array): Promise<VerifyResult> => verifyChain({ fetchPage: pagesOf(lines, 7), pinnedKey });

describe('in-browser chain verification, on exports written by the server', () => {
  it('an intact trail verifies up to its last signed head, with progress to the end, as the server verifier says', async () => {
    const s = await sample(40, 8);
    const seen: number[] = [];
    const r = await verifyChain({ fetchPage: pagesOf(s.lines, 7), expected: 40, onProgress: (done, total) => (seen.push(done), expect(total).toBe(40)) });
    const server = verifyExport(s.lines, s.publicKey);
    expect(server.ok).toBe(true);
    expect(r).toMatchObject({ ok: true, events: 40, unsignedTail: 0, keySource: 'server', verified: { treeSize: server.verifiedTreeSize } });
    expect(seen.at(-1)).toBe(40);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect((await verify(s.lines, s.publicKey)).keySource).toBe('pinned');
  });

  it('names the divergence the server names: a modified, removed, reordered, duplicated or truncated event, a forged head', async () => {
    const s = await sample(40, 8);
    const { lines } = s;
    const heads = lines.slice(41);
    const ev = (seq: number): string => lines[seq] as string;
    const all = Array.from({ length: 40 }, (_, i) => i + 1);
    const cases: [string, string[], Partial<{ kind: string; sequence: number }>][] = [
      ['modified', [lines[0] as string, ...all.map((q) => (q === 13 ? ev(q).replace('"Decrypt"', '"Encrypt"') : ev(q))), ...heads], { kind: 'modified', sequence: 13 }],
      ['removed', [lines[0] as string, ...all.filter((q) => q !== 17).map(ev), ...heads], { kind: 'missing', sequence: 17 }],
      ['reordered', [lines[0] as string, ...[1, 2, 4, 3, ...all.slice(4)].map(ev), ...heads], { kind: 'reordered', sequence: 3 }],
      ['duplicated', [lines[0] as string, ...[...all.slice(0, 20), 20, ...all.slice(20)].map(ev), ...heads], { kind: 'duplicated', sequence: 20 }],
      ['truncated', [lines[0] as string, ...all.slice(0, 30).map(ev), ...heads], { kind: 'truncated', sequence: 31 }],
      ['bad signature', [lines[0] as string, ...all.map(ev), ...heads.map((h, i) => (i === 2 ? h.replace('"signature":"', '"signature":"A') : h))], { kind: 'bad-tree-head' }],
      ['unsigned', [lines[0] as string, ...all.map(ev)], { kind: 'unsigned' }],
    ];
    for (const [name, variant, expected] of cases) {
      const r = await verify(variant);
      expect(r.ok, name).toBe(false);
      expect(r.divergence, name).toMatchObject(expected);
      const server = verifyExport(variant, s.publicKey);
      expect(server.divergence?.kind, name).toBe(r.divergence?.kind);
      if (expected.sequence !== undefined) expect(server.divergence?.sequence, name).toBe(expected.sequence);
    }
  });

  it('a leaf hash recomputed after an edit is caught by the signed root; a pinned key other than the server one fails', async () => {
    const s = await sample(24, 8);
    const edited = JSON.parse(s.lines[5] as string) as Record<string, unknown>;
    edited['eventName'] = 'ScheduleKeyDeletion';
    const { leafHash } = await import('../../src/crypto/merkle.js');
    const { canonicalEventText } = await import('../../src/core/audit.js');
    const arca = edited['arca'] as { leafHash: string };
    arca.leafHash = leafHash(Buffer.from(canonicalEventText(edited as unknown as ServerEvent), 'utf8')).toString('hex');
    const variant = s.lines.map((l, i) => (i === 5 ? JSON.stringify(edited) : l));
    expect((await verify(variant)).divergence).toMatchObject({ kind: 'modified', sequence: 1, toSequence: 8 });
    const other = await verify(s.lines, generateEd25519().publicKey);
    expect(other).toMatchObject({ ok: false, keySource: 'pinned', divergence: { kind: 'malformed' } });
  });

  it("consistency with the last verified head: the server's proof verifies against the two roots; a rewritten history does not", async () => {
    const s = await sample(40, 8);
    const heads = s.lines.slice(41).map((l) => (JSON.parse(l) as { treeHead: TreeHead }).treeHead);
    const [h16, h40] = [heads.find((h) => h.treeSize === 16), heads.find((h) => h.treeSize === 40)] as [TreeHead, TreeHead];
    expect(await checkConsistency(h16, h40, { ConsistencyProof: await s.proof(16, 40) })).toBe(true);
    expect(await checkConsistency(h16, h40, { ConsistencyProof: await s.proof(8, 40) })).toBe(false);
    const other = await sample(40, 8);
    const foreign = { ...h16, rootHash: (JSON.parse(other.lines[41 + 1] as string) as { treeHead: TreeHead }).treeHead.rootHash };
    expect(await checkConsistency(foreign, h40, { ConsistencyProof: await s.proof(16, 40) })).toBe(false);
    expect(await checkConsistency(h40, h40, {})).toBe(true);
  });

  it('reads a pasted public key only as 32 bytes of strict base64', async () => {
    const s = await sample(1, 1);
    expect(parsePublicKey(` ${s.publicKey.toString('base64')}\n`)).toEqual(new Uint8Array(s.publicKey));
    expect(parsePublicKey('AAAA')).toBeUndefined();
    expect(parsePublicKey('not base64!')).toBeUndefined();
  });
});
