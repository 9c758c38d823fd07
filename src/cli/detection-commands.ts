import { parseArgs } from 'node:util';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';
import { parseOutputFormat, render } from './output.js';

/** `arca alerts ...` and `arca breaker ...`: anomaly alerts and circuit breakers (docs/monitoring.md). */

export const ALERTS_USAGE = `Usage:
  arca alerts list [--rule NAME] [--principal ARN] [--key KEY] [--since TIME] [--until TIME]
                   [--unacknowledged | --acknowledged] [--limit N] [--marker M]
  arca alerts ack ALERT_ID [--note TEXT]
Options: --output json|table, --endpoint URL (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
`;

export const BREAKER_USAGE = `Usage:
  arca breaker list
  arca breaker release BREAKER_ID [--reason TEXT]
Breakers are per node: list and release them on each node (docs/monitoring.md).
Options: --output json|table, --endpoint URL
`;

const ALERT_COLUMNS = ['alertId', 'time', 'rule', 'severity', 'principal', 'keyArn', 'acknowledged', 'summary'];
const BREAKER_COLUMNS = ['breakerId', 'action', 'principal', 'keyArn', 'rule', 'alertId', 'trippedAt', 'until'];

const OPTIONS = {
  rule: { type: 'string' },
  principal: { type: 'string' },
  key: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  acknowledged: { type: 'boolean' },
  unacknowledged: { type: 'boolean' },
  limit: { type: 'string' },
  marker: { type: 'string' },
  note: { type: 'string' },
  reason: { type: 'string' },
  output: { type: 'string' },
  endpoint: { type: 'string' },
} as const;

async function run(usage: string, argv: readonly string[], command: (sub: string, id: string | undefined, v: ReturnType<typeof parse>['values']) => { operation: string; input: Record<string, unknown>; show: (o: Record<string, unknown>) => { value: unknown; columns?: readonly string[] } } | undefined): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === 'help') {
    process.stdout.write(usage);
    return sub === undefined ? 2 : 0;
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (e) {
    process.stderr.write(`arca: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const call = command(sub, parsed.positionals[0], parsed.values);
  if (call === undefined) {
    process.stderr.write(`arca: unknown or incomplete command '${argv.join(' ')}'\n${usage}`);
    return 2;
  }
  try {
    const format = parseOutputFormat(parsed.values.output);
    const out = await callOperation(clientConfigFrom(process.env, parsed.values.endpoint), `ArcaService.${call.operation}`, call.input);
    const shown = call.show(out);
    process.stdout.write(render(format, shown.value, shown.columns));
    if (format === 'table' && typeof out['NextMarker'] === 'string') process.stdout.write(`(more: --marker ${out['NextMarker']})\n`);
    return 0;
  } catch (e) {
    return reportCallError(e);
  }
}

function parse(args: readonly string[]) {
  return parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
}

/** `arca alerts list|ack`. */
export function runAlerts(argv: readonly string[]): Promise<number> {
  return run(ALERTS_USAGE, argv, (sub, id, v) => {
    if (sub === 'list') {
      const acknowledged = v.acknowledged === true ? true : v.unacknowledged === true ? false : undefined;
      const input = { Rule: v.rule, Principal: v.principal, KeyId: v.key, StartTime: v.since, EndTime: v.until, Acknowledged: acknowledged, Limit: v.limit === undefined ? undefined : Number(v.limit), Marker: v.marker };
      return { operation: 'ListAlerts', input, show: (o) => ({ value: o['Alerts'], columns: ALERT_COLUMNS }) };
    }
    if (sub === 'ack' && id !== undefined) return { operation: 'AcknowledgeAlert', input: { AlertId: id, Note: v.note }, show: (o) => ({ value: o }) };
    return undefined;
  });
}

/** `arca breaker list|release`. */
export function runBreaker(argv: readonly string[]): Promise<number> {
  return run(BREAKER_USAGE, argv, (sub, id, v) => {
    if (sub === 'list') return { operation: 'ListBreakers', input: {}, show: (o) => ({ value: o['Breakers'], columns: BREAKER_COLUMNS }) };
    if (sub === 'release' && id !== undefined) return { operation: 'ReleaseBreaker', input: { BreakerId: id, Reason: v.reason }, show: (o) => ({ value: o['Breaker'], columns: BREAKER_COLUMNS }) };
    return undefined;
  });
}
