import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { fsyncDirectory } from '../platform/durable-file.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { verifyExportStream } from '../audit/verify-log.js';
import type { AuditEvent, TreeHead } from '../core/audit.js';
import { checkServerProofs, entryObject, exportPages, listChains, printReport, readPublicKey, verifyChains, verifyOnline, type ExportPage } from './audit-verify.js';
import { fileLines } from './export-file.js';
import { callOperation, type ClientConfig } from './client.js';
import { act, clientFor, formatOf, show, UsageError } from './command-kit.js';

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

const QUERY_FLAGS = { start: 'StartTime', end: 'EndTime', key: 'KeyId', principal: 'Principal', operation: 'EventName', outcome: 'Outcome', errorCode: 'ErrorCode', sourceIp: 'SourceIPAddress' } as const;

interface AuditOptions {
  readonly file?: string;
  readonly publicKey?: string;
  readonly out?: string;
  readonly follow?: boolean;
  readonly limit?: string;
  readonly interval?: string;
  readonly chain?: string;
  readonly allNodes?: boolean;
}

async function verify(cmd: Command): Promise<number> {
  const values = cmd.opts<AuditOptions>();
  const client = (): ClientConfig => clientFor(cmd);
  if (values.file !== undefined) {
    if (values.publicKey === undefined) throw new UsageError('offline verification needs --public-key (the trail key, obtained out of band)');
    const report = await verifyExportStream(() => fileLines(values.file ?? ''), readPublicKey(values.publicKey));
    if (formatOf(cmd) === 'table') printReport(report);
    else show(cmd, report);
    return report.ok ? 0 : 1;
  }
  const format = formatOf(cmd);
  const chains = await listChains(client());
  if (values.chain === undefined && format === 'table' && chains.length <= 1) {
    // One chain (SQLite, or a cluster of one): the report as it always was.
    const { report, heads } = await verifyOnline(client(), values.publicKey);
    printReport(report);
    if (!report.ok) return 1;
    const proofs = await checkServerProofs(client(), heads);
    process.stdout.write(proofs.ok ? `OK: ${proofs.checked} proofs from the server verified\n` : `FAILED: server proof: ${proofs.problem}\n`);
    return proofs.ok ? 0 : 1;
  }
  const chosen = values.chain === undefined ? chains : chains.filter((c) => c.ChainId === values.chain);
  if (chosen.length === 0) throw new UsageError(`no audit chain '${values.chain ?? ''}' (the chains: ${chains.map((c) => `${c.Node} ${c.ChainId}`).join(', ')})`);
  if (values.publicKey !== undefined && chosen.length > 1) throw new UsageError("--public-key is one chain's key: name that chain with --chain");
  const verdicts = await verifyChains(client(), chosen, values.publicKey);
  const ok = verdicts.every((v) => v.Ok);
  if (format === 'table') show(cmd, verdicts, ['Node', 'ChainId', 'Events', 'Result']);
  else show(cmd, { Ok: ok, Chains: verdicts });
  return ok ? 0 : 1;
}

async function events(cmd: Command, sub: 'query' | 'tail'): Promise<number> {
  const values = cmd.opts<AuditOptions & Partial<Record<keyof typeof QUERY_FLAGS, string>>>();
  const input: Record<string, unknown> = {};
  for (const [flag, member] of Object.entries(QUERY_FLAGS)) {
    const v = (values as Record<string, unknown>)[flag];
    if (typeof v === 'string') input[member] = v;
  }
  if (values.allNodes === true && values.chain !== undefined) throw new UsageError('--all-nodes and --chain exclude each other');
  Object.assign(input, values.allNodes === true ? { AllNodes: true } : onChain(values.chain));
  const found = await listEvents(clientFor(cmd), input, Number(values.limit ?? (sub === 'tail' ? 10 : 100)));
  const list = sub === 'tail' ? [...found].reverse() : found;
  // Events are JSON lines by default (for jq and log tools, and what -f streams); one JSON array or YAML document when asked.
  if (formatOf(cmd) !== 'table' && values.follow !== true) show(cmd, list);
  else for (const e of list) process.stdout.write(JSON.stringify(e) + '\n');
  if (sub === 'tail' && values.follow === true) return await follow(clientFor(cmd), list.at(-1)?.arca?.sequence ?? 0, Number(values.interval ?? '1000'));
  return 0;
}

