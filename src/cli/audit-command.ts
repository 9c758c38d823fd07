import { readFileSync } from 'node:fs';
import { writeFileDurably } from '../platform/durable-file.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { exportLines, verifyExport, type VerifyReport } from '../audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../core/audit.js';
import { verifyConsistency, verifyInclusion } from '../crypto/merkle.js';
import { callOperation, type ClientConfig, clientConfigFrom, reportCallError } from './client.js';

export const AUDIT_USAGE = `arca audit <verify|query|tail|export|public-key> [options]

  verify [--file LOG --public-key KEY]   verify the trail: online (the server's trail, fetched whole) or
                                         offline (an export and the trail's public key: base64, or a file
                                         holding it); prints a report, exits 1 on any divergence
  query [filters]                        events, newest first, as JSON lines; filters: --start --end
                                         --key --principal --operation --outcome Success|Failure
                                         --error-code --source-ip --limit N (default 100)
  tail [-f]                              the latest events (with -f, keep printing new ones)
  export [--out FILE]                    the whole trail, its tree heads and public key, as JSON lines
  public-key                             the trail's tree-head signing key (base64 Ed25519)

Common: --endpoint URL (or ARCA_ENDPOINT); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
`;

interface ExportPage {
  Entries: { Sequence: number; LeafHash: string; Event?: AuditEvent }[];
  NextSequence?: number;
  ChainId?: string;
  PublicKey?: string;
  TreeHeads?: TreeHead[];
}

/** Fetches the whole trail through ExportAuditLog and renders it as export lines. */
async function fetchExport(config: ClientConfig): Promise<{ lines: string[]; publicKey: string }> {
  const entries: { sequence: number; leafHash: string; event?: AuditEvent }[] = [];
  let from: number | undefined = 1;
  let first: ExportPage | undefined;
  while (from !== undefined) {
    const page = (await callOperation(config, 'ArcaService.ExportAuditLog', { FromSequence: from, Limit: 1000 })) as unknown as ExportPage;
    first ??= page;
    for (const e of page.Entries) entries.push({ sequence: e.Sequence, leafHash: e.LeafHash, ...(e.Event !== undefined && { event: e.Event }) });
    from = page.NextSequence;
  }
  const publicKey = first?.PublicKey ?? '';
  return { lines: exportLines({ arcaAuditExport: 1, chainId: first?.ChainId ?? '', publicKey }, entries, first?.TreeHeads ?? []), publicKey };
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
          const report = verifyExport(readFileSync(values.file, 'utf8').split('\n'), readPublicKey(values['public-key']));
          printReport(report);
          return report.ok ? 0 : 1;
        }
        const { lines, publicKey } = await fetchExport(client());
        const trusted = values['public-key'] !== undefined ? readPublicKey(values['public-key']) : Buffer.from(publicKey, 'base64');
        const report = verifyExport(lines, trusted);
        printReport(report);
        if (!report.ok) return 1;
        const proofs = await checkServerProofs(client(), lines);
        process.stdout.write(proofs.ok ? `OK: ${proofs.checked} proofs from the server verified\n` : `FAILED: server proof: ${proofs.problem}\n`);
        return proofs.ok ? 0 : 1;
      }
      case 'export': {
        const { lines } = await fetchExport(client());
        const text = lines.join('\n') + '\n';
        if (values.out !== undefined) writeFileDurably(values.out, text);
        else process.stdout.write(text);
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
async function checkServerProofs(config: ClientConfig, lines: readonly string[]): Promise<{ ok: true; checked: number } | { ok: false; problem: string }> {
  const heads = lines.flatMap((l) => (l.startsWith('{"treeHead"') ? [(JSON.parse(l) as { treeHead: TreeHead }).treeHead] : [])).sort((a, b) => a.treeSize - b.treeSize);
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
