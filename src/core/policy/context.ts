import { allSans } from '../client-certificate.js';
import type { KeyRecord, Tag } from '../key.js';
import type { Principal } from '../principal.js';
import { servicePrincipalOf } from '../service-principal.js';
import { POSTURE_KEYS } from '../session.js';
import { contextFrom, type RequestContext } from './conditions.js';

/** What the transport knows about a request, for condition keys. */
export interface RequestInfo {
  readonly sourceIp: string;
  readonly userAgent: string;
  /** Whether the request arrived over TLS (`aws:SecureTransport`). */
  readonly secureTransport: boolean;
  readonly time: Date;
  /**
   * The resource a service principal says it makes the request for (`aws:SourceArn`, ADR 0021); the
   * pipeline refuses it from any other caller, so it is present only for a service principal's request.
   */
  readonly sourceArn?: string | undefined;
}

/** Condition keys an operation contributes from its own input (declared on the operation: service/pipeline/condition-keys.ts). */
export type OperationContextKeys = Readonly<Record<string, string | readonly string[]>>;

export interface ContextSources {
  readonly principal: Principal;
  readonly principalTags: readonly Tag[];
  readonly request: RequestInfo;
  readonly region: string;
  /** IANA time zone for `arca:LocalHour` and `arca:DayOfWeek` (for example `Europe/Paris`). */
  readonly timeZone: string;
  /** The key acted on, with its tags and alias names, when there is one. */
  readonly key?: { readonly record: KeyRecord; readonly tags: readonly Tag[]; readonly aliases: readonly string[] } | undefined;
  readonly operation: OperationContextKeys;
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Principal and session tags that are also Arca condition keys of their own name. */
const SESSION_ATTRIBUTES: ReadonlySet<string> = new Set(POSTURE_KEYS);

const DAYS: Record<string, string> = { Mon: 'Mon', Tue: 'Tue', Wed: 'Wed', Thu: 'Thu', Fri: 'Fri', Sat: 'Sat', Sun: 'Sun' };

/** The last answer per time zone, for the UTC minute it was computed in. */
const LAST = new Map<string, { minute: number; local: { hour: number; day: string } }>();

/**
 * The hour (0–23) and day (`Mon`..`Sun`) of `time` in `timeZone`. Intl is pure computation: no I/O.
 * Formatting costs about 10 µs and every authorization asks, so the answer is kept for the rest of its
 * UTC minute: UTC offsets in use since 1972 are whole minutes, so a local hour never changes mid-minute.
 */
export function localTime(time: Date, timeZone: string): { hour: number; day: string } {
  const minute = Math.floor(time.getTime() / 60_000);
  const last = LAST.get(timeZone);
  if (last !== undefined && last.minute === minute) return last.local;
  const local = formatLocalTime(time, timeZone);
  if (LAST.size > 16) LAST.clear();
  LAST.set(timeZone, { minute, local });
  return local;
}

function formatLocalTime(time: Date, timeZone: string): { hour: number; day: string } {
  let format = FORMATS.get(timeZone);
  if (format === undefined) {
    // Building a DateTimeFormat costs tens of µs; one per time zone is kept (a deployment has one or two).
    format = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23', weekday: 'short' });
    if (FORMATS.size > 16) FORMATS.clear();
    FORMATS.set(timeZone, format);
  }
  const parts = format.formatToParts(time);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? '0');
  const day = DAYS[parts.find((p) => p.type === 'weekday')?.value ?? ''] ?? 'Mon';
  return { hour: hour === 24 ? 0 : hour, day };
}

/** Whether `timeZone` is a time zone this runtime knows (checked once, at configuration). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Whole seconds from the MFA proof to `now` (never negative), or undefined without MFA. */
function mfaAge(at: Date | undefined, now: Date): string | undefined {
  return at === undefined ? undefined : String(Math.max(0, Math.floor((now.getTime() - at.getTime()) / 1000)));
}

/**
 * The request context for policy conditions: global keys (`aws:*`), key-derived keys (`kms:KeySpec`,
 * `aws:ResourceTag/*`, `kms:ResourceAliases`, ...), Arca's keys (`arca:LocalHour`, `arca:DayOfWeek`,
 * `arca:Region`) and the operation's own keys. `kms:ViaService` is never present: Arca has no AWS
 * services calling on a caller's behalf. `arca:DevicePosture` and `arca:RiskScore` come from the
 * principal's tags of those names, or from a web identity session's token claims (which win), and are
 * absent otherwise, so conditions on them should use `...IfExists` or `Null`.
 */
