import { parseArgs } from 'node:util';
import { ArcaCallError, callOperation, clientConfigFrom, reportCallError } from './client.js';

/**
 * `arca access request …` (issue 18): just-in-time access. Sends `ArcaService.RequestKeyAccess`, which an
 * approval rule holds: the answer is `ApprovalRequiredException`, whose approval id this prints. Once
 * approvers approved it, `arca approvals execute ID` makes the expiring grant and prints it.
 */

const USAGE = `Usage:
  arca access request --key KEY --operations Decrypt[,Encrypt...] --for DURATION --reason TEXT
      DURATION: 90s, 30m, 2h (at most 12h). Prints the approval request's id; once approved, run
      arca approvals execute ID to get the grant (it expires on its own).
Options: --endpoint URL, --output json
`;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `90s`, `30m`, `2h` (a bare number is seconds) in seconds; `undefined` when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})([smh]?)$/.exec(text.trim());
  if (m === null) return undefined;
  return Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] ?? 1);
}

/** Runs `arca access …`; answers the exit code. */
export async function runAccess(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'request') {
    const help = sub === undefined || sub === '--help' || sub === 'help';
    process.stderr.write(help ? USAGE : `arca access: unknown subcommand '${sub}'\n${USAGE}`);
    return help ? 0 : 2;
  }
  const options = { key: { type: 'string' }, operations: { type: 'string' }, for: { type: 'string' }, reason: { type: 'string' }, output: { type: 'string' }, endpoint: { type: 'string' } } as const;
  let values;
  try {
    values = parseArgs({ args: rest, options, allowPositionals: false }).values;
  } catch (e) {
    return usageError((e as Error).message);
  }
  if (values.key === undefined) return usageError('missing --key');
  if (values.operations === undefined) return usageError('missing --operations');
  if (values.for === undefined) return usageError('missing --for');
  if (values.reason === undefined) return usageError('missing --reason');
  const seconds = parseDuration(values.for);
  if (seconds === undefined) return usageError(`--for ${values.for}: write a duration like 90s, 30m or 2h`);
  const operations = values.operations.split(',').map((o) => o.trim()).filter((o) => o !== '');
  try {
    const config = clientConfigFrom(process.env, values.endpoint);
    const out = await callOperation(config, 'ArcaService.RequestKeyAccess', { KeyId: values.key, Operations: operations, DurationSeconds: seconds, Reason: values.reason });
    // A rule always holds the request (RequestKeyAccess refuses to run without one): no answer is unexpected.
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  } catch (e) {
    const id = e instanceof ArcaCallError && e.type.endsWith('ApprovalRequiredException') ? /apr-[0-9a-f]{32}/.exec(e.message)?.[0] : undefined;
    if (id === undefined) return reportCallError(e);
    if (values.output === 'json') process.stdout.write(`${JSON.stringify({ ApprovalId: id, Message: e instanceof Error ? e.message : '' }, null, 2)}\n`);
    else process.stdout.write(`${id}\n${e instanceof Error ? e.message : ''}\nOnce approved: arca approvals execute ${id}\n`);
    return 0;
  }
}

function usageError(what: string): number {
  process.stderr.write(`arca access request: ${what}\n${USAGE}`);
  return 2;
}
