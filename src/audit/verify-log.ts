import { canonicalEventBytes, leafCoveredText, treeHeadSigningBytes, type AuditEvent, type TreeHead } from '../core/audit.js';
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
  /** The event's JSON text as read, when at hand: a canonical one is hashed as it is (leafCoveredText). */
  readonly text?: string | undefined;
  /** Its text hashed to its leaf hash as it is (TrailVerifier.pushCanonical): it is the event as recorded. */
  readonly verified?: boolean | undefined;
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

/** One line of an export, parsed; or the divergence that makes it unreadable. */
export type ExportLine =
  | { readonly kind: 'blank' }
  | { readonly kind: 'header'; readonly chainId: string; readonly publicKey: unknown }
  | { readonly kind: 'head'; readonly head: TreeHead }
  | { readonly kind: 'entry'; readonly entry: Entry }
  | { readonly kind: 'bad'; readonly divergence: Divergence };

/** Parses line `line` (1-based) of an export. */
export function parseExportLine(text: string, line: number): ExportLine {
  if (text.trim() === '') return { kind: 'blank' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'bad', divergence: { kind: 'malformed', line, message: `line ${line} is not JSON (modified?)` } };
  }
  return classifyExportLine(v, line, text);
}

/** Classifies an export line already parsed from JSON (or an entry or head received from ExportAuditLog). */
export function classifyExportLine(v: unknown, line: number, text?: string): ExportLine {
  if (!isObject(v)) return { kind: 'bad', divergence: { kind: 'malformed', line, message: `line ${line} is not a JSON object` } };
  if (line === 1 || 'arcaAuditExport' in v) {
    if (line !== 1 || v['arcaAuditExport'] !== 1 || typeof v['chainId'] !== 'string') return { kind: 'bad', divergence: { kind: 'malformed', line, message: `line ${line}: bad or misplaced export header` } };
    return { kind: 'header', chainId: v['chainId'], publicKey: v['publicKey'] };
  }
  if ('treeHead' in v) {
    const head = parseHead(v['treeHead']);
    if (head === undefined || Object.keys(v).length !== 1) return { kind: 'bad', divergence: { kind: 'bad-tree-head', line, message: `line ${line}: malformed tree head` } };
    return { kind: 'head', head };
  }
  if ('pruned' in v) {
    const p = v['pruned'];
    if (!isObject(p) || typeof p['sequence'] !== 'number' || typeof p['leafHash'] !== 'string' || !HEX64.test(p['leafHash']) || Object.keys(v).length !== 1) {
      return { kind: 'bad', divergence: { kind: 'malformed', line, message: `line ${line}: malformed pruned entry` } };
    }
    return { kind: 'entry', entry: { line, sequence: p['sequence'], statedLeaf: p['leafHash'] } };
  }
  const arca = v['arca'];
  if (!isObject(arca) || typeof arca['sequence'] !== 'number' || typeof arca['leafHash'] !== 'string' || typeof arca['chainId'] !== 'string') {
    return { kind: 'bad', divergence: { kind: 'modified', line, message: `line ${line}: an event without its sequence, chain id and leaf hash` } };
  }
  return { kind: 'entry', entry: { line, sequence: arca['sequence'], statedLeaf: arca['leafHash'], event: v as unknown as AuditEvent, text } };
}

/**
 * The streaming verifier remembers at least this many (at most twice as many) of the latest leaf hashes,
 * to tell a duplicated event (an exact copy of one of them) from an inserted one; a copy of an older
 * event is reported as `inserted` (still a failure). Memory stays constant however long the trail is.
 */
export const DUPLICATE_WINDOW = 1024;

/**
 * Verifies a trail streamed entry by entry, oldest first, against its signed tree heads (known up front:
 * the first page of ExportAuditLog, or a first pass over an export file) and a trusted Ed25519 key:
 * recomputes every leaf hash from the event body and the tree root incrementally (a Merkle frontier, O(log
 * n) memory), checks every head's signature first and its root when the stream reaches its size, and names
 * the first divergence. Memory: the heads and {@link DUPLICATE_WINDOW} leaf hashes, never the events.
 */