export function buildContext(s: ContextSources): RequestContext {
  const { request, principal } = s;
  const local = localTime(request.time, s.timeZone);
  const entries: Record<string, string | readonly string[] | undefined> = {
    'aws:SourceIp': request.sourceIp,
    'aws:UserAgent': request.userAgent,
    'aws:SecureTransport': String(request.secureTransport),
    'aws:CurrentTime': request.time.toISOString(),
    'aws:EpochTime': String(Math.floor(request.time.getTime() / 1000)),
    // MFA (AWS semantics): absent for long-term keys, 'false' for a session without MFA; the age is
    // present only with MFA, in seconds since the code was proved.
    'aws:MultiFactorAuthPresent': principal.session === undefined ? undefined : String(principal.session.mfaAuthenticatedAt !== undefined),
    'aws:MultiFactorAuthAge': mfaAge(principal.session?.mfaAuthenticatedAt, request.time),
    // A role session's aws:PrincipalArn is its role's ARN, as in AWS (the session ARN is aws:userid's business).
    'aws:PrincipalArn': principal.session?.kind === 'AssumedRole' ? principal.session.issuerArn : principal.arn,
    'aws:TokenIssueTime': principal.session?.issuedAt.toISOString(),
    'aws:PrincipalAccount': principal.account,
    'aws:PrincipalType': principal.type === 'role' ? 'AssumedRole' : 'User',
    'aws:username': principal.type === 'user' ? principal.name : undefined,
    'aws:RequestedRegion': s.region,
    'kms:CallerAccount': principal.account,
    // A service principal's request (ADR 0021): its name, and the resource it acts for when it says so.
    'aws:PrincipalServiceName': servicePrincipalOf(principal),
    'aws:SourceArn': request.sourceArn,
    'aws:SourceAccount': request.sourceArn === undefined ? undefined : accountOfArn(request.sourceArn),
    'arca:Region': s.region,
    'arca:LocalHour': String(local.hour),
    'arca:DayOfWeek': local.day,
  };
  // mTLS: the verified client certificate's fields (absent without one: use ...IfExists or Null).
  const cert = principal.clientCertificate;
  if (cert?.verified === true) {
    entries['arca:ClientCertSubject'] = cert.subject;
    entries['arca:ClientCertIssuer'] = cert.issuer;
    entries['arca:ClientCertFingerprint'] = cert.fingerprint;
    entries['arca:ClientCertSan'] = allSans(cert);
  }
  // A session's tags replace the principal's tags of the same key (AWS session tags).
  for (const t of [...s.principalTags, ...(principal.session?.tags ?? [])]) {
    entries[`aws:PrincipalTag/${t.key}`] = t.value;
    // Posture attributes Arca reads as its own keys (a web identity session's come from its token).
    if (SESSION_ATTRIBUTES.has(t.key)) entries[t.key] = t.value;
  }
  if (s.key !== undefined) {
    const k = s.key.record;
    entries['kms:KeySpec'] = k.keySpec;
    entries['kms:KeyUsage'] = k.keyUsage;
    entries['kms:KeyOrigin'] = k.origin;
    entries['kms:ResourceAliases'] = s.key.aliases;
    for (const t of s.key.tags) entries[`aws:ResourceTag/${t.key}`] = t.value;
  }
  // The operation's keys come last: for CreateKey (no key yet) they carry the requested KeySpec etc.
  for (const [k, v] of Object.entries(s.operation)) if (!(s.key !== undefined && k.startsWith('kms:Key'))) entries[k] = v;
  return contextFrom(entries);
}

/** The account field of an ARN (`arn:partition:service:region:account:...`), undefined when it has none. */
function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account === undefined || account === '' ? undefined : account;
}

/** `kms:EncryptionContextKeys` and one `kms:EncryptionContext:<k>` per pair of an encryption context. */
export function encryptionContextKeys(ec: Readonly<Record<string, string>>): Record<string, string | readonly string[]> {
  const out: Record<string, string | readonly string[]> = { 'kms:EncryptionContextKeys': Object.keys(ec) };
  for (const [k, v] of Object.entries(ec)) out[`kms:EncryptionContext:${k}`] = v;
  return out;
}
