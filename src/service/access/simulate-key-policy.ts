import { z } from 'zod';
import { defaultKeyPolicy } from '../../core/authorization.js';
import type { AuditEvent } from '../../core/audit.js';
import { liveGrants, type GrantRecord } from '../../core/grant.js';
import { parsePolicy, type PolicyDocument } from '../../core/policy/document.js';
import { evaluate, type ApplicablePolicies, type Decision, type GrantAllowance } from '../../core/policy/evaluate.js';
import type { PrincipalRecord } from '../../core/principal.js';
import { isoTime } from '../audit-trail/list-audit-events.js';
import { defineOperation, type RegisteredOperation } from '../pipeline/operation.js';
import { keyIdParam, limit, str } from '../pipeline/schemas.js';
import { replayContext, replayRequest, unrecordedKey, type RecordedOperation } from './policy-replay.js';
import { resolvePolicyPrincipals } from './policy-document.js';

/** Events replayed at most by one call (newest first), and by default. */
const MAX_EVENTS = 10_000;
const DEFAULT_EVENTS = 1_000;
/** Events read from the trail per page. */
const PAGE = 500;

function grantAllowances(grants: readonly GrantRecord[]): GrantAllowance[] {
  return liveGrants(grants).map((g) => ({
    granteePrincipal: g.granteePrincipal,
    granteeId: g.granteePrincipalId,
    granteeServicePrincipal: g.granteeServicePrincipal,
    operations: g.operations,
    encryptionContextEquals: g.constraints?.encryptionContextEquals,
    encryptionContextSubset: g.constraints?.encryptionContextSubset,
    sourceArn: g.constraints?.sourceArn,
    expiresAt: g.expiresAt,
  }));
}

const allowed = (d: Decision) => d === 'Allow';

/**
 * ArcaService.SimulateKeyPolicy (issue 23): replays the requests recorded on a key against a candidate key
 * policy, before PutKeyPolicy, and answers those whose outcome would change (allowed → denied and the
 * reverse). Each event's request is rebuilt from the event (policy-replay.ts) and evaluated by the policy
 * engine twice, under the key's current policy and under the candidate, with the caller's identity
 * policies, tags and the key's grants as they are now. An event whose facts are not all recorded (a
 * condition on a key the event does not record, a session, a deleted principal) is counted as unknown
 * with its reason, never guessed. `operationNamed` finds the registered operation an event names (given by
 * the registry, which this module cannot import).
 */
