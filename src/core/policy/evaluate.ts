import { conditionsHold, type RequestContext } from './conditions.js';
import type { PatternSet, PolicyDocument, Statement } from './document.js';
import type { Decision } from '../authorization.js';
import { refersTo, type PrincipalRefs } from '../principal.js';
import { wildcardMatch } from './wildcard.js';

export type { Decision };

/** The authorization question, with everything evaluation needs already gathered (DESIGN.md §3). */
export interface EvaluationRequest {
  readonly principalArn: string;
  /** The caller's unique id (`AIDA…`): what stored policies and grants name (ADR 0009). */
  readonly principalId: string;
  /** The caller's account: a key policy naming this account (or its root ARN) delegates to identity policies. */
  readonly principalAccount: string;
  /**
   * For an AssumedRole session (`principalArn` is its `arn:aws:sts::…:assumed-role/…` ARN), the role's
   * ARN: a resource policy or grant naming the role names its sessions, as in AWS.
   */
  readonly principalRoleArn?: string | undefined;
  /** `kms:Encrypt`, `arca:CreatePrincipal`, ... */
  readonly action: string;
  /** The key ARN, an alias ARN (alias management), or `*` for operations on no key. */
  readonly resource: string;
  readonly context: RequestContext;
  /** When the request is made: grants past their expiry authorize nothing. */
  readonly now: Date;
  /** The request's encryption context, for grant constraints; undefined for operations that take none. */
  readonly encryptionContext?: Readonly<Record<string, string>> | undefined;
  /** The service principal the caller is (ADR 0021), if it is one: grants to that service principal name it. */
  readonly servicePrincipal?: string | undefined;
  /** The request's `aws:SourceArn` (only a service principal's request has one): for `SourceArn` grant constraints. */
  readonly sourceArn?: string | undefined;
}

/** A grant as evaluation sees it. */
export interface GrantAllowance {
  readonly granteePrincipal: string;
  /** The grantee's unique id, resolved when the grant was stored; undefined: no principal, matches nobody. */
  readonly granteeId: string | undefined;
  /** Operation names without the `kms:` prefix (`Decrypt`, `GenerateDataKey`, ...). */
  readonly operations: readonly string[];
  readonly encryptionContextEquals?: Readonly<Record<string, string>> | undefined;
  readonly encryptionContextSubset?: Readonly<Record<string, string>> | undefined;
  /** Arca extension (just-in-time access): the grant authorizes nothing at or after this instant. */
  readonly expiresAt?: Date | undefined;
  /** Set for a grant to a service principal: it names the caller whose `servicePrincipal` is this (ids play no part). */
  readonly granteeServicePrincipal?: string | undefined;
  /** The `SourceArn` constraint: the request's `aws:SourceArn` must equal it (RetireGrant excepted, as in AWS). */
  readonly sourceArn?: string | undefined;
}

/** The policies that apply to one request. */
export interface ApplicablePolicies {
  /** The key's policy; undefined for operations on no key and on an alias, which identity policies alone decide. */
  readonly keyPolicy: PolicyDocument | undefined;
  /** The principals the key policy names, resolved to unique ids when it was stored. */
  readonly keyPolicyPrincipals: PrincipalRefs;
  /** The caller's identity policies. */
  readonly identityPolicies: readonly PolicyDocument[];
  /** Grants on the key (any grantee: evaluation picks the caller's). */
  readonly grants: readonly GrantAllowance[];
}

function matchesAny(set: PatternSet, value: string): boolean {
  const hit = set.patterns.some((p) => wildcardMatch(p, value));
  return set.not ? !hit : hit;
}

function accountOf(principalPattern: string): string | undefined {
  if (/^\d{12}$/.test(principalPattern)) return principalPattern;
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(principalPattern);
  return m?.[1];
}

/**
 * How a key-policy principal entry names the caller: `direct` (`*`, or the caller's own ARN resolved to
 * the caller's unique id when the policy was stored), `account` (the caller's account id or
 * `arn:aws:iam::<account>:root`: delegation to identity policies), or not at all. An ARN that named a
 * since deleted principal names nobody, not a new principal of the same name.
 */
function principalMatch(pattern: string, req: EvaluationRequest, refs: PrincipalRefs): 'direct' | 'account' | 'none' {
  if (pattern === '*' || (pattern === req.principalArn && refersTo(refs, pattern, req.principalId))) return 'direct';
  // A session: the role's ARN (resolved to the role's id like any ARN), or the session's own assumed-role
  // ARN, which no stored reference resolves (a session exists only while its role does).
  if (req.principalRoleArn !== undefined && ((pattern === req.principalRoleArn && refersTo(refs, pattern, req.principalId)) || pattern === req.principalArn)) return 'direct';
  if (accountOf(pattern) === req.principalAccount) return 'account';
  return 'none';
}

