/**
 * The evaluator as data: each row is a request, the policies, the expected decision and the documented
 * AWS rule it checks. Sources (AWS IAM User Guide and AWS KMS Developer Guide):
 * - EVAL:  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * - KMSAUTH: https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html (key policy must allow; root delegation)
 * - DEFAULT: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
 * - NOTACTION: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
 * - OPS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * - MULTI: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 * - GRANTS: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html and grant-constraints (EncryptionContextSubset/Equals)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { contextFrom } from './conditions.js';
import { parsePolicy, type PolicyDocument } from './document.js';
import { evaluate, type ApplicablePolicies, type Decision, type EvaluationRequest, type GrantAllowance } from './evaluate.js';
import type { PrincipalRefs } from '../principal.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const NOW = new Date('2026-03-02T10:30:00Z');

const keyPolicy = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'key');
const identity = (...statements: object[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), 'identity');
const rootDelegation = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
const allowAll = { Effect: 'Allow', Action: 'kms:*', Resource: '*' };

interface Row {
  readonly rule: string;
  readonly action?: string;
  readonly principal?: string;
  readonly resource?: string;
  readonly context?: Record<string, string | string[]>;
  readonly encryptionContext?: Record<string, string>;
  readonly keyPolicy?: PolicyDocument | undefined;
  readonly identity?: readonly PolicyDocument[];
  /** Grants; the grantee's id defaults to the id of the principal holding its ARN. */
  readonly grants?: readonly (Omit<GrantAllowance, 'granteeId'> & { granteeId?: string })[];
  /** The key policy's stored principal ids; default: each ARN resolved to its holder. */
  readonly refs?: PrincipalRefs;
  readonly expect: Decision;
}