const chainOption = (c: Command): Command => c.option('--chain <id>', "another node's audit chain (arca audit verify lists them)");

function queryOptions(c: Command): Command {
  return chainOption(c)
    .option('--start <time>', 'from this time')
    .option('--end <time>', 'until this time')
    .option('--key <key>', 'of this KMS key')
    .option('--principal <arn>', 'of this principal')
    .option('--operation <name>', 'of this operation (EventName)')
    .option('--outcome <outcome>', 'Success or Failure')
    .option('--error-code <code>', 'failed with this error code')
    .option('--source-ip <ip>', 'from this address')
    .option('--all-nodes', "every node's events, merged newest first by time");
}

/** `arca audit …`: verify, query, tail or export the audit trail (docs/audit.md). */
export function auditCommand(): Command {
  const audit = new Command('audit').description('verify, query, tail or export the audit trail (docs/audit.md)');
  audit.addHelpText('after', '\nCredentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the client key of --cert is --cert-key here (--key is a KMS key).');
  audit.addCommand(
    chainOption(new Command('verify'))
      .description("verify the trail: online (the server's, page by page; in a cluster every node's chain) or offline (--file and --public-key); exits 1 on any divergence")
      .option('--file <log>', 'an export to verify offline')
      .option('--public-key <key>', "the trail's public key: base64, or a file holding it")
      .action(act(verify)),
  );
  audit.addCommand(
    queryOptions(new Command('query'))
      .description('events, newest first, as JSON lines (--output json: one JSON array)')
      .option('--limit <n>', 'at most N (default 100)')
      .action(act(async (cmd) => events(cmd, 'query'))),
  );
  audit.addCommand(
    queryOptions(new Command('tail'))
      .description('the latest events (with -f, keep printing new ones)')
      .option('--limit <n>', 'the last N (default 10)')
      .option('-f, --follow', 'keep printing new events')
      .option('--interval <ms>', 'with -f: how often to ask (default 1000)')
      .action(act(async (cmd) => events(cmd, 'tail'))),
  );
  audit.addCommand(
    chainOption(new Command('export'))
      .description('the whole trail, its tree heads and public key, as JSON lines')
      .option('--out <file>', 'write it to FILE (durably) instead of stdout')
      .action(
        act(async (cmd) => {
          const o = cmd.opts<AuditOptions>();
          await writeExport(clientFor(cmd), o.out, o.chain);
          return 0;
        }),
      ),
  );
  audit.addCommand(
    chainOption(new Command('public-key'))
      .description("the trail's tree-head signing key (base64 Ed25519)")
      .action(
        act(async (cmd) => {
          const page = (await callOperation(clientFor(cmd), 'ArcaService.ExportAuditLog', { FromSequence: 1, Limit: 1, ...onChain(cmd.opts<AuditOptions>().chain) })) as unknown as ExportPage;
          if (formatOf(cmd) === 'table') process.stdout.write(`${page.PublicKey ?? ''}\n`);
          else show(cmd, { PublicKey: page.PublicKey ?? '', ChainId: page.ChainId });
          return 0;
        }),
      ),
  );
  audit.addCommand(
    chainOption(new Command('checkpoint'))
      .description('the latest signed tree head as a C2SP signed-note checkpoint')
      .action(
        act(async (cmd) => {
          const c = (await callOperation(clientFor(cmd), 'ArcaService.GetAuditCheckpoint', onChain(cmd.opts<AuditOptions>().chain))) as { Checkpoint?: string };
          if (formatOf(cmd) === 'table') process.stdout.write(c.Checkpoint ?? '');
          else show(cmd, c);
          return 0;
        }),
      ),
  );
  return audit;
}



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
