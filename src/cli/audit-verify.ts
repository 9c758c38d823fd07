import { readFileSync } from 'node:fs';
import { classifyExportLine, TrailVerifier, type VerifyReport } from '../audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../core/audit.js';
import { verifyConsistency, verifyInclusion } from '../crypto/merkle.js';
import { callOperation, type ClientConfig } from './client.js';

/**
 * Online verification of audit chains through the operation protocol (`arca audit verify`): one chain
 * (this node's, or any by id), or every chain of a cluster (issue 14), each against its own public key.
 */

/** One response of ArcaService.ExportAuditLog. */
export interface ExportPage {
  Entries: { Sequence: number; LeafHash: string; Event?: AuditEvent }[];
  NextSequence?: number;
  ChainId?: string;
  PublicKey?: string;
  TreeHeads?: TreeHead[];
}

/** The trail through ExportAuditLog, page by page (the first page carries the chain id, key and heads); `chainId`: another node's chain. */
export async function* exportPages(config: ClientConfig, chainId?: string): AsyncGenerator<ExportPage> {
  let from: number | undefined = 1;
  while (from !== undefined) {
    const page = (await callOperation(config, 'ArcaService.ExportAuditLog', { FromSequence: from, Limit: 1000, ...(chainId !== undefined && { ChainId: chainId }) })) as unknown as ExportPage;
    yield page;
    from = page.NextSequence;
  }
}

/** An ExportAuditLog entry as it appears in an export file (the event, or a pruned marker). */
export const entryObject = (e: ExportPage['Entries'][number]): unknown => e.Event ?? { pruned: { sequence: e.Sequence, leafHash: e.LeafHash } };

/**
 * Online verification, streamed: the heads from the first page, then every entry through the verifier
 * as its page arrives (memory: one page). Same checks, and line numbers, as verifying an export offline.
 */
export async function verifyOnline(config: ClientConfig, trustedKey: string | undefined, chainId?: string): Promise<{ report: VerifyReport; heads: readonly TreeHead[] }> {
  const pages = exportPages(config, chainId);
  const first = (await pages.next()).value;
  const heads = first?.TreeHeads ?? [];
  const publicKey = trustedKey !== undefined ? readPublicKey(trustedKey) : Buffer.from(first?.PublicKey ?? '', 'base64');
  const fail = (d: NonNullable<VerifyReport['divergence']>): { report: VerifyReport; heads: readonly TreeHead[] } => ({ report: { ok: false, events: 0, treeHeads: heads.length, verifiedTreeSize: 0, unsignedTail: 0, divergence: d }, heads });
  if (first === undefined || first.PublicKey !== publicKey.toString('base64')) return fail({ kind: 'malformed', line: 1, message: 'the export names a different signing key than the trusted one' });
  const parsedHeads: { head: TreeHead }[] = [];
  for (const [i, h] of heads.entries()) {
    const p = classifyExportLine({ treeHead: h }, 0);
    if (p.kind !== 'head') return fail({ kind: 'bad-tree-head', message: `tree head ${i + 1}: malformed` });
    parsedHeads.push({ head: p.head });
  }
  const v = new TrailVerifier(publicKey, first.ChainId ?? '', parsedHeads);
  let line = 1;
  const feed = (page: ExportPage): void => {
    for (const e of page.Entries) {
      line++;
      const object = entryObject(e);
      const text = e.Event !== undefined ? JSON.stringify(object) : undefined;
      if (text !== undefined && v.pushCanonical(text, line)) continue;
      const p = classifyExportLine(object, line, text);
      if (p.kind === 'bad') v.fail(p.divergence);
      else if (p.kind === 'entry') v.push(p.entry);
      else v.fail({ kind: 'malformed', line, message: `line ${line}: not an entry` });
      if (v.done) return;
    }
  };
  feed(first);
  for await (const page of pages) {
    if (v.done) break;
    feed(page);
  }
  return { report: v.finish(), heads };
}

/** A public key given on the command line: base64, or a file holding it. */
export function readPublicKey(value: string): Buffer {
  let text = value;
  try {
    text = readFileSync(value, 'utf8').trim();
  } catch {
    // not a file: the key itself
  }
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32 || key.toString('base64') !== text) throw new Error('the public key must be 32 bytes of base64 (arca audit public-key)');
  return key;
}

/** The one-line verdict on a chain. */
export function reportLine(r: VerifyReport): string {
  if (r.ok) {
    return `OK: ${r.events} events, ${r.treeHeads} signed tree heads; verified through tree size ${r.verifiedTreeSize}` + (r.unsignedTail > 0 ? `; ${r.unsignedTail} newer events not yet under a signed tree head` : '');
  }
  const d = r.divergence;
  return `FAILED: ${d?.kind ?? 'unknown'}${d?.sequence !== undefined ? ` at event ${d.sequence}` : ''}${d?.line !== undefined ? ` (line ${d.line})` : ''}: ${d?.message ?? ''}`;
}

