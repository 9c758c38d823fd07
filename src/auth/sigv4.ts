import { sha256Hex } from '../crypto/hash.js';
import { hmac } from '../crypto/kdf.js';
import { SecretBytes } from '../crypto/secret-bytes.js';
import { KmsError } from '../core/errors.js';
import type { AuthenticationRequest } from '../core/ports.js';

/**
 * AWS Signature Version 4, header-based (`Authorization: AWS4-HMAC-SHA256 ...`), as a verifier. The
 * canonical request is rebuilt from what arrived: the SignedHeaders list the client sent, the raw header
 * values and the exact body bytes.
 */
export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Headers that every request must sign: the host, the time, and the operation (STS's operation is in the signed body). */
export const REQUIRED_SIGNED_HEADERS = ['host', 'x-amz-date', 'x-amz-target'] as const;
const REQUIRED_BY_SERVICE: Readonly<Record<string, readonly string[]>> = { sts: ['host', 'x-amz-date'], 'kms-xks-proxy': ['host', 'x-amz-date'] };

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const incomplete = (what: string) => new KmsError('IncompleteSignature', `Authorization header requires '${what}' parameter. Authorization header must be of the form AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`);

export function parseAuthorization(header: string): ParsedAuthorization {
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new KmsError('IncompleteSignature', `Unsupported authorization algorithm '${algorithm.slice(0, 32)}': only ${SIGV4_ALGORITHM} is accepted.`);
  }
  const params = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = params.get('Credential');
  const signedHeaders = params.get('SignedHeaders');
  const signature = params.get('Signature');
  if (!credential) throw incomplete('Credential');
  if (!signedHeaders) throw incomplete('SignedHeaders');
  if (!signature) throw incomplete('Signature');
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1] ?? '')) {
    throw new KmsError('IncompleteSignature', 'Credential must have the form <access key>/<date>/<region>/<service>/aws4_request.');
  }
  if (!/^[0-9a-f]{64}$/.test(signature)) throw new KmsError('IncompleteSignature', 'Signature must be 64 lower-case hex characters.');
  const [accessKeyId = '', date = '', region = '', service = ''] = scope;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

/** RFC 3986 percent-encoding as SigV4 uses it (unreserved characters kept). */
function escape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalPath(path: string): string {
  // Non-S3 services: each segment of the path as received is escaped once more, as the AWS SDKs do.
  return path.split('/').map(escape).join('/') || '/';
}

function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    // A URIError would otherwise surface as an Internal error (500) for a malformed, unauthenticated request.
    throw new KmsError('InvalidSignature', 'The query string is not valid percent-encoding.');
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter(Boolean).map((kv) => {
    const eq = kv.indexOf('=');
    const k = decodeQueryPart(eq < 0 ? kv : kv.slice(0, eq));
    const v = eq < 0 ? '' : decodeQueryPart(kv.slice(eq + 1).replace(/\+/g, ' '));
    return [escape(k), escape(v)] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** Header values by lower-case name; repeated headers joined with ',', whitespace trimmed and folded. */
export function headerMap(headers: AuthenticationRequest['headers']): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, value] of headers) {
    const n = name.toLowerCase();
    const v = value.trim().replace(/\s+/g, ' ');
    const prev = map.get(n);
    map.set(n, prev === undefined ? v : `${prev},${v}`);
  }
  return map;
}

export function canonicalRequest(req: AuthenticationRequest, headers: Map<string, string>, signedHeaders: readonly string[]): string {
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${headers.get(h) ?? ''}\n`).join('');
  return [req.method, canonicalPath(req.path), canonicalQuery(req.query), canonicalHeaders, signedHeaders.join(';'), sha256Hex(req.body)].join('\n');
}

export function stringToSign(amzDate: string, auth: ParsedAuthorization, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, `${auth.date}/${auth.region}/${auth.service}/aws4_request`, sha256Hex(canonical)].join('\n');
}

/** The derived signing key for one access key, day, region and service (cacheable for that day). */
export function signingKey(secret: SecretBytes, date: string, region: string, service: string): SecretBytes {
  const kDate = hmac('sha256', Buffer.concat([Buffer.from('AWS4'), secret.expose()]), Buffer.from(date));
  const kRegion = hmac('sha256', kDate, Buffer.from(region));
  const kService = hmac('sha256', kRegion, Buffer.from(service));
  const key = hmac('sha256', kService, Buffer.from('aws4_request'));
  kDate.fill(0);
  kRegion.fill(0);
  kService.fill(0);
  return SecretBytes.adopt(key);
}

/** `20240102T030405Z` → Date, or undefined if malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return Number.isNaN(t) ? undefined : new Date(t);
}

function amz(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Checks everything about a request's signature that does not need the secret: required signed
 * headers, time skew, and the credential scope. Returns the request time.
 */
export function checkRequestShape(
  auth: ParsedAuthorization,
  headers: Map<string, string>,
  expected: { region: string; service: string },
  now: Date,
): string {
  const signed = new Set(auth.signedHeaders);
  for (const h of REQUIRED_BY_SERVICE[expected.service] ?? REQUIRED_SIGNED_HEADERS) {
    if (!signed.has(h)) throw new KmsError('InvalidSignature', `The ${h} header must be signed (SignedHeaders lacks '${h}').`);
  }
  const amzDate = headers.get('x-amz-date') ?? '';
  const at = parseAmzDate(amzDate);
  if (at === undefined) throw new KmsError('IncompleteSignature', `X-Amz-Date '${amzDate.slice(0, 32)}' must have the form YYYYMMDD'T'HHMMSS'Z'.`);
  if (at.getTime() < now.getTime() - MAX_CLOCK_SKEW_MS) {
    throw new KmsError('InvalidSignature', `Signature expired: ${amzDate} is now earlier than ${amz(new Date(now.getTime() - MAX_CLOCK_SKEW_MS))} (${amz(now)} - 5 min.)`);
  }
  if (at.getTime() > now.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new KmsError('InvalidSignature', `Signature not yet current: ${amzDate} is still later than ${amz(new Date(now.getTime() + MAX_CLOCK_SKEW_MS))} (${amz(now)} + 5 min.)`);
  }
  if (auth.date !== amzDate.slice(0, 8)) throw new KmsError('InvalidSignature', `Credential should be scoped to a valid date: '${auth.date}' does not match X-Amz-Date.`);
  if (auth.region !== expected.region) throw new KmsError('InvalidSignature', `Credential should be scoped to a valid region, not '${auth.region.slice(0, 64)}'.`);
  if (auth.service !== expected.service) throw new KmsError('InvalidSignature', `Credential should be scoped to correct service: '${expected.service}'.`);
  return amzDate;
}
