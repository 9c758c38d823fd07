import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ArcaCallError, callOperation, reportCallError } from './client.js';
import { record } from './compliance-report.js';
import { clientOf, globalsOf } from './globals.js';
import { render } from './output.js';
import { parseSince } from './report-command.js';

/**
 * `arca policy simulate` (issue 23): before PutKeyPolicy (or PutPrincipalPolicy), replays the requests
 * recorded on a key against the candidate policy with `ArcaService.SimulateKeyPolicy` and lists the ones
 * whose outcome would change. Exit 0 whatever it finds (the list is the answer), 1 on failure, 2 on a
 * usage error.
 */

interface SimulateOptions {
  readonly key: string;
  readonly policy?: string;
  readonly identityPolicy?: string;
  readonly principal?: string;
  readonly policyName?: string;
  readonly since?: string;
  readonly limit?: string;
}

function usage(message: string): void {
  process.stderr.write(`arca policy simulate: ${message}\n`);
  process.exitCode = 2;
}

function readPolicy(file: string): string {
  return file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
}

/** The SimulateKeyPolicy request of the command line, or the usage error. */
export function simulateRequest(o: SimulateOptions, now: Date, read: (file: string) => string = readPolicy): Record<string, unknown> | string {
  if (o.policy === undefined && o.identityPolicy === undefined) return 'give --policy FILE (a candidate key policy) or --identity-policy FILE --principal NAME';
  if (o.identityPolicy !== undefined && o.principal === undefined) return '--identity-policy needs --principal NAME';
  if (o.identityPolicy === undefined && (o.principal !== undefined || o.policyName !== undefined)) return '--principal and --policy-name go with --identity-policy';
  let start: string | undefined;
  if (o.since !== undefined) {
    const ms = parseSince(o.since);
    if (ms === undefined) return `--since ${o.since}: write a window like 7d, 12h or 90m`;
    start = new Date(now.getTime() - ms).toISOString();
  }
  const limit = o.limit === undefined ? undefined : Number(o.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) return '--limit must be a whole number (1 or more)';
  return {
    KeyId: o.key,
    ...(o.policy !== undefined && { PolicyDocument: read(o.policy) }),
    ...(o.identityPolicy !== undefined && { IdentityPolicy: { PrincipalName: o.principal, PolicyDocument: read(o.identityPolicy), ...(o.policyName !== undefined && { PolicyName: o.policyName }) } }),
    ...(start !== undefined && { StartTime: start }),
    ...(limit !== undefined && { Limit: limit }),
  };
}

const COLUMNS = ['Change', 'EventTime', 'Principal', 'Action', 'CurrentDecision', 'CandidateDecision', 'EventId'] as const;

function printResult(cmd: Command, out: Record<string, unknown>): void {
  const format = globalsOf(cmd).output;
  if (format === 'json') return void process.stdout.write(render('json', out));
  if (format === 'yaml') return void process.stdout.write(toYaml(out));
  const changes = (Array.isArray(out['Changes']) ? out['Changes'] : []).map(record).map((c) => ({
    ...c,
    EventTime: typeof c['EventTime'] === 'number' ? new Date(c['EventTime'] * 1000).toISOString() : c['EventTime'],
  }));
  process.stdout.write(changes.length === 0 ? 'No recorded request would change outcome.\n' : render('table', changes, COLUMNS));
  const unknown = (Array.isArray(out['Unknown']) ? out['Unknown'] : []).map(record);
  process.stdout.write(`\nReplayed ${String(out['Replayed'])} recorded requests; evaluated ${String(out['Evaluated'])}${out['Truncated'] === true ? ' (older requests not replayed: raise --limit)' : ''}.\n`);
  for (const u of unknown) process.stdout.write(`  unknown: ${String(u['Count'])} × ${String(u['Reason'])}\n`);
}

function simulateCommand(): Command {
  return new Command('simulate')
    .description('replay the requests recorded on a key against a candidate key policy (or identity policy) and list those whose outcome would change')
    .requiredOption('--key <key>', 'the key (key id, ARN or alias)')
    .option('--policy <file>', 'the candidate key policy (JSON; - for stdin)')
    .option('--identity-policy <file>', "a candidate identity policy for --principal (JSON; - for stdin)")
    .option('--principal <name>', 'the principal whose identity policy --identity-policy replaces')
    .option('--policy-name <name>', "the identity policy --identity-policy replaces (default: added beside the principal's policies)")
    .option('--since <window>', 'replay only the requests of this window: 7d, 12h, 90m (default: the newest --limit requests)')
    .option('--limit <n>', 'replay at most this many requests, newest first (default 1000)')
    .action(async (opts: SimulateOptions, cmd: Command) => {
      let request: Record<string, unknown> | string;
      try {
        request = simulateRequest(opts, new Date());
      } catch (e) {
        return usage(e instanceof Error ? e.message : String(e));
      }
      if (typeof request === 'string') return usage(request);
      try {
        printResult(cmd, await callOperation(clientOf(cmd), 'ArcaService.SimulateKeyPolicy', request));
        process.exitCode = 0;
      } catch (e) {
        if (!(e instanceof ArcaCallError)) throw e;
        process.exitCode = reportCallError(e);
      }
    });
}

/** `arca policy …`: policy tools (simulation; `arca apply` manages policies as code). */
export function policyCommand(): Command {
  return new Command('policy').description('policy tools: simulate a candidate key or identity policy against recorded requests').addCommand(simulateCommand());
}
