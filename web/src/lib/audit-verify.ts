/**
 * Verifies an audit chain in the browser, page by page as ArcaService.ExportAuditLog answers it: the same
 * checks as the server's offline verifier (src/audit/verify-log.ts, `arca audit verify`): every tree head's
 * Ed25519 signature first, then every event's leaf hash recomputed from its body, the RFC 9162 root rebuilt
 * incrementally and compared with each signed head when the stream reaches its size; the first divergence
 * is named. Memory: the heads and a Merkle frontier, never the events.
 */
import { eventLeafHash, verifyTreeHead, type AuditEvent, type TreeHead } from './audit-canonical';
import { fromBase64, fromHex, MerkleFrontier, toBase64, toHex, verifyConsistency } from './merkle';

export type DivergenceKind = 'modified' | 'missing' | 'reordered' | 'inserted' | 'duplicated' | 'truncated' | 'bad-tree-head' | 'unsigned' | 'malformed' | 'inconsistent';

export interface Divergence {
  readonly kind: DivergenceKind;
  /** The event concerned (the first of a range). */
  readonly sequence?: number;
  readonly toSequence?: number;
  readonly message: string;
}

/** One ExportAuditLog response; the first page also carries the chain id, public key and signed heads. */
export interface ExportPage {
  readonly Entries: readonly { readonly Sequence: number; readonly LeafHash: string; readonly Event?: AuditEvent }[];
  readonly NextSequence?: number;
  readonly ChainId?: string;
  readonly PublicKey?: string;
  readonly TreeHeads?: readonly TreeHead[];
}

/** The signed head a verification reached, remembered for the next one's consistency check. */
export interface VerifiedHead {
  readonly chainId: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly timestamp: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Events read. */
  readonly events: number;
  /** The largest signed head whose root the events rebuilt (absent when none). */
  readonly verified?: VerifiedHead;
  /** Events after the last signed head: their leaf hashes checked, but not yet under a signature. */
  readonly unsignedTail: number;
  /** The key the heads were checked with, base64, and whether the user pinned it or it came from the server. */
  readonly publicKey: string;
  readonly keySource: 'pinned' | 'server';
  readonly divergence?: Divergence;
}

type Entry = ExportPage['Entries'][number];

/** The streaming verifier over one chain. Create with {@link ChainVerifier.start}, which checks the heads' signatures. */
export class ChainVerifier {
  readonly #frontier = new MerkleFrontier();
  readonly #heads: readonly TreeHead[];
  readonly #chainId: string;
  readonly #recent: string[] = [];
  #headIndex = 0;
  #verified: VerifiedHead | undefined;
  #events = 0;
  #failure: Divergence | undefined;
  #gap: { expected: number; found: number; later: boolean } | undefined;

  private constructor(chainId: string, heads: readonly TreeHead[]) {
    this.#chainId = chainId;
    this.#heads = [...heads].sort((a, b) => a.treeSize - b.treeSize);
  }

  /** `refused`: a divergence known before any head is read (a key other than the pinned one). */
  static async start(publicKey: Uint8Array, chainId: string, heads: readonly TreeHead[], refused?: Divergence): Promise<ChainVerifier> {
    const v = new ChainVerifier(chainId, heads);
    if (refused !== undefined) v.fail(refused);
    for (const h of refused === undefined ? v.#heads : []) {
      if (h.chainId !== chainId || !(await verifyTreeHead(publicKey, h))) {
        v.fail({ kind: 'bad-tree-head', message: `the tree head of size ${h.treeSize} does not carry a valid signature for this trail (modified or forged)` });
        break;
      }
    }
    return v;
  }

  get done(): boolean {
    return this.#failure !== undefined;
  }

  get size(): number {
    return this.#frontier.size;
  }

  fail(d: Divergence): void {
    this.#failure ??= d;
  }

