import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { callOperation, clientConfigFrom, reportCallError } from './client.js';

/**
 * `arca approvals …` (issue 18): held requests and the rules that hold them. Every subcommand is one
 * ArcaService call; `--output json` prints the answer as it came.
 */

const USAGE = `Usage:
  arca approvals list [--status Pending|Approved|Denied|Executed|Expired] [--review] [--limit N]
  arca approvals show <approval-id>
  arca approvals approve <approval-id> --reason TEXT
  arca approvals deny <approval-id> --reason TEXT
  arca approvals execute <approval-id>          run an approved request as it was made (authorized again now)
  arca approvals break-glass <approval-id> --reason TEXT
                                                emergency: run a pending request without its quorum (MFA session; alerted)
  arca approvals rules                          list the approval rules
  (--review lists the requests run by breaking glass, for their follow-up review)
  arca approvals put-rule --file rule.json      create or replace a rule (PutApprovalRule's input as JSON)
  arca approvals delete-rule --name NAME
Options: --endpoint URL, --output json
`;

const SUBCOMMANDS = ['list', 'show', 'approve', 'deny', 'execute', 'break-glass', 'rules', 'put-rule', 'delete-rule'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

function isSub(s: string | undefined): s is Sub {
  return (SUBCOMMANDS as readonly (string | undefined)[]).includes(s);
}

const dateText = (v: unknown): string => (typeof v === 'number' ? new Date(v * 1000).toISOString() : '');

/** One request as lines of text. */
function describe(r: Record<string, unknown>): string {
  const decisions = (r['Decisions'] as { ApproverArn: string; Decision: string; Reason: string; DecidedAt: number }[] | undefined) ?? [];
  const lines = [
    `${String(r['ApprovalId'])}  ${String(r['Status'])}  ${String(r['Operation'])}  rule ${String(r['RuleName'])}`,
    `  requested by ${String(r['RequesterArn'])} at ${dateText(r['CreatedAt'])}, expires ${dateText(r['ExpiresAt'])}`,
    `  approvals ${String(r['Approvals'])}${r['Quorum'] !== undefined ? ` of ${String(r['Quorum'])}` : ''}${r['RequireMfa'] === true ? ' (MFA required)' : ''}`,
    `  keys ${((r['KeyArns'] as string[] | undefined) ?? []).join(', ') || '-'}`,
    `  parameters ${JSON.stringify(r['Parameters'] ?? {})}`,
    ...decisions.map((d) => `  ${d.Decision === 'Approve' ? 'approved' : d.Decision === 'Deny' ? 'denied' : 'BROKE GLASS'} by ${d.ApproverArn} at ${dateText(d.DecidedAt)}: ${d.Reason}`),
  ];
  if (r['ExecutedAt'] !== undefined) lines.push(`  executed by ${String(r['ExecutorArn'])} at ${dateText(r['ExecutedAt'])}`);
  return `${lines.join('\n')}\n`;
}

/** Runs `arca approvals …`; answers the exit code. */
export async function runApprovals(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!isSub(sub)) {
    const help = sub === undefined || sub === '--help' || sub === 'help';
    process.stderr.write(help ? USAGE : `arca approvals: unknown subcommand '${sub}'\n${USAGE}`);
    return help ? 0 : 2;
  }
  const options = { reason: { type: 'string' }, review: { type: 'boolean' }, status: { type: 'string' }, limit: { type: 'string' }, file: { type: 'string' }, name: { type: 'string' }, output: { type: 'string' }, endpoint: { type: 'string' } } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`arca approvals ${sub}: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const id = positionals[0];
  const needsId = sub === 'show' || sub === 'approve' || sub === 'deny' || sub === 'execute' || sub === 'break-glass';
  if (needsId && id === undefined) return usageError(sub, 'missing <approval-id>');
  if ((sub === 'approve' || sub === 'deny' || sub === 'break-glass') && values.reason === undefined) return usageError(sub, 'missing --reason');
  if (sub === 'put-rule' && values.file === undefined) return usageError(sub, 'missing --file');
  if (sub === 'delete-rule' && values.name === undefined) return usageError(sub, 'missing --name');
  try {
    const config = clientConfigFrom(process.env, values.endpoint);
    const call = (op: string, input: Record<string, unknown>) => callOperation(config, `ArcaService.${op}`, input);
    let out: Record<string, unknown>;
    switch (sub) {
      case 'list':
        out = await call('ListApprovalRequests', { ...(values.status !== undefined && { Status: values.status }), ...(values.review === true && { Review: true }), ...(values.limit !== undefined && { Limit: Number(values.limit) }) });
        break;
      case 'show':
        out = await call('GetApprovalRequest', { ApprovalId: id });
        break;
      case 'approve':
        out = await call('ApproveRequest', { ApprovalId: id, Reason: values.reason });
        break;
      case 'deny':
        out = await call('DenyRequest', { ApprovalId: id, Reason: values.reason });
        break;
      case 'execute':
        out = await call('ExecuteApproved', { ApprovalId: id });
        break;
      case 'break-glass':
        out = await call('BreakGlass', { ApprovalId: id, Reason: values.reason });
        break;
      case 'rules':
        out = await call('ListApprovalRules', {});
        break;
      case 'put-rule':
        out = await call('PutApprovalRule', JSON.parse(readFileSync(values.file ?? '', 'utf8')) as Record<string, unknown>);
        break;
      case 'delete-rule':
        out = await call('DeleteApprovalRule', { RuleName: values.name });
        break;
    }
    if (values.output === 'json' || sub === 'execute' || sub === 'break-glass' || sub === 'rules' || sub === 'put-rule' || sub === 'delete-rule') {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else if (sub === 'list') {
      for (const r of (out['ApprovalRequests'] as Record<string, unknown>[] | undefined) ?? []) process.stdout.write(describe(r));
    } else {
      process.stdout.write(describe((out['ApprovalRequest'] ?? {}) as Record<string, unknown>));
    }
    return 0;
  } catch (e) {
    return reportCallError(e);
  }
}

function usageError(sub: string, what: string): number {
  process.stderr.write(`arca approvals ${sub}: ${what}\n${USAGE}`);
  return 2;
}
