import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fsyncDirectory } from '../platform/durable-file.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { classifyExportLine, TrailVerifier, verifyExportStream, type VerifyReport } from '../audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../core/audit.js';
import { verifyConsistency, verifyInclusion } from '../crypto/merkle.js';
import { fileLines } from './export-file.js';
import { callOperation, type ClientConfig, clientConfigFrom, reportCallError } from './client.js';

export const AUDIT_USAGE = `arca audit <verify|query|tail|export|public-key|checkpoint> [options]

  verify [--file LOG --public-key KEY]   verify the trail: online (the server's trail, streamed page by
                                         page) or offline (an export and the trail's public key: base64,
                                         or a file holding it); prints a report, exits 1 on any divergence
  query [filters]                        events, newest first, as JSON lines; filters: --start --end
                                         --key --principal --operation --outcome Success|Failure
                                         --error-code --source-ip --limit N (default 100)
  tail [-f]                              the latest events (with -f, keep printing new ones)
  export [--out FILE]                    the whole trail, its tree heads and public key, as JSON lines
  public-key                             the trail's tree-head signing key (base64 Ed25519)
  checkpoint                             the latest signed tree head as a C2SP signed-note checkpoint

Common: --endpoint URL (or ARCA_ENDPOINT); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
`;

interface ExportPage {
  Entries: { Sequence: number; LeafHash: string; Event?: AuditEvent }[];
  NextSequence?: number;
  ChainId?: string;
  PublicKey?: string;
  TreeHeads?: TreeHead[];
}

/** The trail through ExportAuditLog, page by page (the first page carries the chain id, key and heads). */
async function* exportPages(config: ClientConfig): AsyncGenerator<ExportPage> {
  let from: number | undefined = 1;
  while (from !== undefined) {
    const page = (await callOperation(config, 'ArcaService.ExportAuditLog', { FromSequence: from, Limit: 1000 })) as unknown as ExportPage;
    yield page;
    from = page.NextSequence;
  }
}

/** An ExportAuditLog entry as it appears in an export file (the event, or a pruned marker). */
const entryObject = (e: ExportPage['Entries'][number]): unknown => e.Event ?? { pruned: { sequence: e.Sequence, leafHash: e.LeafHash } };

/**
 * Online verification, streamed: the heads from the first page, then every entry through the verifier
 * as its page arrives (memory: one page). Same checks, and line numbers, as verifying an export offline.
 */
