/**
 * The audit event: one per request, shaped like a CloudTrail record. Never carries plaintext, key
 * material, secrets or tokens: request parameters are summarized by each operation's `audit` hook.
 */
export interface AuditIdentity {
  readonly type: 'IAMUser' | 'AssumedRole' | 'ServiceAccount' | 'WebIdentityUser' | 'Anonymous';
  readonly arn?: string | undefined;
  readonly accountId?: string | undefined;
  readonly accessKeyId?: string | undefined;
  /** The caller's unique id; for an AssumedRole session `<role id>:<session name>`, as CloudTrail writes it. */
  readonly principalId?: string | undefined;
  /** Temporary credentials (CloudTrail's `sessionContext`): who issued the session, when, and whether with MFA. */
  readonly sessionContext?: AuditSessionContext | undefined;
  /** A web identity (`WebIdentityUser`): the token's subject, as CloudTrail writes it. */
  readonly userName?: string | undefined;
  /** A web identity (`WebIdentityUser`): the OIDC provider that issued its token. */
  readonly identityProvider?: string | undefined;
  /** Arca's addition: the verified client certificate the request came with (mTLS). */
  readonly clientCertificate?: { readonly subject: string; readonly issuer: string; readonly fingerprint: string } | undefined;
}

/** CloudTrail's `userIdentity.sessionContext` of a request signed with temporary credentials. */
export interface AuditSessionContext {
  readonly sessionIssuer: { readonly type: 'Role' | 'IAMUser'; readonly principalId: string; readonly arn: string; readonly accountId: string; readonly userName: string };
  readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'true' | 'false' };
  /** A web identity session's provider (CloudTrail's `webIdFederationData`). */
  readonly webIdFederationData?: { readonly federatedProvider: string; readonly attributes: Readonly<Record<string, string>> } | undefined;
}

/** Where an event comes from: `kms` for every KMS and Arca operation, `sts` for the STS endpoint's. */
export type AuditEventSource = 'kms' | 'sts';

export interface AuditEvent {
  readonly eventVersion: '1.08';
  readonly eventTime: string;
  readonly eventSource: AuditEventSource;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly userIdentity: AuditIdentity;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: Readonly<Record<string, unknown>> | null;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly requestID: string;
  readonly eventID: string;
  readonly resources: readonly { readonly ARN: string; readonly type: 'AWS::KMS::Key' }[];
  readonly readOnly: boolean;
  /** CloudTrail's free-form extra data; Arca's `ThrottledRequests` summaries carry their tallies here. */
  readonly additionalEventData?: Readonly<Record<string, unknown>> | undefined;
  readonly eventCategory: 'Management';
  /** Set by the audit log when it appends the event; absent on an event not yet recorded. */
  readonly arca?: AuditChainFields | undefined;
}

/** A position in a trail's time order: a trail's events sort by (eventTime, sequence). */
export interface AuditPosition {
  /** The event time as recorded (`Date.toISOString()`, so text order is time order). */
  readonly time: string;
  readonly sequence: number;
}

/**
 * The longest text an event keeps per field (longer text is cut, ending in `…`). Many fields come from
 * the caller, before or without authentication; these bounds keep every event small whatever was sent
 * (an unauthenticated event is a few hundred bytes), so a flood cannot grow the trail by its payload.
 */
export const AUDIT_FIELD_LIMITS = {
  eventName: 128,
  userAgent: 256,
  sourceIPAddress: 64,
  errorMessage: 1024,
  /**
   * Each string inside requestParameters, responseElements and additionalEventData (member names too): a
   * safety net above the longest value AWS accepts in a recorded parameter (an 8,192-character key
   * description), which the operations validate before their event is made.
   */
  parameterString: 8192,
} as const;

