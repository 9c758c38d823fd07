import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf, show } from './command-kit.js';

/** `arca alerts ...` and `arca breaker ...`: anomaly alerts and circuit breakers (docs/monitoring.md). */

const ALERT_COLUMNS = ['alertId', 'time', 'rule', 'severity', 'principal', 'keyArn', 'acknowledged', 'summary'];
const BREAKER_COLUMNS = ['breakerId', 'action', 'principal', 'keyArn', 'rule', 'alertId', 'trippedAt', 'until'];

/** Calls `operation` and shows what `pick` takes of the answer (and, in a table, where the next page starts). */
function caller(operation: string, input: (cmd: Command, id: string | undefined) => Record<string, unknown>, pick: (o: Record<string, unknown>) => unknown, columns?: readonly string[]) {
  return act(async (cmd, id?: string) => {
    const out = await callOperation(clientFor(cmd), `ArcaService.${operation}`, input(cmd, typeof id === 'string' ? id : undefined));
    show(cmd, pick(out), columns);
    if (formatOf(cmd) === 'table' && typeof out['NextMarker'] === 'string') process.stdout.write(`(more: --marker ${out['NextMarker']})\n`);
    return 0;
  });
}

interface ListOptions {
  rule?: string;
  principal?: string;
  key?: string;
  since?: string;
  until?: string;
  acknowledged?: boolean;
  unacknowledged?: boolean;
  limit?: string;
  marker?: string;
}

/** `arca alerts list|ack`. */
export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('list and acknowledge anomaly alerts: arca alerts list --unacknowledged; arca alerts ack ID');
  alerts.addHelpText('after', '\nCredentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; the client key of --cert is --cert-key here.');
  alerts.addCommand(
    new Command('list')
      .description('list anomaly alerts, newest first')
      .option('--rule <name>', 'of this detection rule')
      .option('--principal <arn>', 'about this principal')
      .option('--key <key>', 'about this KMS key')
      .option('--since <time>', 'from this time')
      .option('--until <time>', 'until this time')
      .option('--unacknowledged', 'only those not acknowledged yet')
      .option('--acknowledged', 'only those acknowledged')
      .option('--limit <n>', 'at most N')
      .option('--marker <m>', 'the next page, from a previous answer')
      .action(
        caller(
          'ListAlerts',
          (cmd) => {
            const v = cmd.opts<ListOptions>();
            const acknowledged = v.acknowledged === true ? true : v.unacknowledged === true ? false : undefined;
            return { Rule: v.rule, Principal: v.principal, KeyId: v.key, StartTime: v.since, EndTime: v.until, Acknowledged: acknowledged, Limit: v.limit === undefined ? undefined : Number(v.limit), Marker: v.marker };
          },
          (o) => o['Alerts'],
          ALERT_COLUMNS,
        ),
      ),
  );
  alerts.addCommand(
    new Command('ack')
      .description('acknowledge an alert')
      .argument('<alert-id>', 'the alert')
      .option('--note <text>', 'a note kept with the acknowledgement')
      .action(caller('AcknowledgeAlert', (cmd, id) => ({ AlertId: id, Note: cmd.opts<{ note?: string }>().note }), (o) => o)),
  );
  return alerts;
}

/** `arca breaker list|release`. */
export function breakerCommand(): Command {
  const breaker = new Command('breaker').description('list and release circuit breakers: arca breaker list; arca breaker release ID');
  breaker.addHelpText('after', '\nBreakers are per node: list and release them on each node (docs/monitoring.md).');
  breaker.addCommand(new Command('list').description("this node's circuit breakers").action(caller('ListBreakers', () => ({}), (o) => o['Breakers'], BREAKER_COLUMNS)));
  breaker.addCommand(
    new Command('release')
      .description('release a breaker')
      .argument('<breaker-id>', 'the breaker')
      .option('--reason <text>', 'why')
      .action(caller('ReleaseBreaker', (cmd, id) => ({ BreakerId: id, Reason: cmd.opts<{ reason?: string }>().reason }), (o) => o['Breaker'], BREAKER_COLUMNS)),
  );
  return breaker;
}