async function verifyOnline(config: ClientConfig, trustedKey: string | undefined): Promise<{ report: VerifyReport; heads: readonly TreeHead[] }> {
  const pages = exportPages(config);
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

/**
 * Writes the whole trail as an export (JSON lines), page by page. A file is written durably (ADR 0010):
 * into a temporary file beside it, fsynced, renamed over `out`, and the directory fsynced.
 */
async function writeExport(config: ClientConfig, out: string | undefined): Promise<void> {
  const temp = out !== undefined ? `${out}.${process.pid}.tmp` : undefined;
  const fd = temp !== undefined ? openSync(temp, 'wx', 0o600) : undefined;
  const write = async (text: string): Promise<void> => {
    if (fd !== undefined) writeSync(fd, text);
    else if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  try {
    let heads: readonly TreeHead[] = [];
    for await (const page of exportPages(config)) {
      if (page.ChainId !== undefined) {
        heads = page.TreeHeads ?? [];
        await write(JSON.stringify({ arcaAuditExport: 1, chainId: page.ChainId, publicKey: page.PublicKey ?? '' }) + '\n');
      }
      if (page.Entries.length > 0) await write(page.Entries.map((e) => JSON.stringify(entryObject(e)) + '\n').join(''));
    }
    if (heads.length > 0) await write(heads.map((h) => JSON.stringify({ treeHead: h }) + '\n').join(''));
    if (fd !== undefined) fsyncSync(fd);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    if (temp !== undefined) rmSync(temp, { force: true });
    throw e;
  }
  if (fd === undefined || temp === undefined || out === undefined) return;
  closeSync(fd);
  renameSync(temp, out);
  fsyncDirectory(dirname(out));
}

function readPublicKey(value: string): Buffer {
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

function printReport(r: VerifyReport): void {
  if (r.ok) {
    process.stdout.write(`OK: ${r.events} events, ${r.treeHeads} signed tree heads; verified through tree size ${r.verifiedTreeSize}` + (r.unsignedTail > 0 ? `; ${r.unsignedTail} newer events not yet under a signed tree head` : '') + '\n');
    return;
  }
  const d = r.divergence;
  process.stdout.write(`FAILED: ${d?.kind ?? 'unknown'}${d?.sequence !== undefined ? ` at event ${d.sequence}` : ''}${d?.line !== undefined ? ` (line ${d.line})` : ''}: ${d?.message ?? ''}\n`);
}

const QUERY_FLAGS = { start: 'StartTime', end: 'EndTime', key: 'KeyId', principal: 'Principal', operation: 'EventName', outcome: 'Outcome', 'error-code': 'ErrorCode', 'source-ip': 'SourceIPAddress' } as const;

/** `arca audit ...`. */
export async function runAudit(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      endpoint: { type: 'string' },
      file: { type: 'string' },
      'public-key': { type: 'string' },
      out: { type: 'string' },
      follow: { type: 'boolean', short: 'f', default: false },
      limit: { type: 'string' },
      interval: { type: 'string', default: '1000' },
      ...Object.fromEntries(Object.keys(QUERY_FLAGS).map((k) => [k, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || sub === undefined) {
    process.stdout.write(AUDIT_USAGE);
    return values.help ? 0 : 2;
  }
  const client = (): ClientConfig => clientConfigFrom(process.env, values.endpoint);
  try {
    switch (sub) {
      case 'verify': {
        if (values.file !== undefined) {
          if (values['public-key'] === undefined) throw new UsageError('offline verification needs --public-key (the trail key, obtained out of band)');
          const report = await verifyExportStream(() => fileLines(values.file ?? ''), readPublicKey(values['public-key']));
          printReport(report);
          return report.ok ? 0 : 1;
        }
        const { report, heads } = await verifyOnline(client(), values['public-key']);
        printReport(report);
        if (!report.ok) return 1;
        const proofs = await checkServerProofs(client(), heads);
        process.stdout.write(proofs.ok ? `OK: ${proofs.checked} proofs from the server verified\n` : `FAILED: server proof: ${proofs.problem}\n`);
        return proofs.ok ? 0 : 1;
      }
      case 'export': {
        await writeExport(client(), values.out);
        return 0;
      }
      case 'checkpoint': {
        const c = (await callOperation(client(), 'ArcaService.GetAuditCheckpoint', {})) as { Checkpoint?: string };
        process.stdout.write(c.Checkpoint ?? '');
        return 0;
      }
      case 'public-key': {
        const page = (await callOperation(client(), 'ArcaService.ExportAuditLog', { FromSequence: 1, Limit: 1 })) as unknown as ExportPage;
        process.stdout.write(`${page.PublicKey ?? ''}\n`);
        return 0;
      }
      case 'query':
      case 'tail': {
        const input: Record<string, unknown> = {};
        for (const [flag, member] of Object.entries(QUERY_FLAGS)) {
          const v = (values as Record<string, unknown>)[flag];
          if (typeof v === 'string') input[member] = v;
        }
        input['Limit'] = Number(values.limit ?? (sub === 'tail' ? 10 : 100));
        const page = (await callOperation(client(), 'ArcaService.ListAuditEvents', input)) as { Events: AuditEvent[] };
        const events = sub === 'tail' ? [...page.Events].reverse() : page.Events;
        for (const e of events) process.stdout.write(JSON.stringify(e) + '\n');
        if (sub === 'tail' && values.follow) return await follow(client(), events.at(-1)?.arca?.sequence ?? 0, Number(values.interval));
        return 0;
      }
      default:
        throw new UsageError(`unknown audit command '${sub}'`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`arca audit: ${e.message}\n\n${AUDIT_USAGE}`);
      return 2;
    }
    return reportCallError(e);
  }
}

class UsageError extends Error {}

/** Prints events newer than `after` as they arrive (its own queries show up too: the trail records them). */
async function follow(config: ClientConfig, after: number, intervalMs: number): Promise<number> {
  let last = after;
  for (;;) {
    await sleep(intervalMs);
    const page = (await callOperation(config, 'ArcaService.ExportAuditLog', { FromSequence: last + 1, Limit: 1000 })) as unknown as ExportPage;
    for (const e of page.Entries) {
      if (e.Event !== undefined) process.stdout.write(JSON.stringify(e.Event) + '\n');
      last = e.Sequence;
    }
  }
}

/**
 * Online only: asks the server (GetAuditProof) for a consistency proof between every pair of consecutive
 * signed tree heads (the last 200 pairs at most) and an inclusion proof of the newest signed event, and
 * checks each against the heads the export verified.
 */
async function checkServerProofs(config: ClientConfig, signed: readonly TreeHead[]): Promise<{ ok: true; checked: number } | { ok: false; problem: string }> {
  const heads = [...signed].sort((a, b) => a.treeSize - b.treeSize);
  const hex = (h: string): Buffer => Buffer.from(h, 'hex');
  let checked = 0;
  for (let i = Math.max(1, heads.length - 200); i < heads.length; i++) {
    const [first, second] = [heads[i - 1] as TreeHead, heads[i] as TreeHead];
    const r = (await callOperation(config, 'ArcaService.GetAuditProof', { FirstTreeSize: first.treeSize, TreeSize: second.treeSize })) as { ConsistencyProof?: string[] };
    if (!verifyConsistency(first.treeSize, second.treeSize, hex(first.rootHash), hex(second.rootHash), (r.ConsistencyProof ?? []).map(hex))) {
      return { ok: false, problem: `the consistency proof from tree size ${first.treeSize} to ${second.treeSize} does not verify` };
    }
    checked++;
  }
  const last = heads.at(-1);
  if (last !== undefined) {
    const r = (await callOperation(config, 'ArcaService.GetAuditProof', { Sequence: last.treeSize, TreeSize: last.treeSize })) as { LeafHash?: string; InclusionProof?: string[] };
    if (!verifyInclusion(hex(r.LeafHash ?? ''), last.treeSize - 1, last.treeSize, (r.InclusionProof ?? []).map(hex), hex(last.rootHash))) {
      return { ok: false, problem: `the inclusion proof of event ${last.treeSize} does not verify` };
    }
    checked++;
  }
  return { ok: true, checked };
}
