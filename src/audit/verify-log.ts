import { canonicalEventBytes, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../core/audit.js';
import { ed25519Verify } from '../crypto/ed25519.js';
import { leafHash, MerkleFrontier } from '../crypto/merkle.js';

/** What went wrong first, named. */
export type DivergenceKind = 'modified' | 'missing' | 'reordered' | 'inserted' | 'duplicated' | 'truncated' | 'bad-tree-head' | 'unsigned' | 'malformed';

export interface Divergence {
  readonly kind: DivergenceKind;
  /** The event sequence concerned (the first one of a range). */
  readonly sequence?: number | undefined;
  /** The last sequence of a range (a root mismatch narrows a change to the events between two heads). */
  readonly toSequence?: number | undefined;
  /** 1-based line of the export. */
  readonly line?: number | undefined;
  readonly message: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly events: number;
  readonly treeHeads: number;
  /** The largest signed tree size that verified. */
  readonly verifiedTreeSize: number;
  /** Events after the last signed tree head: intact as far as the leaf hashes go, but a truncation there is undetectable. */
  readonly unsignedTail: number;
  readonly divergence?: Divergence | undefined;
}

/** The first line of an export. */
export interface ExportHeader {
  readonly arcaAuditExport: 1;
  readonly chainId: string;
  readonly publicKey: string;
}

interface Entry {
  readonly line: number;
  readonly sequence: number;
  readonly statedLeaf: string;
  readonly event?: AuditEvent | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;

function strictBase64(s: unknown, bytes: number): Buffer | undefined {
  if (typeof s !== 'string') return undefined;
  const b = Buffer.from(s, 'base64');
  return b.length === bytes && b.toString('base64') === s ? b : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHead(v: unknown): TreeHead | undefined {
  if (!isObject(v)) return undefined;
  const { chainId, treeSize, rootHash, timestamp, signature } = v;
  if (typeof chainId !== 'string' || typeof timestamp !== 'string' || typeof rootHash !== 'string' || typeof signature !== 'string') return undefined;
  if (typeof treeSize !== 'number' || !Number.isSafeInteger(treeSize) || treeSize < 1 || !HEX64.test(rootHash)) return undefined;
  if (Object.keys(v).length !== 5) return undefined;
  return { chainId, treeSize, rootHash, timestamp, signature };
}

/**
 * Verifies an exported audit log (JSON lines: a header, then entries — events, or `{"pruned":{sequence,
 * leafHash}}` for events retention removed — and `{"treeHead":{…}}` lines) against a trusted Ed25519 public
 * key: recomputes every leaf hash and the tree, checks every tree head's signature and root, and names the
 * first divergence. Never throws on bad input.
 */
export function verifyExport(lines: readonly string[], publicKey: Uint8Array): VerifyReport {
  const fail = (d: Divergence, counts: Partial<VerifyReport> = {}): VerifyReport => ({ ok: false, events: 0, treeHeads: 0, verifiedTreeSize: 0, unsignedTail: 0, ...counts, divergence: d });
  let chainId: string | undefined;
  const entries: Entry[] = [];
  const heads: { head: TreeHead; line: number }[] = [];
  for (const [i, text] of lines.entries()) {
    const line = i + 1;
    if (text.trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return fail({ kind: 'malformed', line, message: `line ${line} is not JSON (modified?)` });
    }
    if (!isObject(v)) return fail({ kind: 'malformed', line, message: `line ${line} is not a JSON object` });
    if (line === 1 || 'arcaAuditExport' in v) {
      if (line !== 1 || v['arcaAuditExport'] !== 1 || typeof v['chainId'] !== 'string') return fail({ kind: 'malformed', line, message: `line ${line}: bad or misplaced export header` });
      if (v['publicKey'] !== Buffer.from(publicKey).toString('base64')) return fail({ kind: 'malformed', line, message: 'the export names a different signing key than the trusted one' });
      chainId = v['chainId'];
      continue;
    }
    if ('treeHead' in v) {
      const head = parseHead(v['treeHead']);
      if (head === undefined || Object.keys(v).length !== 1) return fail({ kind: 'bad-tree-head', line, message: `line ${line}: malformed tree head` });
      heads.push({ head, line });
      continue;
    }
    if ('pruned' in v) {
      const p = v['pruned'];
      if (!isObject(p) || typeof p['sequence'] !== 'number' || typeof p['leafHash'] !== 'string' || !HEX64.test(p['leafHash']) || Object.keys(v).length !== 1) {
        return fail({ kind: 'malformed', line, message: `line ${line}: malformed pruned entry` });
      }
      entries.push({ line, sequence: p['sequence'], statedLeaf: p['leafHash'] });
      continue;
    }
    const arca = v['arca'];
    if (!isObject(arca) || typeof arca['sequence'] !== 'number' || typeof arca['leafHash'] !== 'string' || typeof arca['chainId'] !== 'string') {
      return fail({ kind: 'modified', line, message: `line ${line}: an event without its sequence, chain id and leaf hash` });
    }
    entries.push({ line, sequence: arca['sequence'], statedLeaf: arca['leafHash'], event: v as unknown as AuditEvent });
  }
  if (chainId === undefined) return fail({ kind: 'malformed', message: 'the export has no header' });

  // Tree heads first: they are what the signing key vouches for.
  heads.sort((a, b) => a.head.treeSize - b.head.treeSize);
  for (const { head, line } of heads) {
    const sig = strictBase64(head.signature, 64);
    if (head.chainId !== chainId || sig === undefined || !ed25519Verify(publicKey, treeHeadSigningBytes(head), sig)) {
      return fail({ kind: 'bad-tree-head', line, message: `line ${line}: the tree head of size ${head.treeSize} does not carry a valid signature for this trail (modified or forged)` }, { events: entries.length, treeHeads: heads.length });
    }
  }

  const counts = { events: entries.length, treeHeads: heads.length };
  const frontier = new MerkleFrontier();
  const leaves: string[] = [];
  let headIndex = 0;
  let verified = 0;
  const checkHeads = (): Divergence | undefined => {
    for (let h = heads[headIndex]; h !== undefined && h.head.treeSize === frontier.size; h = heads[++headIndex]) {
      if (frontier.root().toString('hex') !== h.head.rootHash) {
        return { kind: 'modified', sequence: verified + 1, toSequence: h.head.treeSize, line: h.line, message: `events ${verified + 1}..${h.head.treeSize} do not hash to the root signed for tree size ${h.head.treeSize}: at least one of them was modified, inserted or removed and renumbered` };
      }
      verified = h.head.treeSize;
    }
    return undefined;
  };
  for (const [pos, e] of entries.entries()) {
    const expected = leaves.length + 1;
    if (!Number.isSafeInteger(e.sequence) || e.sequence < 1) return fail({ kind: 'modified', line: e.line, message: `line ${e.line}: sequence ${String(e.sequence)} is not a position` }, counts);
    if (e.sequence < expected) {
      const content = e.event === undefined ? e.statedLeaf : leafHash(canonicalEventBytes(e.event)).toString('hex');
      const dup = leaves[e.sequence - 1] === e.statedLeaf && content === e.statedLeaf;
      return fail({ kind: dup ? 'duplicated' : 'inserted', sequence: e.sequence, line: e.line, message: dup ? `line ${e.line}: event ${e.sequence} appears twice` : `line ${e.line}: an event claiming sequence ${e.sequence} was inserted after event ${expected - 1}` }, counts);
    }
    if (e.sequence > expected) {
      const later = entries.slice(pos + 1).some((x) => x.sequence === expected);
      return fail(
        later
          ? { kind: 'reordered', sequence: expected, line: e.line, message: `line ${e.line}: event ${e.sequence} comes before event ${expected}` }
          : { kind: 'missing', sequence: expected, toSequence: e.sequence - 1, line: e.line, message: `events ${expected}..${e.sequence - 1} are missing (deleted)` },
        counts,
      );
    }
    if (e.event !== undefined) {
      if (e.event.arca?.chainId !== chainId) return fail({ kind: 'inserted', sequence: e.sequence, line: e.line, message: `line ${e.line}: event ${e.sequence} belongs to another trail` }, counts);
      const recomputed = leafHash(canonicalEventBytes(e.event)).toString('hex');
      if (recomputed !== e.statedLeaf) return fail({ kind: 'modified', sequence: e.sequence, line: e.line, message: `line ${e.line}: event ${e.sequence} was modified (its content does not hash to its leaf hash)` }, counts);
    }
    leaves.push(e.statedLeaf);
    frontier.append(Buffer.from(e.statedLeaf, 'hex'));
    const d = checkHeads();
    if (d !== undefined) return fail(d, { ...counts, verifiedTreeSize: verified });
  }
  const pending = heads[headIndex];
  if (pending !== undefined) {
    return fail({ kind: 'truncated', sequence: leaves.length + 1, toSequence: pending.head.treeSize, line: pending.line, message: `the log ends after event ${leaves.length}, but a tree head signs ${pending.head.treeSize} events: events ${leaves.length + 1}..${pending.head.treeSize} were truncated` }, { ...counts, verifiedTreeSize: verified });
  }
  if (leaves.length > 0 && heads.length === 0) {
    return fail({ kind: 'unsigned', message: 'no signed tree head covers any event: nothing in this log is proven' }, counts);
  }
  return { ok: true, ...counts, verifiedTreeSize: verified, unsignedTail: leaves.length - verified };
}

/** Renders the export lines for these entries and heads (the inverse of what {@link verifyExport} reads). */
export function exportLines(header: ExportHeader, entries: readonly { sequence: number; leafHash: string; event?: AuditEvent | undefined }[], heads: readonly TreeHead[]): string[] {
  return [
    JSON.stringify(header),
    ...entries.map((e) => JSON.stringify(e.event ?? { pruned: { sequence: e.sequence, leafHash: e.leafHash } })),
    ...heads.map((h) => JSON.stringify({ treeHead: h })),
  ];
}
