/**
 * mTLS client identities (issue 17, docs/identity.md "mTLS identities"): what the listener read off a
 * client certificate, and the rules that map a verified certificate to a principal. Pure: the listener
 * parses the certificate (node:crypto), the authenticator applies the rules.
 */

/** A client certificate as the TLS handshake presented it. */
export interface ClientCertificate {
  /** Whether it chains to `tls.clientCa` (node's verification of the handshake). */
  readonly verified: boolean;
  /** Why it did not verify (node's code, `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, ...); absent when verified. */
  readonly verifyError?: string | undefined;
  /** The subject's RDNs joined with `,` in certificate order (`O=Example,CN=app`). */
  readonly subject: string;
  /** The issuer, written like the subject. */
  readonly issuer: string;
  /** Subject alternative names, by type; values as written (`spiffe://example.org/ns/prod/sa/app`). */
  readonly sans: { readonly uri: readonly string[]; readonly dns: readonly string[]; readonly email: readonly string[]; readonly ip: readonly string[] };
  /** SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` prints it (`AB:CD:...`). */
  readonly fingerprint: string;
}

/** Every SAN value, whatever its type (`arca:ClientCertSan`). */
export function allSans(cert: ClientCertificate): string[] {
  return [...cert.sans.uri, ...cert.sans.dns, ...cert.sans.email, ...cert.sans.ip];
}

/** What a rule matches: every field given must match (globs: `*` any run of characters, `?` one). */
export interface CertificateMatch {
  /** The subject, or (for a pattern without `,`) any one of its RDNs: `CN=app`, `CN=app-*`. */
  readonly subject?: string | undefined;
  /** Any SAN of any type. */
  readonly san?: string | undefined;
  readonly uri?: string | undefined;
  readonly dns?: string | undefined;
  readonly email?: string | undefined;
}

/** `identity.certificates[]`: a verified certificate that matches `match` is `principal` (a name or an IAM ARN). */
export interface CertificateRule {
  readonly match: CertificateMatch;
  readonly principal: string;
}

const GLOBS = new Map<string, RegExp>();

/** Whether `value` matches the glob `pattern` (`*`, `?`; everything else literal, case-sensitive). */
export function globMatches(pattern: string, value: string): boolean {
  let re = GLOBS.get(pattern);
  if (re === undefined) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`);
    if (GLOBS.size > 1024) GLOBS.clear();
    GLOBS.set(pattern, re);
  }
  return re.test(value);
}

function subjectMatches(pattern: string, subject: string): boolean {
  if (globMatches(pattern, subject)) return true;
  return !pattern.includes(',') && subject.split(',').some((rdn) => globMatches(pattern, rdn));
}

/** Whether `cert` satisfies every field of `match` (an empty match matches nothing). */
export function certificateMatches(match: CertificateMatch, cert: ClientCertificate): boolean {
  const checks: boolean[] = [];
  const any = (pattern: string | undefined, values: readonly string[]) => pattern === undefined || values.some((v) => globMatches(pattern, v));
  if (match.subject !== undefined) checks.push(subjectMatches(match.subject, cert.subject));
  if (match.san !== undefined) checks.push(any(match.san, allSans(cert)));
  if (match.uri !== undefined) checks.push(any(match.uri, cert.sans.uri));
  if (match.dns !== undefined) checks.push(any(match.dns, cert.sans.dns));
  if (match.email !== undefined) checks.push(any(match.email, cert.sans.email));
  return checks.length > 0 && checks.every(Boolean);
}

/** The principal of the first rule a verified `cert` matches; `undefined` when none does (or it is not verified). */
export function principalForCertificate(rules: readonly CertificateRule[], cert: ClientCertificate): string | undefined {
  if (!cert.verified) return undefined;
  return rules.find((r) => certificateMatches(r.match, cert))?.principal;
}