function statementApplies(s: Statement, req: EvaluationRequest, action: string): boolean {
  return matchesAny(s.action, action) && matchesAny(s.resource, req.resource) && conditionsHold(s.conditions, req.context, s.effect);
}

function sameContext(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/**
 * Whether grant `g` names the caller: a grant to a service principal names the caller that is that
 * service principal; any other names the principal (or role) whose unique id it recorded (ADR 0009).
 */
function grantNames(g: GrantAllowance, req: EvaluationRequest): boolean {
  if (g.granteeServicePrincipal !== undefined) return req.servicePrincipal === g.granteeServicePrincipal;
  const grantee = g.granteePrincipal === req.principalArn || (req.principalRoleArn !== undefined && g.granteePrincipal === req.principalRoleArn);
  return grantee && g.granteeId === req.principalId;
}

/** Whether one of the caller's unexpired grants covers the action with its constraints met. */
export function grantAllows(grants: readonly GrantAllowance[], req: EvaluationRequest): boolean {
  if (!req.action.startsWith('kms:')) return false;
  const operation = req.action.slice(4);
  return grants.some((g) => {
    if (!grantNames(g, req)) return false;
    if (g.expiresAt !== undefined && req.now.getTime() >= g.expiresAt.getTime()) return false;
    if (!g.operations.includes(operation)) return false;
    // SourceArn: only a request made for that resource; an IAM principal's request never has an aws:SourceArn.
    if (g.sourceArn !== undefined && operation !== 'RetireGrant' && req.sourceArn !== g.sourceArn) return false;
    // CreateGrant and RetireGrant take no encryption context: CreateGrant enforces the constraint on the
    // grant it creates (grantMayDelegate), and retiring needs none.
    if (operation === 'CreateGrant' || operation === 'RetireGrant') return true;
    if (g.encryptionContextEquals === undefined && g.encryptionContextSubset === undefined) return true;
    const ctx = req.encryptionContext;
    if (ctx === undefined) return false;
    if (g.encryptionContextEquals !== undefined && !sameContext(g.encryptionContextEquals, ctx)) return false;
    const subset = g.encryptionContextSubset;
    if (subset !== undefined && !Object.entries(subset).every(([k, v]) => Object.hasOwn(ctx, k) && ctx[k] === v)) return false;
    return true;
  });
}

/**
 * IAM-style evaluation for one request, a pure function of its arguments:
 * 1. an applicable Deny statement in the key policy or an identity policy → `Deny` (explicit deny wins);
 * 2. operations on no key (`resource` is `*`) and on an alias ARN (no key policy): an identity policy
 *    Allow → `Allow`;
 * 3. on a key: a key-policy Allow naming the caller (or `*`) → `Allow`; a key-policy Allow naming the
 *    caller's account (account root) → `Allow` if an identity policy also allows; an unexpired grant to
 *    the caller for the operation, its encryption-context constraint met → `Allow`;
 * 4. otherwise `ImplicitDeny` (default deny).
 */
export function evaluate(req: EvaluationRequest, policies: ApplicablePolicies): Decision {
  const action = req.action.toLowerCase();
  let denied = false;
  let keyDirect = false;
  let keyAccount = false;
  for (const s of policies.keyPolicy?.statements ?? []) {
    if (!statementApplies(s, req, action)) continue;
    const principal = s.principal;
    if (principal === undefined) continue;
    const named = principal.patterns.map((p) => principalMatch(p, req, policies.keyPolicyPrincipals));
    if (s.effect === 'Deny') {
      const listed = named.some((m) => m !== 'none');
      if (principal.not ? !listed : listed) denied = true;
    } else if (!principal.not) {
      if (named.includes('direct')) keyDirect = true;
      else if (named.includes('account')) keyAccount = true;
    }
  }
  let identityAllows = false;
  for (const doc of policies.identityPolicies) {
    for (const s of doc.statements) {
      if (!statementApplies(s, req, action)) continue;
      if (s.effect === 'Deny') denied = true;
      else identityAllows = true;
    }
  }
  if (denied) return 'Deny';
  if (policies.keyPolicy === undefined) return identityAllows ? 'Allow' : 'ImplicitDeny';
  if (keyDirect || (keyAccount && identityAllows)) return 'Allow';
  if (grantAllows(policies.grants, req)) return 'Allow';
  return 'ImplicitDeny';
}
