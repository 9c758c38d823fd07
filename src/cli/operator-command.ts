import { readFileSync } from 'node:fs';
import { mkdirDurably, writeFileDurably } from '../platform/durable-file.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ArcaCallError, callOperation, clientConfigFrom, type ClientConfig } from './client.js';
import { parseOutputFormat, render, type OutputFormat } from './output.js';
import { readSecretLines } from './prompt.js';

export const OPERATOR_USAGE = `arca operator <command> [options]

Operator tasks on a server started with 'arca server' (docs/operations.md):
  init     [--shares 5] [--threshold 3] [--share-dir DIR]
           initialize the root of trust (only once, unauthenticated); prints each unseal share once,
           or writes one file per custodian into DIR; prints the initial administrator's access key once
  unseal   [--share-file FILE]   give one unseal share (prompted without echo, or read from stdin)
  seal     seal the service: zero the root key, the domain keys and every cached key material
  status   sealed or unsealed, threshold, progress, root type; with credentials, every node of the cluster
  rekey    [--shares N] [--threshold T] [--share-dir DIR]
           replace the share set; asks for a quorum of the current shares (one per line on stdin)
  rotate-root  new domain key version; stored secrets are rewrapped under it in the background
  export-recovery  a root-of-trust recovery package for recovery custodians (Shamir root; offline,
           arca operator export-recovery --help)
  recover-shares   fresh unseal shares from a recovery package and M custodians' private keys

Common options: --endpoint URL (default ARCA_ENDPOINT, then http://127.0.0.1:8420), --output json|table.
Credentials (seal, rekey) come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
`;

const STATUS_COLUMNS = ['Initialized', 'Sealed', 'RootType', 'Threshold', 'Shares', 'Progress', 'ShareSetId', 'SealedReason'];
const NODE_COLUMNS = ['Name', 'Status', 'Sealed', 'Leader', 'Version', 'SecondsSinceSeen'];

function fail(message: string, code = 1): number {
  process.stderr.write(`arca operator: ${message}\n`);
  return code;
}

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
  if (format === 'json') {
    process.stdout.write(render('json', out));
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

/** `arca operator ...`: the seal life cycle, as calls to the ArcaService seal operations. */
export async function runOperator(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      endpoint: { type: 'string' },
      output: { type: 'string' },
      shares: { type: 'string' },
      threshold: { type: 'string' },
      'share-dir': { type: 'string' },
      'share-file': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (sub === undefined || values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    process.stdout.write(OPERATOR_USAGE);
    return sub === undefined ? 2 : 0;
  }
  let format: OutputFormat;
  try {
    format = parseOutputFormat(values.output);
  } catch (e) {
    return fail((e as Error).message, 2);
  }
  const client: ClientConfig = clientConfigFrom(process.env, values.endpoint);
  const num = (v: string | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new ArcaCallError('Usage', `--${name} must be a whole number`, 0);
    return Number(v);
  };
  try {
    switch (sub) {
      case 'status': {
        const out = await callOperation(client, 'ArcaService.GetSealStatus', {});
        // With credentials, every node of the cluster too (the topology is not for anonymous callers).
        const cluster = client.credentials === undefined ? undefined : await callOperation(client, 'ArcaService.ListClusterNodes', {}).catch(() => undefined);
        const nodes = (cluster?.['Nodes'] ?? undefined) as Record<string, unknown>[] | undefined;
        if (format === 'json') process.stdout.write(render('json', nodes === undefined ? out : { ...out, ThisNode: cluster?.['ThisNode'], Nodes: nodes }));
        else {
          process.stdout.write(render(format, out, STATUS_COLUMNS));
          if (nodes !== undefined) process.stdout.write(`\nNodes (this one: ${String(cluster?.['ThisNode'])}):\n${render(format, nodes, NODE_COLUMNS)}`);
        }
        return 0;
      }
      case 'init': {
        const out = await callOperation(client, 'ArcaService.InitializeRoot', { Shares: num(values.shares, 'shares'), Threshold: num(values.threshold, 'threshold') });
        printShares(format, out, values['share-dir']);
        return 0;
      }
      case 'unseal': {
        // An HSM root takes no share: Unseal reconnects to the token.
        const rootType = values['share-file'] === undefined ? (await callOperation(client, 'ArcaService.GetSealStatus', {}))['RootType'] : 'shamir';
        let input: { Share?: string } = {};
        if (rootType !== 'pkcs11') {
          const [share] =
            values['share-file'] !== undefined ? [readFileSync(values['share-file'], 'utf8').trim()] : await readSecretLines('Unseal share (input hidden): ', 1);
          if (share === undefined || share === '') return fail('no share given', 2);
          input = { Share: share };
        }
        const out = await callOperation(client, 'ArcaService.Unseal', input);
        if (format === 'json') process.stdout.write(render('json', out));
        else if (out['Sealed'] === true) process.stdout.write(`Share accepted: ${String(out['Progress'])}/${String(out['Threshold'])}; still sealed.\n`);
        else process.stdout.write('Unsealed.\n');
        return 0;
      }
      case 'seal': {
        const out = await callOperation(client, 'ArcaService.Seal', {});
        if (format === 'json') process.stdout.write(render('json', out));
        else process.stdout.write('Sealed: the root key, domain keys and cached key material were zeroed.\n');
        return 0;
      }
      case 'rekey': {
        const status = await callOperation(client, 'ArcaService.GetSealStatus', {});
        const needed = Number(status['Threshold']);
        const current = await readSecretLines(`Current unseal share (input hidden, ${needed} needed): `, needed);
        const out = await callOperation(client, 'ArcaService.Rekey', { CurrentShares: current, Shares: num(values.shares, 'shares'), Threshold: num(values.threshold, 'threshold') });
        printShares(format, out, values['share-dir']);
        if (format === 'table') process.stdout.write('The old shares no longer unseal this server.\n');
        return 0;
      }
      case 'rotate-root': {
        const out = await callOperation(client, 'ArcaService.RotateRoot', {});
        if (format === 'json') process.stdout.write(render('json', out));
        else process.stdout.write(`New domain key version ${String(out['DomainKeyVersion'])}; ${String(out['SecretsToRewrap'])} stored secrets are being rewrapped in the background.\n`);
        return 0;
      }
      default:
        return fail(`unknown operator command '${sub}'\n\n${OPERATOR_USAGE}`, 2);
    }
  } catch (e) {
    if (e instanceof ArcaCallError) return fail(e.type === 'Usage' ? e.message : `${e.type}: ${e.message}`, e.type === 'Usage' ? 2 : 1);
    throw e;
  }
}