/** `s`, or its first `max - 1` characters and `…`. */
export function truncateText(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function boundStrings(v: unknown): unknown {
  if (typeof v === 'string') return truncateText(v, AUDIT_FIELD_LIMITS.parameterString);
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(boundStrings);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[truncateText(k, AUDIT_FIELD_LIMITS.parameterString)] = boundStrings(x);
  return out;
}

function boundRecord(r: Readonly<Record<string, unknown>> | null): Readonly<Record<string, unknown>> | null {
  return r === null ? null : (boundStrings(r) as Record<string, unknown>);
}

/**
 * An event with CloudTrail's constant fields filled in and every caller-controlled text bounded by
 * {@link AUDIT_FIELD_LIMITS}; the audit log adds `arca` when it appends it.
 */
export function auditEvent(fields: Omit<AuditEvent, 'eventVersion' | 'eventSource' | 'eventCategory' | 'arca'>, eventSource: AuditEventSource = 'kms'): AuditEvent {
  const L = AUDIT_FIELD_LIMITS;
  return {
    eventVersion: '1.08',
    eventSource,
    eventCategory: 'Management',
    ...fields,
    eventName: truncateText(fields.eventName, L.eventName),
    userAgent: truncateText(fields.userAgent, L.userAgent),
    sourceIPAddress: truncateText(fields.sourceIPAddress, L.sourceIPAddress),
    requestParameters: boundRecord(fields.requestParameters),
    responseElements: boundRecord(fields.responseElements),
    ...(fields.errorMessage !== undefined && { errorMessage: truncateText(fields.errorMessage, L.errorMessage) }),
    ...(fields.additionalEventData !== undefined && { additionalEventData: boundRecord(fields.additionalEventData) ?? undefined }),
  };
}

/** Arca's own fields: where the event sits in the verifiable trail. */
export interface AuditChainFields {
  /** 1-based, gap-free position in the trail; leaf index = sequence − 1. */
  readonly sequence: number;
  /** The trail this event belongs to (one per data directory). */
  readonly chainId: string;
  /** Hex SHA-256(0x00 || canonicalEventBytes(event)): the event's Merkle leaf hash. */
  readonly leafHash: string;
}

/** A signed tree head: the trail's first `treeSize` events have Merkle root `rootHash`, as of `timestamp`. */
export interface TreeHead {
  readonly chainId: string;
  readonly treeSize: number;
  /** Hex SHA-256 root (RFC 9162 MTH). */
  readonly rootHash: string;
  /** ISO 8601 time of signing. */
  readonly timestamp: string;
  /** Base64 Ed25519 signature over `treeHeadSigningBytes(head)`. */
  readonly signature: string;
}

/**
 * JSON with object members sorted by name at every level, no whitespace, `undefined` members left out:
 * one byte string per value, so that a leaf hash can be recomputed from an exported event.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('non-finite number in canonical JSON');
    return JSON.stringify(value);
  }
  // Built by appending (every audited request canonicalizes its event: intermediate arrays cost GC time).
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      out += (i === 0 ? '' : ',') + (v === undefined ? 'null' : canonicalJson(v));
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does on strings.
  const names = Object.keys(record).sort();
  let out = '{';
  for (const name of names) {
    const v = record[name];
    if (v === undefined) continue;
    out += (out.length === 1 ? '' : ',') + JSON.stringify(name) + ':' + canonicalJson(v);
  }
  return out + '}';
}

/** The bytes a leaf hash covers: the canonical event, with `arca.sequence` and `arca.chainId` but not `arca.leafHash`. */
export function canonicalEventBytes(event: AuditEvent): Buffer {
  return Buffer.from(canonicalEventText(event), 'utf8');
}

/** {@link canonicalEventBytes} as a string. */
export function canonicalEventText(event: AuditEvent): string {
  const { arca } = event;
  const covered = arca === undefined ? event : { ...event, arca: { sequence: arca.sequence, chainId: arca.chainId } };
  return canonicalJson(covered);
}

/** How a canonical recorded event begins: `arca` sorts first among an event's members. */
const recordedPrefix = (chainId: string): string => `{"arca":{"chainId":${JSON.stringify(chainId)},`;

/**
 * The stored text of a recorded event: its canonical text (what the leaf hash covers) with
 * `"leafHash":"<hex>",` inserted where it sorts in `arca` — canonical JSON of the whole recorded event, so
 * a verifier can check the leaf hash on the text itself ({@link leafCoveredText}). Undefined when the
 * canonical text does not begin with `arca` (then the store keeps plain JSON and verifiers canonicalize).
 */
export function recordedEventText(canonical: string, chainId: string, leafHashHex: string): string | undefined {
  const prefix = recordedPrefix(chainId);
  if (!canonical.startsWith(prefix + '"sequence":')) return undefined;
  return `${prefix}"leafHash":"${leafHashHex}",${canonical.slice(prefix.length)}`;
}

/**
 * The inverse of {@link recordedEventText}: the text a leaf hash covers, if `text` is exactly a recorded
 * event's canonical text with `leafHash` in place (else undefined: canonicalize the parsed event instead).
 * Sound for verification: if SHA-256(0x00 || result) equals the stated leaf hash, the result is the very
 * text that was hashed when the event was recorded, and `text` is that text with only the leaf-hash member
 * added at its canonical place, so the parsed line is the recorded event.
 */
export function leafCoveredText(text: string, chainId: string, leafHashHex: string): string | undefined {
  const head = `${recordedPrefix(chainId)}"leafHash":"${leafHashHex}",`;
  if (!text.startsWith(head)) return undefined;
  return recordedPrefix(chainId) + text.slice(head.length);
}

/** The bytes a tree head signature covers. */
export function treeHeadSigningBytes(head: Omit<TreeHead, 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({ format: 'arca-tree-head-v1', chainId: head.chainId, treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestamp }),
    'utf8',
  );
}

/**
 * The C2SP tlog-checkpoint origin of a trail (https://c2sp.org/tlog-checkpoint), also the key name of
 * its checkpoint signatures (https://c2sp.org/signed-note): a schema-less URL-like name, one per trail.
 */
export function checkpointOrigin(chainId: string): string {
  return `arca.local/audit/${chainId}`;
}

/**
 * The body of a C2SP checkpoint for a tree head: origin, tree size in decimal, base64 root hash, each
 * line ending in a newline. Tree heads carry an Ed25519 signature of exactly these bytes besides their
 * `arca-tree-head-v1` signature (heads signed before issue 12 have only the latter).
 */
export function checkpointText(head: Pick<TreeHead, 'chainId' | 'treeSize' | 'rootHash'>): string {
  return `${checkpointOrigin(head.chainId)}\n${head.treeSize}\n${Buffer.from(head.rootHash, 'hex').toString('base64')}\n`;
}

