import { readFileSync } from 'node:fs';
import { mkdirDurably, writeFileDurably } from '../platform/durable-file.js';
import { join } from 'node:path';
import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, serverSideCommand, show, UsageError } from './command-kit.js';
import { render, type OutputFormat } from './output.js';
import { readSecretLines } from './prompt.js';

const STATUS_COLUMNS = ['Initialized', 'Sealed', 'RootType', 'Threshold', 'Shares', 'Progress', 'ShareSetId', 'SealedReason'];
const NODE_COLUMNS = ['Name', 'Status', 'Sealed', 'Leader', 'Version', 'SecondsSinceSeen'];

function writeShares(dir: string, shares: readonly string[]): string[] {
  mkdirDurably(dir);
  return shares.map((share, i) => {
    const file = join(dir, `unseal-share-${i + 1}.txt`);
    writeFileDurably(file, `${share}\n`, { exclusive: true });
    return file;
  });
}

function printShares(format: OutputFormat, out: Record<string, unknown>, shareDir: string | undefined): void {
  const shares = Array.isArray(out['UnsealShares']) ? out['UnsealShares'].map(String) : [];
  if (shareDir !== undefined) {
    const files = writeShares(shareDir, shares);
    out = { ...out, UnsealShares: undefined, ShareFiles: files };
  }
  if (format !== 'table') {
    process.stdout.write(render(format, out));
    return;
  }
  const lines: string[] = [];
  if (shareDir !== undefined) {
    lines.push(`Wrote ${shares.length} unseal shares (give each file to one custodian, then delete it here):`);
    for (const f of out['ShareFiles'] as string[]) lines.push(`  ${f}`);
  } else {
    lines.push(`Unseal shares (${out['Threshold']} of ${out['Shares']} unseal; shown ONCE, give one to each custodian):`);
    shares.forEach((s, i) => lines.push(`  share ${i + 1}: ${s}`));
  }
  lines.push(`Share set: ${String(out['ShareSetId'])}`);
  if (out['AdminAccessKeyId'] !== undefined) {
    lines.push(
      '',
      `Initial administrator ${String(out['AdminArn'])} (shown ONCE):`,
      `  AWS_ACCESS_KEY_ID=${String(out['AdminAccessKeyId'])}`,
      `  AWS_SECRET_ACCESS_KEY=${String(out['AdminSecretAccessKey'])}`,
      '',
      'The service is sealed: unseal it with arca operator unseal, once per custodian.',
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

const num = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
  return Number(v);
};

interface ShareOptions {
  readonly shares?: string;
  readonly threshold?: string;
  readonly shareDir?: string;
}

async function status(cmd: Command): Promise<number> {
  const client = clientFor(cmd);
  const format = formatOf(cmd);
  const out = await callOperation(client, 'ArcaService.GetSealStatus', {});
  // With credentials, every node of the cluster too (the topology is not for anonymous callers).
  const cluster = client.credentials === undefined ? undefined : await callOperation(client, 'ArcaService.ListClusterNodes', {}).catch(() => undefined);
  const nodes = (cluster?.['Nodes'] ?? undefined) as Record<string, unknown>[] | undefined;
  if (format !== 'table') process.stdout.write(render(format, nodes === undefined ? out : { ...out, ThisNode: cluster?.['ThisNode'], Nodes: nodes }));
  else {
    show(cmd, out, STATUS_COLUMNS);
    if (nodes !== undefined) {
      process.stdout.write(`\nNodes (this one: ${String(cluster?.['ThisNode'])}):\n`);
      show(cmd, nodes, NODE_COLUMNS);
    }
  }
  return 0;
}

async function unseal(cmd: Command, shareFile: string | undefined): Promise<number> {
  const client = clientFor(cmd);
  // An HSM root takes no share: Unseal reconnects to the token.
  const rootType = shareFile === undefined ? (await callOperation(client, 'ArcaService.GetSealStatus', {}))['RootType'] : 'shamir';
  let input: { Share?: string } = {};
  if (rootType !== 'pkcs11') {
    const [share] = shareFile !== undefined ? [readFileSync(shareFile, 'utf8').trim()] : await readSecretLines('Unseal share (input hidden): ', 1);
    if (share === undefined || share === '') throw new UsageError('no share given');
    input = { Share: share };
  }
  const out = await callOperation(client, 'ArcaService.Unseal', input);
  if (formatOf(cmd) !== 'table') show(cmd, out);
  else if (out['Sealed'] === true) process.stdout.write(`Share accepted: ${String(out['Progress'])}/${String(out['Threshold'])}; still sealed.\n`);
  else process.stdout.write('Unsealed.\n');
  return 0;
}

async function rekey(cmd: Command, o: ShareOptions): Promise<number> {
  const client = clientFor(cmd);
  const current0 = await callOperation(client, 'ArcaService.GetSealStatus', {});
  const needed = Number(current0['Threshold']);
  const current = await readSecretLines(`Current unseal share (input hidden, ${needed} needed): `, needed);
  const out = await callOperation(client, 'ArcaService.Rekey', { CurrentShares: current, Shares: num(o.shares, 'shares'), Threshold: num(o.threshold, 'threshold') });
  printShares(formatOf(cmd), out, o.shareDir);
  if (formatOf(cmd) === 'table') process.stdout.write('The old shares no longer unseal this server.\n');
  return 0;
}

/** Answers `out` as text in a table, else in the output format. */
function said(cmd: Command, out: Record<string, unknown>, text: string): number {
  if (formatOf(cmd) !== 'table') show(cmd, out);
  else process.stdout.write(`${text}\n`);
  return 0;
}

/** `arca operator …`: the seal life cycle, as calls to the ArcaService seal operations (docs/operations.md). */
export function operatorCommand(): Command {
  const shareOptions = (c: Command): Command =>
    c.option('--shares <n>', 'how many unseal shares (default 5)').option('--threshold <m>', 'how many of them unseal (default 3)').option('--share-dir <dir>', 'write one file per custodian into DIR instead of printing the shares');
  const operator = new Command('operator').description('initialize, unseal, seal, status, rekey, rotate the root (docs/operations.md)');
  operator.addHelpText('after', '\nCredentials (seal, rekey, rotate-root) come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.');
  operator.addCommand(
    shareOptions(new Command('init').description('initialize the root of trust (only once, unauthenticated); prints each unseal share and the initial administrator\'s access key once')).action(
      act(async (cmd) => {
        const o = cmd.opts<ShareOptions>();
        const out = await callOperation(clientFor(cmd), 'ArcaService.InitializeRoot', { Shares: num(o.shares, 'shares'), Threshold: num(o.threshold, 'threshold') });
        printShares(formatOf(cmd), out, o.shareDir);
        return 0;
      }),
    ),
  );
  operator.addCommand(
    new Command('unseal')
      .description('give one unseal share (prompted without echo, or read from stdin)')
      .option('--share-file <file>', 'read the share from FILE')
      .action(act(async (cmd) => unseal(cmd, cmd.opts<{ shareFile?: string }>().shareFile))),
  );
  operator.addCommand(
    new Command('seal')
      .description('seal the service: zero the root key, the domain keys and every cached key material')
      .action(act(async (cmd) => said(cmd, await callOperation(clientFor(cmd), 'ArcaService.Seal', {}), 'Sealed: the root key, domain keys and cached key material were zeroed.'))),
  );
  operator.addCommand(new Command('status').description('sealed or unsealed, threshold, progress, root type; with credentials, every node of the cluster').action(act(status)));
  operator.addCommand(
    shareOptions(new Command('rekey').description('replace the share set; asks for a quorum of the current shares (one per line on stdin)')).action(act(async (cmd) => rekey(cmd, cmd.opts<ShareOptions>()))),
  );
  operator.addCommand(
    new Command('rotate-root').description('new domain key version; stored secrets are rewrapped under it in the background').action(
      act(async (cmd) => {
        const out = await callOperation(clientFor(cmd), 'ArcaService.RotateRoot', {});
        return said(cmd, out, `New domain key version ${String(out['DomainKeyVersion'])}; ${String(out['SecretsToRewrap'])} stored secrets are being rewrapped in the background.`);
      }),
    ),
  );
  operator.addCommand(serverSideCommand('export-recovery', 'a root-of-trust recovery package for recovery custodians (Shamir root; offline: arca operator export-recovery --help)'));
  operator.addCommand(serverSideCommand('recover-shares', 'fresh unseal shares from a recovery package and M custodians\' private keys (offline)'));
  return operator;
}
