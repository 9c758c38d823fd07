import { z } from 'zod';
import { defaultKeyPolicy } from '../../core/authorization.js';
import type { AuditEvent } from '../../core/audit.js';
import type { AuditQuery, KeyStore } from '../../core/ports.js';
import type { Realm } from '../../core/arn.js';
import { grantAllowance, liveGrants, type GrantRecord } from '../../core/grant.js';
import { parsePolicy, type PolicyDocument } from '../../core/policy/document.js';
import { evaluate, type ApplicablePolicies, type Decision, type GrantAllowance } from '../../core/policy/evaluate.js';
import type { PrincipalRecord } from '../../core/principal.js';
import { isoTime } from '../audit-trail/list-audit-events.js';
import { defineOperation, type RegisteredOperation } from '../pipeline/operation.js';
import { keyIdParam, limit, str } from '../pipeline/schemas.js';
import { policyName, principalName, requirePrincipal } from '../identity/principals.js';
import { replayContext, replayRequest, unrecordedKey, type RecordedOperation } from './policy-replay.js';
import { resolvePolicyPrincipals } from './policy-document.js';

/** Events replayed at most by one call (newest first), and by default. */
const MAX_EVENTS = 10_000;
const DEFAULT_EVENTS = 1_000;
/** Events read from the trail per page. */
const PAGE = 500;

