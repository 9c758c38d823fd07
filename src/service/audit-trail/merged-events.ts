import type { AuditEvent, AuditPosition } from '../../core/audit.js';
import { KmsError } from '../../core/errors.js';
import type { AuditChainInfo } from '../../core/audit-chains.js';
import type { AuditQuery, AuditTrail } from '../../core/ports.js';

/**
 * ListAuditEvents with `AllNodes` (issue 14): every node's chain merged into one list, newest first.
 *
 * The merged order is total and stable: events sort by (event time, node name, sequence), and the list is
 * that order reversed. The cursor is one position in it — the last event of a page (its time, chain id and
 * sequence) — rather than one position per chain: every chain's next events are exactly those below it in
 * the merged order, whatever the number of nodes (a marker holds at most 1024 characters) and even for a
 * node that first wrote after the paging began. A marker is checked against the store: its chain must
 * exist and hold an event of that sequence and time, so a forged or stale marker (a made-up position, a
 * pruned event) is InvalidMarker rather than a silently wrong page.
 */

/** The position of one event in the merged order. */
export interface MergedPosition extends AuditPosition {
  readonly node: string;
  readonly chainId: string;
}

const PREFIX = 'arca-nodes1:';
const invalid = (): KmsError => new KmsError('InvalidMarker', 'The marker is not valid.');

/** The opaque marker of `p` (base64url of a prefix and JSON). */
export function encodeMergedMarker(p: Pick<MergedPosition, 'time' | 'chainId' | 'sequence'>): string {
  return Buffer.from(PREFIX + JSON.stringify([p.time, p.chainId, p.sequence]), 'utf8').toString('base64url');
}

/** The position a marker names, checked for shape only (InvalidMarker otherwise). */
export function decodeMergedMarker(marker: string): Pick<MergedPosition, 'time' | 'chainId' | 'sequence'> {
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) throw invalid();
  let v: unknown;
  try {
    v = JSON.parse(text.slice(PREFIX.length));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(v) || v.length !== 3) throw invalid();
  const [time, chainId, sequence] = v as unknown[];
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time)) || typeof chainId !== 'string' || chainId === '') throw invalid();
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 1) throw invalid();
  return { time, chainId, sequence };
}

/** Ascending merged order: time, then node, then sequence (text compared by code unit, as the stores do). */
export function compareMerged(a: Omit<MergedPosition, 'chainId'>, b: Omit<MergedPosition, 'chainId'>): number {
  const byText = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return byText(a.time, b.time) || byText(a.node, b.node) || a.sequence - b.sequence;
}

/**
 * Where chain `node` continues below `at` in its own (time, sequence) order: at `at`'s time, a node that
 * sorts before `at`'s keeps all its events of that time, one after it none of them.
 */
export function chainCursor(node: string, at: MergedPosition): AuditPosition {
  if (node === at.node) return { time: at.time, sequence: at.sequence };
  return { time: at.time, sequence: node < at.node ? Number.MAX_SAFE_INTEGER : 0 };
}

/** One chain's events below the cursor, newest first, as `AuditTrail.eventsBefore` returns them. */
export interface ChainEvents {
  readonly node: string;
  readonly chainId: string;
  readonly events: readonly AuditEvent[];
}

const positionOf = (c: ChainEvents, e: AuditEvent): MergedPosition => ({ time: e.eventTime, node: c.node, chainId: c.chainId, sequence: e.arca?.sequence ?? 0 });

/**
 * The first `limit` events of the streams in descending merged order, and the position of the last one
 * when more remain. Each stream must hold its chain's first `limit + 1` events below the cursor: then the
 * union's first `limit + 1` are among them, and "more remain" is exact.
 */
export function mergeNewestFirst(streams: readonly ChainEvents[], limit: number): { events: AuditEvent[]; next: MergedPosition | undefined } {
  const all = streams.flatMap((c) => c.events.map((e) => ({ e, at: positionOf(c, e) })));
  all.sort((x, y) => compareMerged(y.at, x.at));
  const page = all.slice(0, limit);
  return { events: page.map((x) => x.e), next: all.length > limit ? page.at(-1)?.at : undefined };
}

/** What the merge reads of the store's chains (ServiceDeps.auditChains is one). */
export interface MergeSource {
  list(): Promise<readonly Pick<AuditChainInfo, 'node' | 'chainId'>[]>;
  trailOf(chainId: string): Promise<Pick<AuditTrail, 'eventsBefore' | 'entriesInRange'> | undefined>;
}

/** A page of every chain's events matching `query`, newest first; `marker`: a previous page's NextMarker. */
export async function listMergedEvents(
  deps: { readonly auditChains: MergeSource },
  query: AuditQuery,
  marker: string | undefined,
  limit: number,
): Promise<{ events: AuditEvent[]; nextMarker: string | undefined }> {
  const chains = await deps.auditChains.list();
  let at: MergedPosition | undefined;
  if (marker !== undefined) {
    const m = decodeMergedMarker(marker);
    const chain = chains.find((c) => c.chainId === m.chainId);
    const trail = chain === undefined ? undefined : await deps.auditChains.trailOf(m.chainId);
    const entry = trail === undefined ? undefined : (await trail.entriesInRange(m.sequence, m.sequence))[0];
    if (chain === undefined || entry?.event?.eventTime !== m.time) throw invalid();
    at = { ...m, node: chain.node };
  }
  const streams = await Promise.all(
    chains.map(async (c): Promise<ChainEvents> => {
      const trail = await deps.auditChains.trailOf(c.chainId);
      const events = trail === undefined ? [] : await trail.eventsBefore(query, at === undefined ? undefined : chainCursor(c.node, at), limit + 1);
      return { node: c.node, chainId: c.chainId, events };
    }),
  );
  const { events, next } = mergeNewestFirst(streams, limit);
  return { events, nextMarker: next === undefined ? undefined : encodeMergedMarker(next) };
}
