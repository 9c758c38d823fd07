import { z } from 'zod';
import { APPROVAL_LIMITS, type ApprovalRule } from '../../core/approval.js';
import { KmsError } from '../../core/errors.js';
import { defineOperation } from '../pipeline/operation.js';
import { str } from '../pipeline/schemas.js';
import { GOVERNABLE_OPERATIONS } from './governable.js';

/** ArcaService operations that manage approval rules (issue 18). Rules may hold these operations too. */

export const ruleName = str(1, 64).regex(/^[A-Za-z0-9_.-]+$/, 'Member must satisfy regular expression pattern: [A-Za-z0-9_.-]+').describe('The approval rule’s name.');
const tag = z.object({ TagKey: str(1, 128).describe('The tag key.'), TagValue: str(0, 256).describe('The tag value.') });
const arns = (what: string) => z.array(str(20, 2048)).max(100, 'Member must have length less than or equal to 100').optional().describe(what);

/** A rule as the wire shows it. */
export function ruleForWire(r: ApprovalRule): Record<string, unknown> {
  return {
    RuleName: r.name,
    Operations: r.operations,
    Keys: { KeyArns: r.keys.keyArns, Aliases: r.keys.aliases, Tags: r.keys.tags.map((t) => ({ TagKey: t.key, TagValue: t.value })) },
    Approvers: {
      PrincipalArns: r.approvers.principalArns,
      ...(r.approvers.tag !== undefined && { Tag: { TagKey: r.approvers.tag.key, TagValue: r.approvers.tag.value } }),
      BreakGlassPrincipalArns: r.approvers.breakGlassArns ?? [],
    },
    Quorum: r.quorum,
    RequireMfa: r.requireMfa,
    Executor: r.executor,
    ExpiresAfterSeconds: r.expiresAfterSeconds,
    Description: r.description,
    CreatedAt: r.createdAt,
    UpdatedAt: r.updatedAt,
  };
}