function grantAllowances(grants: readonly GrantRecord[]): GrantAllowance[] {
  return liveGrants(grants).map(grantAllowance);
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
      PolicyDocument: str(1, 32768).optional().describe("The candidate key policy: a JSON key policy document (default: the key's current policy)."),
      IdentityPolicy: z
        .object({ PrincipalName: principalName, PolicyDocument: str(1, 32768), PolicyName: policyName.optional() })
        .optional()
        .describe("A candidate identity policy for one principal: it replaces the principal's policy PolicyName, or is added beside its policies."),
      StartTime: isoTime.optional().describe('Replays only the requests at or after this instant (default: every recorded request, newest first, up to Limit).'),
      Limit: limit(MAX_EVENTS).describe(`How many recorded requests to replay at most, newest first (default ${DEFAULT_EVENTS}).`),
    }).refine((i) => i.PolicyDocument !== undefined || i.IdentityPolicy !== undefined, 'Give PolicyDocument, IdentityPolicy or both'),
    keys: { key: { required: true, ref: (i) => i.KeyId, access: 'read', allowAlias: true } },
    async execute(input, ctx, deps) {
      const key = ctx.keys.key;
      const current = parsePolicy(key.record.policy ?? defaultKeyPolicy(deps.realm.account, deps.realm.partition), 'key');
      const candidate = input.PolicyDocument === undefined ? current : parsePolicy(input.PolicyDocument, 'key');
      // The identity variant: the candidate replaces (or joins) one principal's identity policies.
      const identity = input.IdentityPolicy;
      const target = identity === undefined ? undefined : { principal: await requirePrincipal(deps, identity.PrincipalName), document: parsePolicy(identity.PolicyDocument, 'identity') };
      const [currentRefs, candidateRefs, grantRecords, keyTags] = await Promise.all([
        deps.keys.getPolicyPrincipals(key.record.id),
        input.PolicyDocument === undefined ? deps.keys.getPolicyPrincipals(key.record.id) : resolvePolicyPrincipals(deps, candidate),
        deps.grants.grantsForKey(key.record.id),
        deps.keys.listTags(key.record.id),
      ]);
      const grants = grantAllowances(grantRecords);
      const aliases = await aliasNames(deps, key.record.id);
      const principals = new Map<string, { record: PrincipalRecord | undefined; policies: PolicyDocument[]; candidatePolicies: PolicyDocument[]; tags: Awaited<ReturnType<typeof deps.principals.listPrincipalTags>> }>();
      const principalOf = async (arn: string) => {
        let p = principals.get(arn);
        if (p === undefined) {
          const found = await deps.principals.findPrincipalByName(arn.slice(arn.lastIndexOf('/') + 1));
          const record = found?.arn === arn ? found : undefined;
          const stored = record === undefined ? [] : await deps.principals.listPrincipalPolicies(record.id);
          const policies = stored.map((x) => parsePolicy(x.document, 'identity'));
          const candidatePolicies =
            target !== undefined && record?.id === target.principal.id
              ? [...stored.filter((x) => x.name !== identity?.PolicyName).map((x) => parsePolicy(x.document, 'identity')), target.document]
              : policies;
          p = { record, policies, candidatePolicies, tags: record === undefined ? [] : await deps.principals.listPrincipalTags(record.id) };
          principals.set(arn, p);
        }
        return p;
      };
      const flips: Record<string, unknown>[] = [];
      const unknown = new Map<string, number>();
      let evaluated = 0;
      let replayed = 0;
      const max = input.Limit ?? DEFAULT_EVENTS;
      let truncated = false;
      const seen = new Set<string>();
      // Reads the trail newest first (`query`), replaying the events `wanted` keeps, until `max` are replayed.
      const sweep = async (query: AuditQuery, wanted: (e: AuditEvent) => boolean) => {
        let cursor: number | undefined;
        while (replayed < max) {
          const page = await deps.auditTrail.queryEvents(query, cursor, PAGE);
          for (const event of page.items) {
            if (!wanted(event) || seen.has(event.eventID)) continue;
            if (replayed >= max) {
              truncated = true; // older events were left: the answer says so
              return;
            }
            seen.add(event.eventID);
            replayed += 1;
            const reason = await replayOne(event);
            if (reason !== undefined) unknown.set(reason, (unknown.get(reason) ?? 0) + 1);
          }
          if (page.next === undefined) return;
          cursor = Number(page.next);
        }
      };
      await sweep({ keyArn: key.arn, from: input.StartTime }, () => true);
      // A refused request does not name the key among its resources (a refusal reveals no key): those that
      // named it in their parameters (KeyId, by id, ARN or alias) are found among the refusals.
      const names = new Set([key.arn, key.record.id, ...aliases, ...aliases.map((a) => `arn:${deps.realm.partition}:kms:${deps.realm.region}:${deps.realm.account}:${a}`)]);
      const namesKey = (e: AuditEvent) => ['keyId', 'sourceKeyId', 'destinationKeyId'].some((m) => { const v = e.requestParameters?.[m]; return typeof v === 'string' && names.has(v); });
      await sweep({ from: input.StartTime, errorCode: 'AccessDenied' }, namesKey);

      /** Replays one event: undefined when it was evaluated, else why it could not be. */
      async function replayOne(event: AuditEvent): Promise<string | undefined> {
        const arn = event.userIdentity.arn;
        const p = arn === undefined ? undefined : await principalOf(arn);
        const op: RecordedOperation | undefined = operationNamed(event.eventName);
        const request = replayRequest(event, op, key.arn, p?.record, deps.realm.account);
        if (!request.ok) return request.reason;
        const policies = p?.policies ?? [];
        const candidatePolicies = p?.candidatePolicies ?? [];
        const missing = unrecordedKey([current, candidate, ...policies, ...candidatePolicies], request.recorded);
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
        const asNow: ApplicablePolicies = { identityPolicies: policies, grants, keyPolicy: current, keyPolicyPrincipals: currentRefs };
        const before = evaluate(evaluation, asNow);
        const after = evaluate(evaluation, { identityPolicies: candidatePolicies, grants, keyPolicy: candidate, keyPolicyPrincipals: candidateRefs });
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
    auditRequest: (i) => ({ keyId: i.KeyId, principalName: i.IdentityPolicy?.PrincipalName, policyName: i.IdentityPolicy?.PolicyName, startTime: i.StartTime, limit: i.Limit }),
    auditResponse: (o) => ({ replayed: o.Replayed, evaluated: o.Evaluated, changes: o.Changes.length }),
  });
}

/** Every alias name of the key (`kms:ResourceAliases`, and the names a refused request may have used). */
async function aliasNames(deps: { readonly keys: Pick<KeyStore, 'listAliases'>; readonly realm: Realm }, keyId: string): Promise<string[]> {
  const names: string[] = [];
  let after: string | undefined;
  do {
    const page = await deps.keys.listAliases(deps.realm.region, keyId, after, 100);
    for (const a of page.items) names.push(a.name);
    after = page.next;
  } while (after !== undefined);
  return names;
}
