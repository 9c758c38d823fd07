import { z } from 'zod';
import { KmsError } from '../../../core/errors.js';
import type { Tag } from '../../../core/key.js';
import { contextFrom } from '../../../core/policy/conditions.js';
import { federatedPrincipal, parsePolicy } from '../../../core/policy/document.js';
import { evaluate } from '../../../core/policy/evaluate.js';
import type { RoleTrust } from '../../../core/session.js';
import { assumedRoleArn, oidcProviderArn, SESSION_LIMITS } from '../../../core/session.js';
import type { VerifiedWebIdentity } from '../../../core/web-identity.js';
import { defineOperation } from '../../pipeline/operation.js';
import { sensitive, str } from '../../pipeline/schemas.js';
import { durationSeconds, issueSession } from './session-credentials.js';

/**
 * Whether the role's trust policy lets the web identity perform `action`: statements naming the provider
 * (`Principal: { Federated: "<issuer without https://>" }`), with conditions on `<provider>:sub`,
 * `<provider>:aud`, `<provider>:amr`, `sts:RoleSessionName`, `aws:RequestTag/*` and the Arca posture
 * keys; an explicit Deny wins. The caller is no IAM principal: statements naming ARNs or an account
 * never match it.
 */
export function trustAllowsWebIdentity(trust: RoleTrust, who: VerifiedWebIdentity, action: string, extra: Record<string, string | readonly string[]>, now: Date): boolean {
  const principal = federatedPrincipal(who.provider);
  const amr = who.claims['amr'];
  const context = contextFrom({
    [`${who.provider}:sub`]: who.subject,
    [`${who.provider}:aud`]: who.audience,
    [`${who.provider}:amr`]: Array.isArray(amr) ? amr.filter((a): a is string => typeof a === 'string') : typeof amr === 'string' ? amr : undefined,
    'aws:FederatedProvider': who.provider,
    ...Object.fromEntries(postureTags(who).map((t) => [t.key, t.value])),
    ...extra,
  });
  const decision = evaluate(
    { principalArn: principal, principalId: principal, principalAccount: '', action, resource: '*', context, now },
    { keyPolicy: parsePolicy(trust.document, 'trust'), keyPolicyPrincipals: { [principal]: principal }, identityPolicies: [], grants: [] },
  );
  return decision === 'Allow';
}

/** The token claims Arca reads as posture attributes: `device_posture` and `risk_score`. */
const POSTURE_CLAIMS: Readonly<Record<string, string>> = { device_posture: 'arca:DevicePosture', risk_score: 'arca:RiskScore' };

/**
 * The web identity's posture (`arca:DevicePosture`, `arca:RiskScore`) from its token's signed claims,
 * as session tags: the trust policy sees them, and so does every request the session makes.
 */
export function postureTags(who: VerifiedWebIdentity): Tag[] {
  const tags: Tag[] = [];
  for (const [claim, key] of Object.entries(POSTURE_CLAIMS)) {
    const v = who.claims[claim];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') tags.push({ key, value: String(v).slice(0, 256) });
  }
  return tags;
}

/**
 * AWS STS AssumeRoleWithWebIdentity (issue 17): temporary credentials for a role in exchange for an
 * OpenID Connect token (a Kubernetes service-account token, a CI job's token). Unsigned, as in AWS: the
 * token is the authentication (`authentication: 'token'`: refused while sealed, audited in the session's
 * transaction). The token is verified (WebIdentityVerifier), then the role's trust policy
 * must allow `sts:AssumeRoleWithWebIdentity` to the provider (and `sts:TagSession` when claims become
 * session tags). The session acts as `arn:aws:sts::<account>:assumed-role/<role>/<session>`.
 */