const ROWS: readonly Row[] = [
  // --- Evaluation order ---
  { rule: 'EVAL: by default, all requests are implicitly denied', keyPolicy: keyPolicy(rootDelegation), expect: 'ImplicitDeny' },
  { rule: 'DEFAULT: root principal delegates to IAM: an identity Allow then allows', keyPolicy: keyPolicy(rootDelegation), identity: [identity(allowAll)], expect: 'Allow' },
  { rule: 'KMSAUTH: without the key policy allowing (directly or via root), identity policies alone grant nothing', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:*', Resource: '*' }), identity: [identity(allowAll)], expect: 'ImplicitDeny' },
  { rule: 'KMSAUTH: a key policy naming the principal allows without any identity policy', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'Allow' },
  { rule: 'DEFAULT: the account id as principal is the same as the root ARN', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }), identity: [identity(allowAll)], expect: 'Allow' },
  { rule: 'EVAL: an explicit Deny in an identity policy overrides a key-policy Allow', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }), identity: [identity({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' })], expect: 'Deny' },
  { rule: 'EVAL: an explicit Deny in the key policy overrides an identity Allow', keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*' }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'EVAL: a Deny naming the account root applies to every principal of the account', keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Encrypt', Resource: '*' }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'EVAL: Deny with NotPrincipal applies to everyone not listed', keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', NotPrincipal: { AWS: BOB }, Action: 'kms:*', Resource: '*' }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'EVAL: Deny with NotPrincipal does not apply to the listed principal', principal: BOB, keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', NotPrincipal: { AWS: BOB }, Action: 'kms:*', Resource: '*' }), identity: [identity(allowAll)], expect: 'Allow' },
  { rule: 'KMSAUTH: operations on no key (CreateKey) are decided by identity policies alone', action: 'kms:CreateKey', resource: '*', keyPolicy: undefined, identity: [identity({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' })], expect: 'Allow' },
  { rule: 'EVAL: a Resource naming a key does not match an operation on no key', action: 'kms:CreateKey', resource: '*', keyPolicy: undefined, identity: [identity({ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` })], expect: 'ImplicitDeny' },
  // --- Action / NotAction / Resource ---
  { rule: 'NOTACTION: Allow with NotAction allows every action not listed', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ Effect: 'Allow', NotAction: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], Resource: '*' })], expect: 'Allow' },
  { rule: 'NOTACTION: Allow with NotAction does not allow the listed actions', action: 'kms:PutKeyPolicy', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ Effect: 'Allow', NotAction: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], Resource: '*' })], expect: 'ImplicitDeny' },
  { rule: 'NOTACTION: Deny with NotAction denies everything else', action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), identity: [identity(allowAll), identity({ Effect: 'Deny', NotAction: 'kms:Encrypt', Resource: '*' })], expect: 'Deny' },
  { rule: 'EVAL: action wildcards match (kms:Generate* covers GenerateDataKey)', action: 'kms:GenerateDataKey', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Generate*', Resource: '*' }), expect: 'Allow' },
  { rule: 'EVAL: action names are case-insensitive', action: 'kms:Encrypt', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'KMS:encrypt', Resource: '*' }), expect: 'Allow' },
  { rule: 'EVAL: an identity Resource naming another key does not match', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/other` })], expect: 'ImplicitDeny' },
  { rule: 'EVAL: NotResource excludes the named key', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ Effect: 'Allow', Action: 'kms:*', NotResource: KEY })], expect: 'ImplicitDeny' },
  // --- Condition operators ---
  { rule: 'OPS: IpAddress matches an IPv4 CIDR', context: { 'aws:SourceIp': '203.0.113.7' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }), expect: 'Allow' },
  { rule: 'OPS: IpAddress outside the CIDR does not match', context: { 'aws:SourceIp': '198.51.100.7' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }), expect: 'ImplicitDeny' },
  { rule: 'OPS: IpAddress matches an IPv6 CIDR (2001:DB8:1234:5678::/64)', context: { 'aws:SourceIp': '2001:db8:1234:5678:abcd::1' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } } }), expect: 'Allow' },
  { rule: 'OPS: an IPv6 address outside the IPv6 CIDR does not match', context: { 'aws:SourceIp': '2001:db8:1234:5679::1' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '2001:DB8:1234:5678::/64' } } }), expect: 'ImplicitDeny' },
  { rule: 'OPS: Deny with NotIpAddress blocks callers outside the CIDR', context: { 'aws:SourceIp': '198.51.100.7' }, keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'OPS: DateLessThan compares ISO 8601 times (before the cutoff)', context: { 'aws:CurrentTime': NOW.toISOString() }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2026-06-30T00:00:00Z' } } }), expect: 'Allow' },
  { rule: 'OPS: DateGreaterThan compares ISO 8601 times (not yet after the start)', context: { 'aws:CurrentTime': NOW.toISOString() }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-06-30T00:00:00Z' } } }), expect: 'ImplicitDeny' },
  { rule: 'OPS: Date operators accept epoch seconds', context: { 'aws:EpochTime': String(NOW.getTime() / 1000) }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { DateGreaterThanEquals: { 'aws:EpochTime': 1767225600 } } }), expect: 'Allow' },
  { rule: 'OPS: NumericLessThan on arca:LocalHour (working hours end)', context: { 'arca:LocalHour': '17' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { NumericGreaterThanEquals: { 'arca:LocalHour': 8 }, NumericLessThan: { 'arca:LocalHour': 17 } } }), expect: 'ImplicitDeny' },
  { rule: 'OPS: Bool on aws:SecureTransport', context: { 'aws:SecureTransport': 'false' }, keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'OPS: StringEquals on aws:PrincipalTag matches the caller tag', context: { 'aws:PrincipalTag/team': 'oncology' }, keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'oncology' } } })], expect: 'Allow' },
  { rule: 'OPS: a missing principal tag makes StringEquals false', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { StringEquals: { 'aws:PrincipalTag/team': 'oncology' } } })], expect: 'ImplicitDeny' },
  { rule: 'OPS: a missing key makes a negated operator (StringNotEquals) true', keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/team': 'oncology' } } }), identity: [identity(allowAll)], expect: 'Deny' },
  { rule: 'OPS: ...IfExists is true when the key is absent', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'oncology' } } })], expect: 'Allow' },
  { rule: 'OPS: ...IfExists still checks a present key', context: { 'aws:PrincipalTag/team': 'radiology' }, keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { StringEqualsIfExists: { 'aws:PrincipalTag/team': 'oncology' } } })], expect: 'ImplicitDeny' },
  { rule: 'OPS: condition key names are case-insensitive', context: { 'aws:PrincipalTag/team': 'oncology' }, keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { StringEquals: { 'AWS:principaltag/TEAM': 'oncology' } } })], expect: 'Allow' },
  { rule: 'OPS: StringLike uses * and ? wildcards', context: { 'kms:EncryptionContext:Department': 'dept-42' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:Department': 'dept-??' } } }), expect: 'Allow' },
  { rule: 'OPS: Null true means the key is absent', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { Null: { 'kms:EncryptionContextKeys': 'false' } } }), expect: 'ImplicitDeny' },
  { rule: 'OPS: ArnLike matches the caller ARN with wildcards', context: { 'aws:PrincipalArn': ALICE }, keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/a*` } } })], expect: 'Allow' },
  { rule: 'OPS: BinaryEquals compares base64 values', context: { 'arca:Blob': 'QmluYXJ5' }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { BinaryEquals: { 'arca:Blob': 'QmluYXJ5' } } }), expect: 'Allow' },
  // --- Set operators ---
  { rule: 'MULTI: ForAllValues on a missing key is true (so it must be paired with Null/ForAnyValue)', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Department'] } } }), expect: 'Allow' },
  { rule: 'MULTI: ForAllValues is false when one value is outside the list', context: { 'kms:EncryptionContextKeys': ['Department', 'Project'] }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['Department'] } } }), expect: 'ImplicitDeny' },
  { rule: 'MULTI: ForAnyValue on a missing key is false', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['Department'] } } }), expect: 'ImplicitDeny' },
  { rule: 'MULTI: ForAnyValue is true when one value matches', context: { 'kms:EncryptionContextKeys': ['Project', 'Department'] }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['Department'] } } }), expect: 'Allow' },
  { rule: 'MULTI: ForAllValues on an empty set is true', context: { 'aws:TagKeys': [] }, keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Owner'] } } }), expect: 'Allow' },
  // --- Spellings of one condition key (issue 12, item 3): the context is case-sensitive data, the condition key is not ---
  ...caseVariantRows(),
  // --- Grants ---
  { rule: 'GRANTS: a grant adds an operation the key policy does not allow', action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'] }], expect: 'Allow' },
  { rule: 'GRANTS: a grant covers only its operations', action: 'kms:Encrypt', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'] }], expect: 'ImplicitDeny' },
  { rule: 'GRANTS: a grant covers only its grantee', principal: BOB, action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'] }], expect: 'ImplicitDeny' },
  { rule: 'GRANTS: EncryptionContextSubset allows a superset context', action: 'kms:Decrypt', encryptionContext: { Department: 'IT', Purpose: 'Test' }, keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'], encryptionContextSubset: { Department: 'IT' } }], expect: 'Allow' },
  { rule: 'GRANTS: EncryptionContextSubset refuses a context without the pair', action: 'kms:Decrypt', encryptionContext: { Department: 'HR' }, keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'], encryptionContextSubset: { Department: 'IT' } }], expect: 'ImplicitDeny' },
  { rule: 'GRANTS: EncryptionContextEquals refuses a superset context', action: 'kms:Decrypt', encryptionContext: { Department: 'IT', Purpose: 'Test' }, keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'], encryptionContextEquals: { Department: 'IT' } }], expect: 'ImplicitDeny' },
  { rule: 'GRANTS: a constrained grant with CreateGrant allows CreateGrant (the constraint binds the new grant instead)', action: 'kms:CreateGrant', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt', 'CreateGrant'], encryptionContextSubset: { Department: 'IT' } }], expect: 'Allow' },
  { rule: 'Arca: an expired grant authorizes nothing', action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'], expiresAt: new Date(NOW.getTime() - 1) }], expect: 'ImplicitDeny' },
  { rule: 'Arca (ADR 0009): a key-policy Allow naming a deleted principal does not name a new principal of that name', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }), refs: { [ALICE]: 'ID:deleted-alice' }, expect: 'ImplicitDeny' },
  { rule: 'Arca (ADR 0009): a key-policy ARN stored before any principal held it names nobody', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }), refs: { [ALICE]: null }, expect: 'ImplicitDeny' },
  { rule: 'Arca (ADR 0009): a key-policy ARN without a stored id names nobody (fails closed)', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }), refs: {}, expect: 'ImplicitDeny' },
  { rule: 'Arca (ADR 0009): a Deny naming a deleted principal does not apply to its namesake either', keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }), refs: { [ALICE]: 'ID:deleted-alice' }, identity: [identity(allowAll)], expect: 'Allow' },
  { rule: 'Arca (ADR 0009): a grant to a deleted principal does not apply to a new principal of that name', action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), grants: [{ granteePrincipal: ALICE, granteeId: 'ID:deleted-alice', operations: ['Decrypt'] }], expect: 'ImplicitDeny' },
  { rule: 'EVAL: an explicit Deny overrides a grant', action: 'kms:Decrypt', keyPolicy: keyPolicy(rootDelegation), identity: [identity({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' })], grants: [{ granteePrincipal: ALICE, operations: ['Decrypt'] }], expect: 'Deny' },
];

/** Test principals' unique ids: every ARN here resolves to the id of the principal that holds it. */
const idOf = (arn: string) => `ID:${arn}`;

/**
 * `kms:EncryptionContext:<k>` under two spellings of `<k>`, in both orders (a "last one wins" context
 * escapes in one order or the other): a Deny matching any spelling applies; an Allow needs every spelling
 * to satisfy it; multivalued keys keep IAM's set semantics.
 */
function caseVariantRows(): Row[] {
  const ec = (first: [string, string], second: [string, string]) => ({ [`kms:EncryptionContext:${first[0]}`]: first[1], [`kms:EncryptionContext:${second[0]}`]: second[1] });
  const orders = (a: [string, string], b: [string, string]) => [ec(a, b), ec(b, a)];
  const denyWhen = (Condition: object) => ({ keyPolicy: keyPolicy(rootDelegation, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition }), identity: [identity(allowAll)] });
  const allowWhen = (Condition: object) => ({ keyPolicy: keyPolicy(rootDelegation), identity: [identity({ ...allowAll, Condition })] });
  const rows: Row[] = [];
  for (const context of orders(['tenant', 'restricted'], ['TENANT', 'x'])) {
    rows.push({ rule: `Arca: a Deny on StringEquals tenant=restricted applies whichever spelling carries it (${Object.keys(context).join(', ')})`, context, ...denyWhen({ StringEquals: { 'kms:EncryptionContext:tenant': 'restricted' } }), expect: 'Deny' });
  }
  for (const context of orders(['tenant', 'allowed'], ['Tenant', 'evil'])) {
    rows.push({ rule: `Arca: a Deny on StringNotEquals tenant=allowed applies when another spelling says otherwise (${Object.keys(context).join(', ')})`, context, ...denyWhen({ StringNotEquals: { 'kms:EncryptionContext:tenant': 'allowed' } }), expect: 'Deny' });
  }
  for (const context of orders(['tenant', 'a'], ['TENANT', 'b'])) {
    rows.push({ rule: `Arca: an Allow on StringEquals tenant=a does not hold when another spelling says tenant=b (${Object.keys(context).join(', ')})`, context, ...allowWhen({ StringEquals: { 'kms:EncryptionContext:tenant': 'a' } }), expect: 'ImplicitDeny' });
  }
  for (const context of orders(['tenant', 'ok'], ['TENANT', 'restricted'])) {
    rows.push({ rule: `Arca: an Allow on StringNotEquals tenant=restricted does not hold when a spelling says restricted (${Object.keys(context).join(', ')})`, context, ...allowWhen({ StringNotEquals: { 'kms:EncryptionContext:tenant': 'restricted' } }), expect: 'ImplicitDeny' });
  }
  rows.push(
    { rule: 'Arca: an Allow holds when every spelling satisfies it', context: ec(['tenant', 'a'], ['TENANT', 'a']), ...allowWhen({ StringEquals: { 'kms:EncryptionContext:tenant': 'a' } }), expect: 'Allow' },
    { rule: 'Arca: spellings of kms:EncryptionContextKeys entries stay distinct (ForAllValues refuses the unlisted TENANT)', context: { 'kms:EncryptionContextKeys': ['tenant', 'TENANT'] }, ...allowWhen({ 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant'] } }), expect: 'ImplicitDeny' },
    { rule: 'MULTI: an unqualified positive operator on a multivalued key (kms:ResourceAliases) still asks whether any value matches', context: { 'kms:ResourceAliases': ['alias/a', 'alias/b'] }, ...allowWhen({ StringEquals: { 'kms:ResourceAliases': 'alias/b' } }), expect: 'Allow' },
  );
  return rows;
}

function request(row: Row): EvaluationRequest {
  return {
    principalArn: row.principal ?? ALICE,
    principalId: idOf(row.principal ?? ALICE),
    principalAccount: ACCOUNT,
    action: row.action ?? 'kms:Encrypt',
    resource: row.resource ?? KEY,
    context: contextFrom(row.context ?? {}),
    now: NOW,
    encryptionContext: row.encryptionContext,
  };
}

function policies(row: Row): ApplicablePolicies {
  const keyPolicy = 'keyPolicy' in row ? row.keyPolicy : undefined;
  return { keyPolicy, keyPolicyPrincipals: row.refs ?? refsOf(keyPolicy), identityPolicies: row.identity ?? [], grants: (row.grants ?? []).map((g) => ({ granteeId: idOf(g.granteePrincipal), ...g })) };
}

/** The key policy's principals as stored: every ARN resolved to its holder (rows override with `refs`). */
function refsOf(doc: PolicyDocument | undefined): PrincipalRefs {
  return Object.fromEntries((doc?.statements ?? []).flatMap((s) => s.principal?.patterns ?? []).map((p) => [p, idOf(p)]));
}

describe('policy evaluation (table from AWS documentation)', () => {
  for (const row of ROWS) {
    it(`${row.rule} → ${row.expect}`, () => {
      assert.equal(evaluate(request(row), policies(row)), row.expect);
    });
  }
});

describe('policy evaluation properties', () => {
  const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:PutKeyPolicy', 'kms:DescribeKey', 'kms:Generate*', 'kms:*', '*'];
  const statementArb = fc.record({
    Effect: fc.constantFrom('Allow', 'Deny'),
    Principal: fc.constantFrom<object | string>('*', { AWS: ALICE }, { AWS: BOB }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: ACCOUNT }),
    Action: fc.subarray(actions, { minLength: 1 }),
    Resource: fc.constant('*'),
    Condition: fc.option(fc.constantFrom<object>({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { StringEquals: { 'aws:PrincipalTag/team': 'a' } }, { Null: { 'aws:PrincipalTag/team': 'true' } }), { nil: undefined }),
  });
  const identityStatementArb = statementArb.map(({ Principal: _p, ...rest }) => rest);
  const contextArb = fc.record({ 'aws:SourceIp': fc.constantFrom('10.1.2.3', '192.0.2.1'), 'aws:PrincipalTag/team': fc.constantFrom('a', 'b') }, { requiredKeys: ['aws:SourceIp'] });
  const rank: Record<Decision, number> = { Deny: 0, ImplicitDeny: 1, Allow: 2 };

  it('adding a Deny statement to any policy never grants more', () => {
    fc.assert(
      fc.property(
        fc.array(statementArb, { minLength: 1, maxLength: 5 }),
        fc.array(identityStatementArb, { maxLength: 4 }),
        identityStatementArb,
        fc.boolean(),
        fc.constantFrom('kms:Encrypt', 'kms:Decrypt', 'kms:PutKeyPolicy'),
        fc.constantFrom(ALICE, BOB),
        contextArb,
        (keyStatements, idStatements, extra, intoKeyPolicy, action, principal, context) => {
          const req: EvaluationRequest = { principalArn: principal, principalId: idOf(principal), principalAccount: ACCOUNT, action, resource: KEY, context: contextFrom(context), now: NOW };
          const kp = keyPolicy(...keyStatements);
          const ids = idStatements.length > 0 ? [identity(...idStatements)] : [];
          const grants: GrantAllowance[] = [{ granteePrincipal: ALICE, granteeId: idOf(ALICE), operations: ['Decrypt'] }];
          const before = evaluate(req, { keyPolicy: kp, keyPolicyPrincipals: refsOf(kp), identityPolicies: ids, grants });
          const deny = { ...extra, Effect: 'Deny' };
          const after = intoKeyPolicy
            ? evaluate(req, { keyPolicy: keyPolicy(...keyStatements, { ...deny, Principal: '*' }), keyPolicyPrincipals: refsOf(kp), identityPolicies: ids, grants })
            : evaluate(req, { keyPolicy: kp, keyPolicyPrincipals: refsOf(kp), identityPolicies: [...ids, identity(deny)], grants });
          assert.ok(rank[after] <= rank[before], `${before} became ${after}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
