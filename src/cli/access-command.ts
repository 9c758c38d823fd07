import { Command } from 'commander';
import { ArcaCallError, callOperation } from './client.js';
import { act, clientFor, formatOf, show, UsageError } from './command-kit.js';

/**
 * `arca access request …` (issue 18): just-in-time access. Sends `ArcaService.RequestKeyAccess`, which an
 * approval rule holds: the answer is `ApprovalRequiredException`, whose approval id this prints. Once
 * approvers approved it, `arca approvals execute ID` makes the expiring grant and prints it.
 */

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `90s`, `30m`, `2h` (a bare number is seconds) in seconds; `undefined` when it is none of these. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,6})([smh]?)$/.exec(text.trim());
  if (m === null) return undefined;
  return Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] ?? 1);
}

interface RequestOptions {
  readonly key: string;
  readonly operations: string;
  readonly for: string;
  readonly reason: string;
}

export function accessCommand(): Command {
  const access = new Command('access').description('just-in-time access: arca access request --key K --operations Decrypt --for 2h --reason …');
  access.addCommand(
    new Command('request')
      .description('ask for an expiring grant on a key; prints the approval request\'s id (once approved: arca approvals execute ID)')
      .requiredOption('--key <key>', 'the KMS key (id, ARN or alias)')
      .requiredOption('--operations <list>', 'the operations, comma-separated: Decrypt[,Encrypt...]')
      .requiredOption('--for <duration>', 'how long: 90s, 30m, 2h (at most 12h)')
      .requiredOption('--reason <text>', 'why, for the approvers')
      .action(
        act(async (cmd) => {
          const o = cmd.opts<RequestOptions>();
          const seconds = parseDuration(o.for);
          if (seconds === undefined) throw new UsageError(`--for ${o.for}: write a duration like 90s, 30m or 2h`);
          const operations = o.operations.split(',').map((op) => op.trim()).filter((op) => op !== '');
          try {
            const out = await callOperation(clientFor(cmd), 'ArcaService.RequestKeyAccess', { KeyId: o.key, Operations: operations, DurationSeconds: seconds, Reason: o.reason });
            // A rule always holds the request (RequestKeyAccess refuses to run without one): no answer is unexpected.
            show(cmd, out);
            return 0;
          } catch (e) {
            const id = e instanceof ArcaCallError && e.type.endsWith('ApprovalRequiredException') ? /apr-[0-9a-f]{32}/.exec(e.message)?.[0] : undefined;
            if (id === undefined) throw e;
            const message = e instanceof Error ? e.message : '';
            if (formatOf(cmd) !== 'table') show(cmd, { ApprovalId: id, Message: message });
            else process.stdout.write(`${id}\n${message}\nOnce approved: arca approvals execute ${id}\n`);
            return 0;
          }
        }),
      ),
  );
  return access;
}
