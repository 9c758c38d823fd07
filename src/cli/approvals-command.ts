import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { callOperation } from './client.js';
import { act, clientFor, formatOf } from './command-kit.js';
import { render } from './output.js';

/**
 * `arca approvals …` (issue 18): held requests and the rules that hold them. Every subcommand is one
 * ArcaService call; `--output json` prints the answer as it came.
 */

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

type Options = { reason?: string; review?: boolean; status?: string; limit?: string; file?: string; name?: string };

/** One approvals subcommand: its call, from its id argument (when it takes one) and options. */
interface Sub {
  readonly description: string;
  readonly id?: boolean;
  readonly options?: readonly (readonly [flags: string, description: string, required?: boolean])[];
  call(id: string | undefined, o: Options): readonly [operation: string, input: Record<string, unknown>];
  /** In table format: the request(s) as text; without it the answer prints as JSON. */
  text?(out: Record<string, unknown>): string;
}

const REASON = ['--reason <text>', 'why, recorded with the decision', true] as const;

const SUBS: Record<string, Sub> = {
  list: {
    description: 'list approval requests (--review: those run by breaking glass, for their follow-up review)',
    options: [['--status <status>', 'Pending, Approved, Denied, Executed or Expired'], ['--review', 'the requests run by breaking glass'], ['--limit <n>', 'at most N']],
    call: (_id, o) => ['ListApprovalRequests', { ...(o.status !== undefined && { Status: o.status }), ...(o.review === true && { Review: true }), ...(o.limit !== undefined && { Limit: Number(o.limit) }) }],
    text: (out) => ((out['ApprovalRequests'] as Record<string, unknown>[] | undefined) ?? []).map(describe).join(''),
  },
  show: { description: 'show one approval request', id: true, call: (id) => ['GetApprovalRequest', { ApprovalId: id }], text: (out) => describe((out['ApprovalRequest'] ?? {}) as Record<string, unknown>) },
  approve: { description: 'approve a request', id: true, options: [REASON], call: (id, o) => ['ApproveRequest', { ApprovalId: id, Reason: o.reason }], text: (out) => describe((out['ApprovalRequest'] ?? {}) as Record<string, unknown>) },
  deny: { description: 'deny a request', id: true, options: [REASON], call: (id, o) => ['DenyRequest', { ApprovalId: id, Reason: o.reason }], text: (out) => describe((out['ApprovalRequest'] ?? {}) as Record<string, unknown>) },
  execute: { description: 'run an approved request as it was made (authorized again now)', id: true, call: (id) => ['ExecuteApproved', { ApprovalId: id }] },
  'break-glass': { description: 'emergency: run a pending request without its quorum (MFA session; alerted)', id: true, options: [REASON], call: (id, o) => ['BreakGlass', { ApprovalId: id, Reason: o.reason }] },
  rules: { description: 'list the approval rules', call: () => ['ListApprovalRules', {}] },
  'put-rule': {
    description: "create or replace a rule (PutApprovalRule's input as JSON)",
    options: [['--file <file>', 'the rule, as JSON', true]],
    call: (_id, o) => ['PutApprovalRule', JSON.parse(readFileSync(o.file ?? '', 'utf8')) as Record<string, unknown>],
  },
  'delete-rule': { description: 'delete a rule', options: [['--name <name>', 'the rule', true]], call: (_id, o) => ['DeleteApprovalRule', { RuleName: o.name }] },
};

/** `arca approvals …`. */
export function approvalsCommand(): Command {
  const approvals = new Command('approvals').description('held requests and approval rules: arca approvals list; approve|deny ID --reason …; execute ID');
  for (const [name, sub] of Object.entries(SUBS)) {
    const cmd = new Command(name).description(sub.description);
    if (sub.id === true) cmd.argument('<approval-id>', 'the approval request (apr-…)');
    for (const [flags, description, required] of sub.options ?? []) {
      if (required === true) cmd.requiredOption(flags, description);
      else cmd.option(flags, description);
    }
    cmd.action(
      act(async (self, id?: string) => {
        const [operation, input] = sub.call(typeof id === 'string' ? id : undefined, self.opts<Options>());
        const out = await callOperation(clientFor(self), `ArcaService.${operation}`, input);
        const format = formatOf(self);
        if (format === 'table' && sub.text !== undefined) process.stdout.write(sub.text(out));
        else process.stdout.write(render(format === 'yaml' ? 'yaml' : 'json', out));
        return 0;
      }),
    );
    approvals.addCommand(cmd);
  }
  return approvals;
}