export const putApprovalRule = defineOperation({
  service: 'ArcaService',
  name: 'PutApprovalRule',
  description: 'Creates or replaces an approval rule: the operations and keys it holds for approval, who approves, and how many must.',
  effect: 'write',
  uses: ['approvals', 'clock'] as const,
  input: z.object({
    RuleName: ruleName,
    Operations: z.array(str(1, 64)).min(1, 'Member must have length greater than or equal to 1').max(50).describe('The operations the rule holds (ScheduleKeyDeletion, PutKeyPolicy, PutApprovalRule, ...).'),
    Keys: z
      .object({ KeyArns: arns('Key ARNs.'), Aliases: z.array(str(7, 256)).max(100).optional().describe('Alias names (alias/...).'), Tags: z.array(tag).max(50).optional().describe('Key tags.') })
      .optional()
      .describe('The keys covered: any listed ARN, alias or tag; absent or empty, every request of the operations.'),
    Approvers: z
      .object({
        PrincipalArns: arns('IAM user and role ARNs (a role covers its sessions).'),
        Tag: tag.optional().describe('A principal tag whose holders approve.'),
        BreakGlassPrincipalArns: arns('Emergency principals that may run a pending request without the quorum (BreakGlass: MFA and a reason, alerted).'),
      })
      .describe('Who may approve, and who may break glass.'),
    Quorum: z.number().int().min(1, 'Member must have value greater than or equal to 1').max(10, 'Member must have value less than or equal to 10').describe('How many approvals release a request (the requester never counts).'),
    RequireMfa: z.boolean().optional().describe('Whether each approval needs an MFA session proved in the last 15 minutes.'),
    Executor: z.enum(['Requester', 'Approver']).optional().describe('Who runs an approved request with ExecuteApproved (default Requester).'),
    ExpiresAfterSeconds: z.number().int().min(1).max(APPROVAL_LIMITS.maxExpiresAfterSeconds).optional().describe('How long a request stays open (default 86400).'),
    Description: str(0, 1024).optional().describe('What the rule is for.'),
  }),
  keys: {},
  // Checked before an approval rule can hold the change: an invalid rule is refused, not held.
  async check(input, _ctx, deps) {
    const unknown = input.Operations.filter((o) => !GOVERNABLE_OPERATIONS.has(o));
    if (unknown.length > 0) throw new KmsError('ValidationFailed', `These operations cannot be held for approval: ${unknown.join(', ')}. Governable operations: ${[...GOVERNABLE_OPERATIONS].join(', ')}.`);
    const approvers = input.Approvers.PrincipalArns ?? [];
    if (approvers.length === 0 && input.Approvers.Tag === undefined) throw new KmsError('ValidationFailed', 'Approvers must name principal ARNs, a tag, or both.');
    if (input.Approvers.Tag === undefined && input.Quorum > approvers.length) throw new KmsError('ValidationFailed', `Quorum ${input.Quorum} is more than the ${approvers.length} approver(s) named.`);
    const existing = await deps.approvals.getApprovalRule(input.RuleName);
    if (existing === undefined && (await deps.approvals.listApprovalRules()).length >= APPROVAL_LIMITS.maxRules) throw new KmsError('LimitExceeded', `An account has at most ${APPROVAL_LIMITS.maxRules} approval rules.`);
  },
  async execute(input, _ctx, deps) {
    const approvers = input.Approvers.PrincipalArns ?? [];
    const existing = await deps.approvals.getApprovalRule(input.RuleName);
    const now = deps.clock.now();
    const rule: ApprovalRule = {
      name: input.RuleName,
      operations: [...new Set(input.Operations)],
      keys: { keyArns: input.Keys?.KeyArns ?? [], aliases: input.Keys?.Aliases ?? [], tags: (input.Keys?.Tags ?? []).map((t) => ({ key: t.TagKey, value: t.TagValue })) },
      approvers: {
        principalArns: approvers,
        tag: input.Approvers.Tag === undefined ? undefined : { key: input.Approvers.Tag.TagKey, value: input.Approvers.Tag.TagValue },
        ...(input.Approvers.BreakGlassPrincipalArns !== undefined && input.Approvers.BreakGlassPrincipalArns.length > 0 && { breakGlassArns: input.Approvers.BreakGlassPrincipalArns }),
      },
      quorum: input.Quorum,
      requireMfa: input.RequireMfa ?? false,
      executor: input.Executor ?? 'Requester',
      expiresAfterSeconds: input.ExpiresAfterSeconds ?? APPROVAL_LIMITS.defaultExpiresAfterSeconds,
      description: input.Description ?? '',
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await deps.approvals.putApprovalRule(rule);
    return { Rule: ruleForWire(rule) };
  },
  auditRequest: (i) => ({ ruleName: i.RuleName, operations: i.Operations, keys: i.Keys, approvers: i.Approvers, quorum: i.Quorum, requireMfa: i.RequireMfa, executor: i.Executor, expiresAfterSeconds: i.ExpiresAfterSeconds }),
});

export const deleteApprovalRule = defineOperation({
  service: 'ArcaService',
  name: 'DeleteApprovalRule',
  description: 'Deletes an approval rule. Requests it already holds stay, and can still be decided and executed.',
  effect: 'write',
  uses: ['approvals'] as const,
  input: z.object({ RuleName: ruleName }),
  keys: {},
  async check(input, _ctx, deps) {
    if ((await deps.approvals.getApprovalRule(input.RuleName)) === undefined) throw new KmsError('NotFound', `The approval rule ${input.RuleName} does not exist.`);
  },
  async execute(input, _ctx, deps) {
    if (!(await deps.approvals.deleteApprovalRule(input.RuleName))) throw new KmsError('NotFound', `The approval rule ${input.RuleName} does not exist.`);
    return {};
  },
  auditRequest: (i) => ({ ruleName: i.RuleName }),
});

export const listApprovalRules = defineOperation({
  service: 'ArcaService',
  name: 'ListApprovalRules',
  description: 'Lists the approval rules.',
  effect: 'read',
  uses: ['approvals'] as const,
  input: z.object({}),
  keys: {},
  async execute(_input, _ctx, deps) {
    return { Rules: (await deps.approvals.listApprovalRules()).map(ruleForWire) };
  },
  auditRequest: () => ({}),
});
