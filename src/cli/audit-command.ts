import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fsyncDirectory } from '../platform/durable-file.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { verifyExportStream } from '../audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../core/audit.js';
import { checkServerProofs, entryObject, exportPages, listChains, printReport, readPublicKey, verifyChains, verifyOnline, type ExportPage } from './audit-verify.js';
import { fileLines } from './export-file.js';
import { callOperation, type ClientConfig, clientConfigFrom, reportCallError } from './client.js';
import { parseOutputFormat, render } from './output.js';

export const AUDIT_USAGE = `arca audit <verify|query|tail|export|public-key|checkpoint> [options]

  verify [--file LOG --public-key KEY]   verify the trail: online (the server's trail, streamed page by
                                         page) or offline (an export and the trail's public key: base64,
                                         or a file holding it); prints a report, exits 1 on any divergence.
                                         In a cluster, online: every node's chain, each against its own
                                         key, one line per node (--chain ID: that chain only)
  query [filters]                        events, newest first, as JSON lines; filters: --start --end
                                         --key --principal --operation --outcome Success|Failure
                                         --error-code --source-ip --limit N (default 100); --all-nodes:
                                         every node's events, merged newest first by time
  tail [-f]                              the latest events (with -f, keep printing new ones)
  export [--out FILE]                    the whole trail, its tree heads and public key, as JSON lines
  public-key                             the trail's tree-head signing key (base64 Ed25519)
  checkpoint                             the latest signed tree head as a C2SP signed-note checkpoint

Common: --endpoint URL (or ARCA_ENDPOINT); credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY;
--chain ID: another node's audit chain (arca audit verify lists them); --output json|table (verify).
`;

/**
 * Writes the whole trail as an export (JSON lines), page by page. A file is written durably (ADR 0010):
 * into a temporary file beside it, fsynced, renamed over `out`, and the directory fsynced.
 */
async function writeExport(config: ClientConfig, out: string | undefined, chainId: string | undefined): Promise<void> {
  const temp = out !== undefined ? `${out}.${process.pid}.tmp` : undefined;
  const fd = temp !== undefined ? openSync(temp, 'wx', 0o600) : undefined;
  const write = async (text: string): Promise<void> => {
    if (fd !== undefined) writeSync(fd, text);
    else if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  };
  try {
    let heads: readonly TreeHead[] = [];
    for await (const page of exportPages(config, chainId)) {
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
      chain: { type: 'string' },
      'all-nodes': { type: 'boolean', default: false },
      output: { type: 'string' },
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
        const format = parseOutputFormat(values.output);
        const chains = await listChains(client());
        if (values.chain === undefined && format === 'table' && chains.length <= 1) {
          // One chain (SQLite, or a cluster of one): the report as it always was.
          const { report, heads } = await verifyOnline(client(), values['public-key']);
          printReport(report);
          if (!report.ok) return 1;
          const proofs = await checkServerProofs(client(), heads);
          process.stdout.write(proofs.ok ? `OK: ${proofs.checked} proofs from the server verified\n` : `FAILED: server proof: ${proofs.problem}\n`);
          return proofs.ok ? 0 : 1;
        }
        const chosen = values.chain === undefined ? chains : chains.filter((c) => c.ChainId === values.chain);
        if (chosen.length === 0) throw new UsageError(`no audit chain '${values.chain ?? ''}' (the chains: ${chains.map((c) => `${c.Node} ${c.ChainId}`).join(', ')})`);
        if (values['public-key'] !== undefined && chosen.length > 1) throw new UsageError('--public-key is one chain\'s key: name that chain with --chain');
        const verdicts = await verifyChains(client(), chosen, values['public-key']);
        const ok = verdicts.every((v) => v.Ok);
        process.stdout.write(format === 'json' ? render('json', { Ok: ok, Chains: verdicts }) : render('table', verdicts, ['Node', 'ChainId', 'Events', 'Result']));
        return ok ? 0 : 1;
      }
      case 'export': {
        await writeExport(client(), values.out, values.chain);
        return 0;
      }
      case 'checkpoint': {
        const c = (await callOperation(client(), 'ArcaService.GetAuditCheckpoint', onChain(values.chain))) as { Checkpoint?: string };
        process.stdout.write(c.Checkpoint ?? '');
        return 0;
      }
      case 'public-key': {
        const page = (await callOperation(client(), 'ArcaService.ExportAuditLog', { FromSequence: 1, Limit: 1, ...onChain(values.chain) })) as unknown as ExportPage;
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
        if (values['all-nodes'] && values.chain !== undefined) throw new UsageError('--all-nodes and --chain exclude each other');
        Object.assign(input, values['all-nodes'] ? { AllNodes: true } : onChain(values.chain));
        const found = await listEvents(client(), input, Number(values.limit ?? (sub === 'tail' ? 10 : 100)));
        const events = sub === 'tail' ? [...found].reverse() : found;
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

/** `{ ChainId }` when `--chain` names one, else nothing (this node's chain). */
const onChain = (chainId: string | undefined): { ChainId?: string } => (chainId === undefined ? {} : { ChainId: chainId });

/** Up to `limit` events of ListAuditEvents with `input`, newest first, following NextMarker (1000 a page at most). */
async function listEvents(config: ClientConfig, input: Record<string, unknown>, limit: number): Promise<AuditEvent[]> {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  const out: AuditEvent[] = [];
  let marker: string | undefined;
  do {
    const page = (await callOperation(config, 'ArcaService.ListAuditEvents', { ...input, Limit: Math.min(1000, limit - out.length), ...(marker !== undefined && { Marker: marker }) })) as { Events: AuditEvent[]; NextMarker?: string };
    out.push(...page.Events);
    marker = page.NextMarker;
  } while (marker !== undefined && out.length < limit);
  return out;
}

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