export const assumeRoleWithWebIdentity = defineOperation({
  service: 'AWSSecurityTokenServiceV20110615',
  name: 'AssumeRoleWithWebIdentity',
  description: 'Returns temporary credentials for a role whose trust policy trusts the OpenID Connect provider of a web identity token.',
  effect: 'write',
  authentication: 'token',
  uses: ['clock', 'realm', 'principals', 'keyring', 'webIdentity'] as const,
  input: z.object({
    RoleArn: str(20, 2048).describe('The ARN of the role to assume.'),
    RoleSessionName: str(2, 64).regex(/^[\w+=,.@-]*$/, 'Member must satisfy regular expression pattern: [\\w+=,.@-]*').describe('A name for the session, part of the assumed-role ARN.'),
    WebIdentityToken: sensitive(str(4, 20_000)).describe('The OpenID Connect ID token (a JWT) from the identity provider.'),
    DurationSeconds: durationSeconds(SESSION_LIMITS.minSeconds, SESSION_LIMITS.roleMaxSeconds).optional().describe('The session lifetime in seconds: 900 up to the role’s MaxSessionDuration (default 3600).'),
    ProviderId: str(4, 2048).optional().describe('OAuth 2.0 access tokens (Amazon, Facebook): not supported, refused.'),
    Policy: str(1, 2048).optional().describe('A session policy (not supported yet: refused).'),
    PolicyArns: z.array(z.object({ arn: str(20, 2048).describe('A managed policy ARN.') })).optional().describe('Managed session policies (not supported yet: refused).'),
  }),
  keys: {},
  async execute(input, ctx, deps) {
    if (input.ProviderId !== undefined || input.Policy !== undefined || input.PolicyArns !== undefined) {
      throw new KmsError('UnsupportedOperation', 'ProviderId and session policies (Policy, PolicyArns) are not supported by this STS endpoint yet.');
    }
    if (deps.webIdentity === undefined) throw new KmsError('InvalidIdentityToken', 'No OpenIDConnect provider found in your account for the token\'s issuer.');
    const now = deps.clock.now();
    const who = await deps.webIdentity.verify(input.WebIdentityToken, now);
    // CloudTrail's identity of the caller from here on, refused or not.
    ctx.identify?.({ type: 'WebIdentityUser', principalId: `${who.provider}:${who.audience}:${who.subject}`, userName: who.subject, identityProvider: who.provider, accountId: deps.realm.account });
    const denied = () => new KmsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity');
    const role = await deps.principals.findPrincipalByName(input.RoleArn.slice(input.RoleArn.lastIndexOf('/') + 1));
    const trust = role === undefined || role.arn !== input.RoleArn ? undefined : await deps.principals.getRoleTrust(role.id);
    if (role === undefined || trust === undefined) throw denied();
    const tagContext: Record<string, string | readonly string[]> = { 'sts:RoleSessionName': input.RoleSessionName };
    if (!trustAllowsWebIdentity(trust, who, 'sts:AssumeRoleWithWebIdentity', tagContext, now)) throw denied();
    if ((input.DurationSeconds ?? SESSION_LIMITS.assumeRoleDefaultSeconds) > trust.maxSessionDuration) {
      throw new KmsError('ValidationFailed', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    }
    if (who.tags.length > 0) {
      const context: Record<string, string | readonly string[]> = { ...tagContext, 'aws:TagKeys': who.tags.map((t) => t.key) };
      for (const t of who.tags) context[`aws:RequestTag/${t.key}`] = t.value;
      if (!trustAllowsWebIdentity(trust, who, 'sts:TagSession', context, now)) throw new KmsError('AccessDenied', 'Not authorized to perform sts:TagSession');
    }
    const posture = postureTags(who);
    const credentials = await issueSession(deps, {
      principal: role,
      kind: 'AssumedRole',
      sessionName: input.RoleSessionName,
      durationSeconds: input.DurationSeconds ?? SESSION_LIMITS.assumeRoleDefaultSeconds,
      // The posture is the token's: it stays with the session and any session chained from it.
      tags: [...who.tags, ...posture],
      transitiveTagKeys: posture.map((t) => t.key),
      sourceArn: oidcProviderArn(deps.realm, who.provider),
    });
    return {
      Credentials: credentials,
      SubjectFromWebIdentityToken: who.subject,
      AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: assumedRoleArn(deps.realm, role.name, input.RoleSessionName) },
      Provider: who.issuer,
      Audience: who.audience,
    };
  },
  // The token is a credential: never in the audit log (its subject and provider are, in the response).
  auditRequest: (i) => ({ roleArn: i.RoleArn, roleSessionName: i.RoleSessionName, durationSeconds: i.DurationSeconds }),
  auditResponse: (o) => ({
    credentials: { accessKeyId: o.Credentials.AccessKeyId, expiration: o.Credentials.Expiration.toISOString() },
    subjectFromWebIdentityToken: o.SubjectFromWebIdentityToken,
    assumedRoleUser: { assumedRoleId: o.AssumedRoleUser.AssumedRoleId, arn: o.AssumedRoleUser.Arn },
    provider: o.Provider,
    audience: o.Audience,
  }),
});
