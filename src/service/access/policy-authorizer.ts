import { defaultKeyPolicy, type AuthorizationRequest, type Authorizer, type Decision, type PolicyChecks } from '../../core/authorization.js';
import { isAliasArn, isRoleArn, type Realm } from '../../core/arn.js';
import type { RoleTrust } from '../../core/session.js';
import { buildContext } from '../../core/policy/context.js';
import type { RequestContext } from '../../core/policy/conditions.js';
import { parsePolicy, type PolicyDocument, type PolicyKind } from '../../core/policy/document.js';
import { evaluate, type ApplicablePolicies, type EvaluationRequest } from '../../core/policy/evaluate.js';
import { grantAllowance, liveGrants } from '../../core/grant.js';
import { servicePrincipalOf } from '../../core/service-principal.js';
import type { GrantStore, KeyStore, PrincipalStore } from '../../core/ports.js';
import type { PrincipalRefs } from '../../core/principal.js';

/** Parsed documents kept at most; reaching it empties the cache (documents are re-parsed on demand). */
const PARSED_CACHE_LIMIT = 2048;

/** A document that authorizes nothing: a stored policy that no longer parses fails closed. */
const NOTHING: PolicyDocument = { version: '2012-10-17', id: undefined, statements: [] };

/** The context when no applicable statement has a condition (evaluation then never reads it). */
const NO_CONTEXT: RequestContext = new Map();

export interface PolicyAuthorizerDeps {
  readonly keys: Pick<KeyStore, 'listTags' | 'listAliases' | 'getPolicyPrincipals'>;
  readonly identities: Pick<PrincipalStore, 'listPrincipalPolicies' | 'listPrincipalTags' | 'findPrincipalByName' | 'getRoleTrust'>;
  readonly grants: Pick<GrantStore, 'grantsForKey'>;
  readonly realm: Realm;
  /** IANA time zone for `arca:LocalHour` and `arca:DayOfWeek`. */
  readonly timeZone: string;
}

/**
 * The policy engine behind the pipeline's Authorizer port: gathers the key policy (or, for a role ARN,
 * the role's trust policy, which plays the resource policy's part), the caller's identity policies and the key's grants, and, when a statement has a condition, the tags and aliases the request
 * context needs; then asks the pure `evaluate`. The stores are read on each request (through the read
 * cache, which a write empties), so a changed policy, tag or grant takes effect on the next request;
 * parsed documents are cached by their text.
 */
export class PolicyAuthorizer implements Authorizer, PolicyChecks {
  readonly #deps: PolicyAuthorizerDeps;
  readonly #parsed = new Map<string, PolicyDocument>();
  readonly #defaultKeyPolicy: string;

  constructor(deps: PolicyAuthorizerDeps) {
    this.#deps = deps;
    this.#defaultKeyPolicy = defaultKeyPolicy(deps.realm.account, deps.realm.partition);
  }

  async authorize(request: AuthorizationRequest): Promise<Decision> {
    const { evaluation, policies } = await this.#gather(request);
    return evaluate(evaluation, policies);
  }

  async keepsPolicyAccess(request: AuthorizationRequest, policy: PolicyDocument, refs: PrincipalRefs): Promise<boolean> {
    const { evaluation, policies } = await this.#gather({ ...request, action: 'kms:PutKeyPolicy' }, policy);
    // Grants cannot allow PutKeyPolicy, so only the new key policy and identity policies count.
    return evaluate(evaluation, { ...policies, keyPolicy: policy, keyPolicyPrincipals: refs, grants: [] }) === 'Allow';
  }

  async allowedByPolicies(request: AuthorizationRequest): Promise<boolean> {
    const { evaluation, policies } = await this.#gather(request);
    return evaluate(evaluation, { ...policies, grants: [] }) === 'Allow';
  }