  async push(e: Entry): Promise<void> {
    this.#events++;
    if (this.#failure !== undefined) return;
    const gap = this.#gap;
    if (gap !== undefined) {
      // After a gap the rest is scanned only to tell a reordered event from a deleted one.
      if (e.Sequence === gap.expected) gap.later = true;
      return;
    }
    const expected = this.#frontier.size + 1;
    const seq = e.Sequence;
    if (!Number.isSafeInteger(seq) || seq < 1 || !/^[0-9a-f]{64}$/.test(e.LeafHash)) return this.fail({ kind: 'malformed', message: `an entry after event ${expected - 1} is malformed` });
    if (seq < expected) {
      const back = expected - seq;
      const dup = back <= this.#recent.length && this.#recent[this.#recent.length - back] === e.LeafHash;
      return this.fail({ kind: dup ? 'duplicated' : 'inserted', sequence: seq, message: dup ? `event ${seq} appears twice` : `an event claiming sequence ${seq} was inserted after event ${expected - 1}` });
    }
    if (seq > expected) {
      this.#gap = { expected, found: seq, later: false };
      return;
    }
    const ev = e.Event;
    if (ev !== undefined) {
      if (ev.arca?.chainId !== this.#chainId) return this.fail({ kind: 'inserted', sequence: seq, message: `event ${seq} belongs to another trail` });
      if (ev.arca.sequence !== seq || ev.arca.leafHash !== e.LeafHash) return this.fail({ kind: 'modified', sequence: seq, message: `event ${seq} states another position or leaf hash than the trail stores` });
      if ((await eventLeafHash(ev)) !== e.LeafHash) return this.fail({ kind: 'modified', sequence: seq, message: `event ${seq} (${ev.eventName}, ${ev.eventID}) was modified: its content does not hash to its leaf hash` });
    }
    this.#recent.push(e.LeafHash);
    if (this.#recent.length > 2048) this.#recent.splice(0, 1024);
    await this.#frontier.append(fromHex(e.LeafHash) as Uint8Array);
    const size = this.#frontier.size;
    for (let h = this.#heads[this.#headIndex]; h !== undefined && h.treeSize === size; h = this.#heads[++this.#headIndex]) {
      if (toHex(await this.#frontier.root()) !== h.rootHash) {
        const from = (this.#verified?.treeSize ?? 0) + 1;
        return this.fail({ kind: 'modified', sequence: from, toSequence: size, message: `events ${from}..${size} do not hash to the root signed for tree size ${size}: at least one was modified, inserted or removed and renumbered` });
      }
      this.#verified = { chainId: h.chainId, treeSize: h.treeSize, rootHash: h.rootHash, timestamp: h.timestamp };
    }
  }

  finish(key: { publicKey: string; keySource: 'pinned' | 'server' }): VerifyResult {
    const base = { events: this.#events, ...key, ...(this.#verified !== undefined && { verified: this.#verified }) };
    const gap = this.#gap;
    if (this.#failure === undefined && gap !== undefined) {
      this.#failure = gap.later
        ? { kind: 'reordered', sequence: gap.expected, message: `event ${gap.found} comes before event ${gap.expected}` }
        : { kind: 'missing', sequence: gap.expected, toSequence: gap.found - 1, message: `events ${gap.expected}..${gap.found - 1} are missing (deleted)` };
    }
    if (this.#failure !== undefined) return { ok: false, ...base, unsignedTail: 0, divergence: this.#failure };
    const size = this.#frontier.size;
    const pending = this.#heads[this.#headIndex];
    if (pending !== undefined) {
      return { ok: false, ...base, unsignedTail: 0, divergence: { kind: 'truncated', sequence: size + 1, toSequence: pending.treeSize, message: `the log ends after event ${size}, but a tree head signs ${pending.treeSize} events` } };
    }
    if (size > 0 && this.#heads.length === 0) return { ok: false, ...base, unsignedTail: 0, divergence: { kind: 'unsigned', message: 'no signed tree head covers any event: nothing in this log is proven' } };
    return { ok: true, ...base, unsignedTail: size - (this.#verified?.treeSize ?? 0) };
  }
}

/** Reads a pasted public key: 32 bytes of strict base64, or undefined. */
export function parsePublicKey(text: string): Uint8Array | undefined {
  const k = fromBase64(text.trim());
  return k?.length === 32 ? k : undefined;
}

export interface VerifyOptions {
  /** Fetches the export page starting at `from` (ExportAuditLog FromSequence). */
  readonly fetchPage: (from: number) => Promise<ExportPage>;
  /** A key the user pinned (trusted out of band); without it, the key the export names is used (and said so). */
  readonly pinnedKey?: Uint8Array | undefined;
  /** Called after every page: events verified so far, and the size to reach (the largest signed head, at least). */
  readonly onProgress?: (done: number, total: number) => void;
  /** The events the chain holds (ListAuditChains), as the progress bar's first total. */
  readonly expected?: number;
  readonly signal?: AbortSignal | undefined;
}

/** Pages through the export, verifying each page as it arrives (an await per page keeps the page responsive). */
export async function verifyChain(opts: VerifyOptions): Promise<VerifyResult> {
  const first = await opts.fetchPage(1);
  const serverKey = first.PublicKey ?? '';
  const keySource = opts.pinnedKey !== undefined ? 'pinned' : 'server';
  const publicKey = opts.pinnedKey !== undefined ? toBase64(opts.pinnedKey) : serverKey;
  const heads = first.TreeHeads ?? [];
  const keyBytes = fromBase64(publicKey);
  const refused: Divergence | undefined =
    keyBytes?.length !== 32 || serverKey !== publicKey ? { kind: 'malformed', message: opts.pinnedKey !== undefined ? 'the server names a different signing key than the pinned one' : 'the export carries no valid public key' } : undefined;
  const v = await ChainVerifier.start(keyBytes ?? new Uint8Array(0), first.ChainId ?? '', heads, refused);
  const total = Math.max(opts.expected ?? 0, ...heads.map((h) => h.treeSize));
  let page: ExportPage | undefined = first;
  while (page !== undefined && !v.done) {
    for (const e of page.Entries) {
      await v.push(e);
      if (v.done) break;
    }
    opts.onProgress?.(v.size, Math.max(total, v.size));
    if (opts.signal?.aborted === true) throw new DOMException('Verification cancelled', 'AbortError');
    page = page.NextSequence !== undefined && !v.done ? await opts.fetchPage(page.NextSequence) : undefined;
  }
  return v.finish({ publicKey, keySource });
}

/** A consistency proof as GetAuditProof answers it with FirstTreeSize. */
export interface ConsistencyAnswer {
  readonly FirstTreeHead?: { readonly TreeSize: number; readonly RootHash: string };
  readonly TreeHead?: { readonly TreeSize: number; readonly RootHash: string };
  readonly ConsistencyProof?: readonly string[];
}

/**
 * Whether the head just verified extends the one remembered from an earlier verification: the server's
 * proof is checked in the browser against the two roots this session verified itself (not the server's copies).
 */
export async function checkConsistency(earlier: VerifiedHead, later: VerifiedHead, answer: ConsistencyAnswer): Promise<boolean> {
  if (earlier.chainId !== later.chainId || earlier.treeSize > later.treeSize) return false;
  if (earlier.treeSize === later.treeSize) return earlier.rootHash === later.rootHash;
  const proof = (answer.ConsistencyProof ?? []).map(fromHex);
  const a = fromHex(earlier.rootHash);
  const b = fromHex(later.rootHash);
  if (a === undefined || b === undefined || proof.some((p) => p === undefined)) return false;
  return verifyConsistency(earlier.treeSize, later.treeSize, a, b, proof as Uint8Array[]);
}