/** Prints the verdict on a chain (`arca audit verify` on one chain). */
export function printReport(r: VerifyReport): void {
  process.stdout.write(reportLine(r) + '\n');
}

/**
 * Online only: asks the server (GetAuditProof) for a consistency proof between every pair of consecutive
 * signed tree heads (the last 200 pairs at most) and an inclusion proof of the newest signed event, and
 * checks each against the heads the export verified. `chainId`: another node's chain.
 */
export async function checkServerProofs(config: ClientConfig, signed: readonly TreeHead[], chainId?: string): Promise<{ ok: true; checked: number } | { ok: false; problem: string }> {
  const on = chainId === undefined ? {} : { ChainId: chainId };
  const heads = [...signed].sort((a, b) => a.treeSize - b.treeSize);
  const hex = (h: string): Buffer => Buffer.from(h, 'hex');
  let checked = 0;
  for (let i = Math.max(1, heads.length - 200); i < heads.length; i++) {
    const [first, second] = [heads[i - 1] as TreeHead, heads[i] as TreeHead];
    const r = (await callOperation(config, 'ArcaService.GetAuditProof', { FirstTreeSize: first.treeSize, TreeSize: second.treeSize, ...on })) as { ConsistencyProof?: string[] };
    if (!verifyConsistency(first.treeSize, second.treeSize, hex(first.rootHash), hex(second.rootHash), (r.ConsistencyProof ?? []).map(hex))) {
      return { ok: false, problem: `the consistency proof from tree size ${first.treeSize} to ${second.treeSize} does not verify` };
    }
    checked++;
  }
  const last = heads.at(-1);
  if (last !== undefined) {
    const r = (await callOperation(config, 'ArcaService.GetAuditProof', { Sequence: last.treeSize, TreeSize: last.treeSize, ...on })) as { LeafHash?: string; InclusionProof?: string[] };
    if (!verifyInclusion(hex(r.LeafHash ?? ''), last.treeSize - 1, last.treeSize, (r.InclusionProof ?? []).map(hex), hex(last.rootHash))) {
      return { ok: false, problem: `the inclusion proof of event ${last.treeSize} does not verify` };
    }
    checked++;
  }
  return { ok: true, checked };
}

/** A chain as ArcaService.ListAuditChains lists it. */
interface ListedChain {
  readonly Node: string;
  readonly ChainId: string;
  readonly Events: number;
}

/** Every chain of the store the server at `config` uses, by node name. */
export async function listChains(config: ClientConfig): Promise<readonly ListedChain[]> {
  return ((await callOperation(config, 'ArcaService.ListAuditChains', {})) as { Chains?: ListedChain[] }).Chains ?? [];
}

/** One chain's verdict, as `arca audit verify` on a cluster prints it. */
export interface ChainVerdict {
  readonly Node: string;
  readonly ChainId: string;
  readonly Events: number;
  readonly Ok: boolean;
  /** The one-line verdict (the same text as a single-chain verification prints). */
  readonly Result: string;
  readonly VerifiedTreeSize: number;
  readonly UnsignedTail: number;
  readonly ServerProofs: number;
  readonly Divergence?: VerifyReport['divergence'];
}

/**
 * Verifies each chain in `chains` (every node's trail of a cluster, or the one `--chain` names) with the
 * same checks as a single chain: the entries against the chain's own signed tree heads and public key
 * (`trustedKey` instead, for one chain), then the server's consistency and inclusion proofs on that chain.
 */
export async function verifyChains(config: ClientConfig, chains: readonly ListedChain[], trustedKey: string | undefined): Promise<ChainVerdict[]> {
  const out: ChainVerdict[] = [];
  for (const c of chains) {
    const { report, heads } = await verifyOnline(config, trustedKey, c.ChainId);
    const proofs = report.ok ? await checkServerProofs(config, heads, c.ChainId) : undefined;
    const ok = report.ok && proofs?.ok === true;
    const result = !report.ok ? reportLine(report) : proofs?.ok === true ? `${reportLine(report)}; ${proofs.checked} server proofs verified` : `FAILED: server proof: ${proofs?.problem ?? 'not checked'}`;
    out.push({
      Node: c.Node,
      ChainId: c.ChainId,
      Events: c.Events,
      Ok: ok,
      Result: result,
      VerifiedTreeSize: report.verifiedTreeSize,
      UnsignedTail: report.unsignedTail,
      ServerProofs: proofs?.ok === true ? proofs.checked : 0,
      ...(report.divergence !== undefined && { Divergence: report.divergence }),
    });
  }
  return out;
}