export class TrailVerifier {
  readonly #chainId: string;
  /** How a canonical recorded event of this trail begins, up to its leaf hash. */
  readonly #canonicalHead: string;
  readonly #heads: readonly { head: TreeHead; line?: number | undefined }[];
  readonly #frontier = new MerkleFrontier();
  readonly #recent: string[] = [];
  #headIndex = 0;
  #verified = 0;
  #events = 0;
  #failure: Divergence | undefined;
  /** A gap at this sequence: scanning the rest for it (reordered) or not (missing). */
  #gap: { expected: number; found: Entry; later: boolean } | undefined;

  constructor(publicKey: Uint8Array, chainId: string, heads: readonly { head: TreeHead; line?: number | undefined }[]) {
    this.#chainId = chainId;
    this.#canonicalHead = `{"arca":{"chainId":${JSON.stringify(chainId)},"leafHash":"`;
    this.#heads = [...heads].sort((a, b) => a.head.treeSize - b.head.treeSize);
    // Tree heads first: they are what the signing key vouches for.
    for (const { head, line } of this.#heads) {
      const sig = strictBase64(head.signature, 64);
      if (head.chainId !== chainId || sig === undefined || !ed25519Verify(publicKey, treeHeadSigningBytes(head), sig)) {
        this.#failure = { kind: 'bad-tree-head', line, message: `${line !== undefined ? `line ${line}: ` : ''}the tree head of size ${head.treeSize} does not carry a valid signature for this trail (modified or forged)` };
        return;
      }
    }
  }

  /** True once a divergence was found: the rest of the stream need not be read. (After a gap it must be,
   * to tell a reordered event from a missing one.) */
  get done(): boolean {
    return this.#failure !== undefined;
  }

  /** A line that cannot be read, or a divergence the caller found. */
  fail(d: Divergence): void {
    this.#failure ??= d;
  }