export function simulateKeyPolicyOperation(operationNamed: (name: string) => Pick<RegisteredOperation, 'action' | 'conditionKeys'> | undefined): RegisteredOperation {
  return defineOperation({
    service: 'ArcaService',
    name: 'SimulateKeyPolicy',
    description: 'Replays the requests recorded on a KMS key against a candidate key policy and lists those whose outcome would change.',
    effect: 'read',
    uses: ['auditTrail', 'keys', 'principals', 'grants', 'realm'] as const,
    input: z.object({
      KeyId: keyIdParam,
      PolicyDocument: str(1, 32768).describe('The candidate key policy: a JSON key policy document.'),
      StartTime: isoTime.optional().describe('Replays only the requests at or after this instant (default: every recorded request, newest first, up to Limit).'),
      Limit: limit(MAX_EVENTS).describe(`How many recorded requests to replay at most, newest first (default ${DEFAULT_EVENTS}).`),
    }),
    keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
    async execute(input, ctx, deps) {
      const key = ctx.keys.key;
      const candidate = parsePolicy(input.PolicyDocument, 'key');
      const current = parsePolicy(key.record.policy ?? defaultKeyPolicy(deps.realm.account, deps.realm.partition), 'key');
      const [currentRefs, candidateRefs, grantRecords, keyTags] = await Promise.all([
        deps.keys.getPolicyPrincipals(key.record.id),
        resolvePolicyPrincipals(deps, candidate),
        deps.grants.grantsForKey(key.record.id),
        deps.keys.listTags(key.record.id),
      ]);
      const grants = grantAllowances(grantRecords);
      const aliases = await aliasNames(deps, key.record.id);
      const principals = new Map<string, { record: PrincipalRecord | undefined; policies: PolicyDocument[]; tags: Awaited<ReturnType<typeof deps.principals.listPrincipalTags>> }>();
      const principalOf = async (arn: string) => {
        let p = principals.get(arn);
        if (p === undefined) {
          const found = await deps.principals.findPrincipalByName(arn.slice(arn.lastIndexOf('/') + 1));
          const record = found?.arn === arn ? found : undefined;
          const policies = record === undefined ? [] : (await deps.principals.listPrincipalPolicies(record.id)).map((x) => parsePolicy(x.document, 'identity'));
          p = { record, policies, tags: record === undefined ? [] : await deps.principals.listPrincipalTags(record.id) };
          principals.set(arn, p);
        }
        return p;
      };
      const flips: Record<string, unknown>[] = [];
      const unknown = new Map<string, number>();
      let evaluated = 0;
      let replayed = 0;
      const max = input.Limit ?? DEFAULT_EVENTS;
      let cursor: number | undefined;
      let truncated = false;
      for (;;) {
        const page = await deps.auditTrail.queryEvents({ keyArn: key.arn, from: input.StartTime }, cursor, Math.min(PAGE, max - replayed));
        for (const event of page.items) {
          replayed += 1;
          const reason = await replayOne(event);
          if (reason !== undefined) unknown.set(reason, (unknown.get(reason) ?? 0) + 1);
        }
        if (page.next === undefined) break;
        if (replayed >= max) {
          truncated = true; // older events were left: the answer says so
          break;
        }
        cursor = Number(page.next);
      }

      /** Replays one event: undefined when it was evaluated, else why it could not be. */
      async function replayOne(event: AuditEvent): Promise<string | undefined> {
        const arn = event.userIdentity.arn;
        const p = arn === undefined ? undefined : await principalOf(arn);
        const op: RecordedOperation | undefined = operationNamed(event.eventName);
        const request = replayRequest(event, op, key.arn, p?.record, deps.realm.account);
        if (!request.ok) return request.reason;
        const policies = p?.policies ?? [];
        const missing = unrecordedKey([current, candidate, ...policies], request.recorded);
        if (missing !== undefined) return `a condition on ${missing}, which the event does not record`;
        const context = replayContext(event, request, { principalTags: p?.tags ?? [], key: key.record, keyTags, aliases });
        const evaluation = {
          principalArn: request.principal.arn,
          principalId: request.principal.id,
          principalAccount: request.principal.account,
          action: request.action,
          resource: key.arn,
          context,
          now: new Date(event.eventTime),
          encryptionContext: request.encryptionContext,
        };
        const base: Omit<ApplicablePolicies, 'keyPolicy' | 'keyPolicyPrincipals'> = { identityPolicies: policies, grants };
        const before = evaluate(evaluation, { ...base, keyPolicy: current, keyPolicyPrincipals: currentRefs });
        const after = evaluate(evaluation, { ...base, keyPolicy: candidate, keyPolicyPrincipals: candidateRefs });
        evaluated += 1;
        if (allowed(before) !== allowed(after)) {
          flips.push({
            EventId: event.eventID,
            EventTime: new Date(event.eventTime),
            EventName: event.eventName,
            Principal: request.principal.arn,
            Action: request.action,
            CurrentDecision: before,
            CandidateDecision: after,
            Change: allowed(before) ? 'ALLOWED_TO_DENIED' : 'DENIED_TO_ALLOWED',
            ...(event.errorCode !== undefined && { RecordedErrorCode: event.errorCode }),
          });
        }
        return undefined;
      }

      return {
        KeyId: key.arn,
        Replayed: replayed,
        Evaluated: evaluated,
        Changes: flips,
        Unknown: [...unknown].map(([Reason, Count]) => ({ Reason, Count })),
        Truncated: truncated,
      };
    },
    auditRequest: (i) => ({ keyId: i.KeyId, startTime: i.StartTime, limit: i.Limit }),
    auditResponse: (o) => ({ replayed: o.Replayed, evaluated: o.Evaluated, changes: o.Changes.length }),
  });
}

async function aliasNames(deps: { keys: { listAliases: (region: string, keyId: string, after: string | undefined, limit: number) => Promise<{ items: readonly { name: string }[]; next?: string | undefined }> }; realm: { region: string } }, keyId: string): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  do {
    const page = await deps.keys.listAliases(deps.realm.region, keyId, after, 100);
    for (const a of page.items) names.push(a.name);
    after = page.next;
  } while (after !== undefined);
  return names;
}