  /** `replacementKeyPolicy`: a key policy about to replace the key's (the lockout check). */
  async #gather(request: AuthorizationRequest, replacementKeyPolicy?: PolicyDocument): Promise<{ evaluation: EvaluationRequest; policies: ApplicablePolicies }> {
    const { principal, key } = request;
    const roleArn = principal.session?.kind === 'AssumedRole' ? principal.session.issuerArn : undefined;
    // An alias ARN (alias management) has no key policy: identity policies alone decide, as in AWS. A
    // role ARN (AssumeRole) has the role's trust policy as its resource policy (ADR 0018).
    const onRole = isRoleArn(request.resource);
    const onKey = request.resource !== '*' && !isAliasArn(request.resource) && !onRole;
    const [stored, grants, trust] = await Promise.all([
      this.#deps.identities.listPrincipalPolicies(principal.id),
      key ? this.#deps.grants.grantsForKey(key.id) : Promise.resolve([]),
      onRole ? this.#trustOf(request.resource) : Promise.resolve(undefined),
    ]);
    const keyPolicy = onKey ? this.#parse(key?.policy ?? this.#defaultKeyPolicy, 'key') : onRole ? (trust === undefined ? NOTHING : this.#parse(trust.document, 'trust')) : undefined;
    // The key policy's principals resolved to unique ids are read only when it names the caller's ARN.
    const namesCaller = keyPolicy?.statements.some((st) => st.principal?.patterns.some((p) => p === principal.arn || p === roleArn)) === true;
    const keyPolicyPrincipals = onRole ? (trust?.principals ?? {}) : key && namesCaller ? await this.#deps.keys.getPolicyPrincipals(key.id) : {};
    const identityPolicies = stored.map((p) => this.#parse(p.document, 'identity'));
    const time = request.request?.time ?? new Date(0);
    // Only conditions read the request context: most policies have none, and building it (principal
    // and key tags, aliases, local time, ~20 keys) is then skipped.
    const conditional = [keyPolicy, replacementKeyPolicy, ...identityPolicies].some((d) => d?.statements.some((st) => st.conditions.length > 0));
    const context = conditional ? await this.#context(request, time) : NO_CONTEXT;
    return {
      evaluation: {
        principalArn: principal.arn,
        principalId: principal.id,
        principalAccount: principal.account,
        principalRoleArn: roleArn,
        action: request.action,
        resource: request.resource,
        context,
        now: time,
        encryptionContext: request.encryptionContext,
        servicePrincipal: servicePrincipalOf(principal),
        sourceArn: request.request?.sourceArn,
      },
      policies: {
        // A missing key is judged as if it had the default key policy (see the pipeline's #resolve).
        keyPolicy,
        keyPolicyPrincipals,
        identityPolicies,
        // Grants whose parent was retired or revoked are dropped; each expires no later than its ancestors.
        grants: liveGrants(grants).flatMap((g) => [
          grantAllowance(g),
          // A retiring principal may call RetireGrant on the key; the operation checks it names this grant.
          ...(g.retiringPrincipal !== undefined ? [{ granteePrincipal: g.retiringPrincipal, granteeId: g.retiringPrincipalId, operations: ['RetireGrant'] }] : []),
          ...(g.retiringServicePrincipal !== undefined ? [{ granteePrincipal: g.retiringServicePrincipal, granteeId: undefined, granteeServicePrincipal: g.retiringServicePrincipal, operations: ['RetireGrant'] }] : []),
        ]),
      },
    };
  }

  async #context(request: AuthorizationRequest, time: Date): Promise<RequestContext> {
    const { principal, key } = request;
    const [principalTags, tags, aliases] = await Promise.all([
      this.#deps.identities.listPrincipalTags(principal.id),
      key ? this.#deps.keys.listTags(key.id) : Promise.resolve([]),
      key ? this.#aliasNames(key.id) : Promise.resolve([]),
    ]);
    return buildContext({
      principal,
      principalTags,
      request: request.request ?? { sourceIp: '', userAgent: '', secureTransport: false, time },
      region: this.#deps.realm.region,
      timeZone: this.#deps.timeZone,
      key: key && { record: key, tags, aliases },
      operation: request.context,
    });
  }

  /**
   * Every alias of the key (`kms:ResourceAliases`): a Deny naming one alias must see it, however many the
   * key has (keys created before the 50-alias quota may have more than one page).
   */
  async #aliasNames(keyId: string): Promise<string[]> {
    const names: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.#deps.keys.listAliases(this.#deps.realm.region, keyId, after, 100);
      for (const a of page.items) names.push(a.name);
      after = page.next;
    } while (after !== undefined);
    return names;
  }

  /** The trust policy of the role `arn` names (the role of that name holding that ARN now), if any. */
  async #trustOf(arn: string): Promise<RoleTrust | undefined> {
    const role = await this.#deps.identities.findPrincipalByName(arn.slice(arn.lastIndexOf('/') + 1));
    if (role === undefined || role.type !== 'role' || role.arn !== arn) return undefined;
    return this.#deps.identities.getRoleTrust(role.id);
  }

  #parse(text: string, kind: PolicyKind): PolicyDocument {
    const cacheKey = `${kind}:${text}`;
    const hit = this.#parsed.get(cacheKey);
    if (hit !== undefined) return hit;
    let doc: PolicyDocument;
    try {
      doc = parsePolicy(text, kind);
    } catch {
      doc = NOTHING;
    }
    if (this.#parsed.size >= PARSED_CACHE_LIMIT) this.#parsed.clear();
    this.#parsed.set(cacheKey, doc);
    return doc;
  }
}
