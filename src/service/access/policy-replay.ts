import type { AuditEvent } from '../../core/audit.js';
import type { KeyRecord, Tag } from '../../core/key.js';
import { buildContext, encryptionContextKeys, type OperationContextKeys } from '../../core/policy/context.js';
import type { PolicyDocument } from '../../core/policy/document.js';
import type { Principal, PrincipalRecord } from '../../core/principal.js';

/**
 * Rebuilding a recorded request's authorization question from its audit event (policy simulation, issue
 * 23). Pure functions: the operation (simulate-key-policy.ts) reads the stores and the trail.
 *
 * An event records who (principal ARN), what (operation, key), when, from where (source IP, user agent)
 * and, for the cryptographic operations, the encryption context and algorithm. It does not record whether
 * the request came over TLS, the alias the caller named the key by, a session's MFA facts, a client
 * certificate's fields, or the operation's other condition keys: a policy condition on one of those makes
 * the event `unknown`, with the key it could not answer, rather than a guess.
 */

/** Condition keys rebuilt faithfully from any event of a long-term principal (lower case). */
const RECORDED_KEYS: ReadonlySet<string> = new Set(
  [
    'aws:SourceIp',
    'aws:UserAgent',
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:PrincipalType',
    'aws:username',
    'aws:RequestedRegion',
    'aws:MultiFactorAuthPresent',
    'aws:MultiFactorAuthAge',
    'aws:TokenIssueTime',
    'kms:CallerAccount',
    'arca:Region',
    'kms:KeySpec',
    'kms:KeyUsage',
    'kms:KeyOrigin',
    'kms:ResourceAliases',
  ].map((k) => k.toLowerCase()),
);

/** Prefixes of keys rebuilt from the principal's and key's tags as they are now (documented). */
const RECORDED_PREFIXES = ['aws:principaltag/', 'aws:resourcetag/'];

/** The facts of one event's request, or why they cannot be rebuilt. */
export type ReplayedRequest =
  | { readonly ok: true; readonly action: string; readonly principal: Principal; readonly context: OperationContextKeys; readonly encryptionContext: Readonly<Record<string, string>> | undefined; readonly recorded: ReadonlySet<string> }
  | { readonly ok: false; readonly reason: string };

/** What the replay needs to know of the operation an event records. */
export interface RecordedOperation {
  /** The IAM action it is authorized as on the key (`kms:Decrypt`, `arca:RevokeKey`). */
  readonly action: string;
  /** The condition keys (and `…:` prefixes) its input supplies. */
  readonly conditionKeys: readonly string[];
}

function stringRecord(v: unknown): Record<string, string> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * Which IAM action the key was checked for by `event` (ReEncrypt checks ReEncryptFrom on its source key
 * and ReEncryptTo on its destination), and the encryption context member that applied to it.
 */
function actionOnKey(event: AuditEvent, op: RecordedOperation, keyArn: string): { action: string; contextMember: string } | undefined {
  if (event.eventName !== 'ReEncrypt') return { action: op.action, contextMember: 'encryptionContext' };
  const response = event.responseElements ?? {};
  if (response['sourceKeyId'] === keyArn) return { action: 'kms:ReEncryptFrom', contextMember: 'sourceEncryptionContext' };
  if (response['keyId'] === keyArn) return { action: 'kms:ReEncryptTo', contextMember: 'destinationEncryptionContext' };
  return undefined;
}

/**
 * The request `event` recorded, for the key `keyArn`: `principal` is the record of the principal the
 * event names, as it is now (undefined: deleted, or never a stored principal).
 */
export function replayRequest(event: AuditEvent, op: RecordedOperation | undefined, keyArn: string, principal: PrincipalRecord | undefined, account: string): ReplayedRequest {
  const identity = event.userIdentity;
  if (identity.type === 'Anonymous' || identity.arn === undefined) return { ok: false, reason: 'unauthenticated request' };
  if (identity.sessionContext !== undefined || identity.type === 'AssumedRole' || identity.type === 'WebIdentityUser') return { ok: false, reason: 'temporary credentials (the session facts are not recorded)' };
  if (op === undefined) return { ok: false, reason: `operation ${event.eventName} is not one the simulation knows` };
  if (principal === undefined || principal.arn !== identity.arn) return { ok: false, reason: 'the principal no longer exists' };
  const on = actionOnKey(event, op, keyArn);
  if (on === undefined) return { ok: false, reason: 'which side of the ReEncrypt the key was is not recorded' };
  const params = event.requestParameters ?? {};
  const recorded = new Set<string>();
  const context: Record<string, string | readonly string[]> = {};
  let encryptionContext: Record<string, string> | undefined;
  // The cryptographic operations record a non-empty encryption context (an empty one is left out).
  if (op.conditionKeys.some((k) => k.toLowerCase().startsWith('kms:encryptioncontext'))) {
    encryptionContext = stringRecord(params[on.contextMember]) ?? {};
    Object.assign(context, encryptionContextKeys(encryptionContext));
    recorded.add('kms:encryptioncontextkeys');
    recorded.add('kms:encryptioncontext:');
  }
  if (typeof params['encryptionAlgorithm'] === 'string') {
    context['kms:EncryptionAlgorithm'] = params['encryptionAlgorithm'];
    recorded.add('kms:encryptionalgorithm');
  }
  const rebuilt: Principal = { id: principal.id, type: principal.type, name: principal.name, arn: principal.arn, account, accessKeyId: identity.accessKeyId };
  return { ok: true, action: on.action, principal: rebuilt, context, encryptionContext, recorded };
}

/** Whether the condition key `key` is rebuilt from what the event recorded. */
export function isRecorded(key: string, recorded: ReadonlySet<string>): boolean {
  const k = key.toLowerCase();
  if (RECORDED_KEYS.has(k) || recorded.has(k)) return true;
  if (RECORDED_PREFIXES.some((p) => k.startsWith(p))) return true;
  return k.startsWith('kms:encryptioncontext:') && recorded.has('kms:encryptioncontext:');
}

/** The first condition key of `documents` the event cannot answer, if any. */
export function unrecordedKey(documents: readonly PolicyDocument[], recorded: ReadonlySet<string>): string | undefined {
  for (const doc of documents) for (const s of doc.statements) for (const c of s.conditions) if (!isRecorded(c.key, recorded)) return c.key;
  return undefined;
}

/** The request context of a replayed request (`timeZone`: arca:LocalHour is not replayed, see RECORDED_KEYS). */
export function replayContext(event: AuditEvent, request: Extract<ReplayedRequest, { ok: true }>, facts: { principalTags: readonly Tag[]; key: KeyRecord; keyTags: readonly Tag[]; aliases: readonly string[] }) {
  return buildContext({
    principal: request.principal,
    principalTags: facts.principalTags,
    // The transport is not recorded: aws:SecureTransport is never answered (RECORDED_KEYS leaves it out).
    request: { sourceIp: event.sourceIPAddress, userAgent: event.userAgent, secureTransport: false, time: new Date(event.eventTime) },
    region: event.awsRegion,
    timeZone: 'UTC',
    key: { record: facts.key, tags: facts.keyTags, aliases: facts.aliases },
    operation: request.context,
  });
}