  /**
   * The fast path for a line that is a recorded event's canonical text (recordedEventText: the writer
   * stores events so): its leaf hash is checked on the text itself, without parsing it. A match means the
   * text is exactly the event as recorded, of this trail, at the sequence its `arca` member states. False
   * when the line is anything else or does not match: parse it and {@link push} it (which names the problem).
   */
  pushCanonical(text: string, line: number): boolean {
    const head = this.#canonicalHead;
    if (!text.startsWith(head)) return false;
    const statedLeaf = text.slice(head.length, head.length + 64);
    const rest = head.length + 64;
    if (!HEX64.test(statedLeaf) || !text.startsWith('","sequence":', rest)) return false;
    const digitsFrom = rest + 13;
    const end = text.indexOf('}', digitsFrom);
    const digits = text.slice(digitsFrom, end);
    if (end < 0 || !/^[1-9][0-9]{0,15}$/.test(digits)) return false;
    const covered = leafCoveredText(text, this.#chainId, statedLeaf);
    if (covered === undefined || leafHash(Buffer.from(covered, 'utf8')).toString('hex') !== statedLeaf) return false;
    this.push({ line, sequence: Number(digits), statedLeaf, verified: true });
    return true;
  }

  push(e: Entry): void {
    this.#events++;
    if (this.#failure !== undefined) return;
    const gap = this.#gap;
    if (gap !== undefined) {
      if (e.sequence === gap.expected) gap.later = true;
      return;
    }
    const expected = this.#frontier.size + 1;
    if (!Number.isSafeInteger(e.sequence) || e.sequence < 1) return this.fail({ kind: 'modified', line: e.line, message: `line ${e.line}: sequence ${String(e.sequence)} is not a position` });
    if (e.sequence < expected) {
      const content = e.event === undefined ? e.statedLeaf : leafHash(canonicalEventBytes(e.event)).toString('hex');
      const back = expected - e.sequence;
      const dup = back <= this.#recent.length && this.#recent[this.#recent.length - back] === e.statedLeaf && content === e.statedLeaf;
      return this.fail({ kind: dup ? 'duplicated' : 'inserted', sequence: e.sequence, line: e.line, message: dup ? `line ${e.line}: event ${e.sequence} appears twice` : `line ${e.line}: an event claiming sequence ${e.sequence} was inserted after event ${expected - 1}` });
    }
    if (e.sequence > expected) {
      this.#gap = { expected, found: e, later: false };
      return;
    }
    if (e.event !== undefined) {
      if (e.event.arca?.chainId !== this.#chainId) return this.fail({ kind: 'inserted', sequence: e.sequence, line: e.line, message: `line ${e.line}: event ${e.sequence} belongs to another trail` });
      const covered = e.text !== undefined ? leafCoveredText(e.text, this.#chainId, e.statedLeaf) : undefined;
      const fast = covered !== undefined && leafHash(Buffer.from(covered, 'utf8')).toString('hex') === e.statedLeaf;
      const recomputed = fast ? e.statedLeaf : leafHash(canonicalEventBytes(e.event)).toString('hex');
      if (recomputed !== e.statedLeaf) return this.fail({ kind: 'modified', sequence: e.sequence, line: e.line, message: `line ${e.line}: event ${e.sequence} was modified (its content does not hash to its leaf hash)` });
    }
    this.#recent.push(e.statedLeaf);
    if (this.#recent.length > 2 * DUPLICATE_WINDOW) this.#recent.splice(0, this.#recent.length - DUPLICATE_WINDOW);
    this.#frontier.append(Buffer.from(e.statedLeaf, 'hex'));
    const size = this.#frontier.size;
    for (let h = this.#heads[this.#headIndex]; h !== undefined && h.head.treeSize === size; h = this.#heads[++this.#headIndex]) {
      if (this.#frontier.root().toString('hex') !== h.head.rootHash) {
        const from = this.#verified + 1;
        return this.fail({ kind: 'modified', sequence: from, toSequence: size, line: h.line, message: `events ${from}..${size} do not hash to the root signed for tree size ${size}: at least one of them was modified, inserted or removed and renumbered` });
      }
      this.#verified = size;
    }
  }

  finish(): VerifyReport {
    const counts = { events: this.#events, treeHeads: this.#heads.length, verifiedTreeSize: this.#verified };
    const gap = this.#gap;
    if (this.#failure === undefined && gap !== undefined) {
      const { expected, found: e } = gap;
      this.#failure = gap.later
        ? { kind: 'reordered', sequence: expected, line: e.line, message: `line ${e.line}: event ${e.sequence} comes before event ${expected}` }
        : { kind: 'missing', sequence: expected, toSequence: e.sequence - 1, line: e.line, message: `events ${expected}..${e.sequence - 1} are missing (deleted)` };
    }
    if (this.#failure !== undefined) return { ok: false, ...counts, unsignedTail: 0, divergence: this.#failure };
    const size = this.#frontier.size;
    const pending = this.#heads[this.#headIndex];
    if (pending !== undefined) {
      return { ok: false, ...counts, unsignedTail: 0, divergence: { kind: 'truncated', sequence: size + 1, toSequence: pending.head.treeSize, line: pending.line, message: `the log ends after event ${size}, but a tree head signs ${pending.head.treeSize} events: events ${size + 1}..${pending.head.treeSize} were truncated` } };
    }
    if (size > 0 && this.#heads.length === 0) return { ok: false, ...counts, unsignedTail: 0, divergence: { kind: 'unsigned', message: 'no signed tree head covers any event: nothing in this log is proven' } };
    return { ok: true, ...counts, unsignedTail: size - this.#verified };
  }
}

/** The export's header and signed heads (the first pass), or why the export cannot be verified. */
function headerAndHeads(first: Iterable<{ text: string; line: number }>, publicKey: Uint8Array): { chainId: string; heads: { head: TreeHead; line: number }[] } | Divergence {
  let chainId: string | undefined;
  const heads: { head: TreeHead; line: number }[] = [];
  for (const { text, line } of first) {
    // Only the header and the lines that can be tree heads are parsed here; the second pass parses the rest.
    if (line !== 1 && !text.includes('"treeHead"')) continue;
    const p = parseExportLine(text, line);
    if (p.kind === 'bad') return p.divergence;
    if (p.kind === 'head') heads.push({ head: p.head, line });
    if (p.kind === 'header') {
      if (p.publicKey !== Buffer.from(publicKey).toString('base64')) return { kind: 'malformed', line, message: 'the export names a different signing key than the trusted one' };
      chainId = p.chainId;
    }
  }
  return chainId === undefined ? { kind: 'malformed', message: 'the export has no header' } : { chainId, heads };
}

/** The second pass: every entry through the verifier; a head line must be one the first pass found. */
function feed(v: TrailVerifier, text: string, line: number, headLines: ReadonlySet<number>): void {
  if (v.pushCanonical(text, line)) return;
  const p = parseExportLine(text, line);
  if (p.kind === 'bad') return v.fail(p.divergence);
  if (p.kind === 'entry') return v.push(p.entry);
  if (p.kind === 'head' && !headLines.has(line)) return v.fail({ kind: 'malformed', line, message: `line ${line}: a tree head in an unexpected spelling` });
}

function* numbered(lines: readonly string[]): Generator<{ text: string; line: number }> {
  for (const [i, text] of lines.entries()) yield { text, line: i + 1 };
}

const failed = (d: Divergence): VerifyReport => ({ ok: false, events: 0, treeHeads: 0, verifiedTreeSize: 0, unsignedTail: 0, divergence: d });

/**
 * Verifies an exported audit log (JSON lines: a header, then entries — events, or `{"pruned":{sequence,
 * leafHash}}` for events retention removed — and `{"treeHead":{…}}` lines) against a trusted Ed25519 public
 * key (see {@link TrailVerifier}). Never throws on bad input.
 */
export function verifyExport(lines: readonly string[], publicKey: Uint8Array): VerifyReport {
  const first = headerAndHeads(numbered(lines), publicKey);
  if ('kind' in first) return failed(first);
  const v = new TrailVerifier(publicKey, first.chainId, first.heads);
  const headLines = new Set(first.heads.map((h) => h.line));
  for (const { text, line } of numbered(lines)) {
    if (line === 1) continue;
    feed(v, text, line, headLines);
    if (v.done) break;
  }
  return v.finish();
}

/**
 * {@link verifyExport} over a stream of lines read twice (`open()` is called once per pass: the heads,
 * then the entries), so that an export of any length verifies in constant memory.
 */
export async function verifyExportStream(open: () => AsyncIterable<string>, publicKey: Uint8Array): Promise<VerifyReport> {
  const collected: { text: string; line: number }[] = [];
  let line = 0;
  for await (const text of open()) {
    line++;
    if (line === 1 || text.includes('"treeHead"')) collected.push({ text, line });
  }
  const first = headerAndHeads(collected, publicKey);
  if ('kind' in first) return failed(first);
  const v = new TrailVerifier(publicKey, first.chainId, first.heads);
  const headLines = new Set(first.heads.map((h) => h.line));
  line = 0;
  for await (const text of open()) {
    line++;
    if (line === 1) continue;
    feed(v, text, line, headLines);
    if (v.done) break;
  }
  return v.finish();
}
/** Renders the export lines for these entries and heads (the inverse of what {@link verifyExport} reads). */
export function exportLines(header: ExportHeader, entries: readonly { sequence: number; leafHash: string; event?: AuditEvent | undefined }[], heads: readonly TreeHead[]): string[] {
  return [
    JSON.stringify(header),
    ...entries.map((e) => JSON.stringify(e.event ?? { pruned: { sequence: e.sequence, leafHash: e.leafHash } })),
    ...heads.map((h) => JSON.stringify({ treeHead: h })),
  ];
}
