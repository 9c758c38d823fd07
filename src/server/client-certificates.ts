import type { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ClientCertificate } from '../core/client-certificate.js';

/** `C=FR\nO=Example\nCN=app` (node's X509Certificate) as `C=FR,O=Example,CN=app`. */
function distinguishedName(text: string): string {
  return text.split('\n').filter((l) => l !== '').join(',');
}

/** A SAN value as node writes it: plain, or a JSON string when it holds special characters. */
function sanValue(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  try {
    return String(JSON.parse(raw));
  } catch {
    return raw;
  }
}

/** The SANs of `subjectAltName` (`DNS:a, URI:spiffe://x, email:b@c, IP Address:127.0.0.1`), by type. */
function subjectAltNames(text: string | undefined): ClientCertificate['sans'] {
  const sans = { uri: [] as string[], dns: [] as string[], email: [] as string[], ip: [] as string[] };
  // Entries are `, `-separated; a value with a comma in it is JSON-quoted by node, so split outside quotes.
  for (const entry of (text ?? '').match(/[A-Za-z ]+:(?:"(?:[^"\\]|\\.)*"|[^,]*)/g) ?? []) {
    const colon = entry.indexOf(':');
    const type = entry.slice(0, colon).trim();
    const value = sanValue(entry.slice(colon + 1));
    if (type === 'URI') sans.uri.push(value);
    else if (type === 'DNS') sans.dns.push(value);
    else if (type === 'email') sans.email.push(value);
    else if (type === 'IP Address') sans.ip.push(value);
  }
  return sans;
}

/** The fields Arca reads off a client certificate; `verified` and `verifyError` from the handshake. */
export function clientCertificateOf(x509: X509Certificate, verified: boolean, verifyError: string | undefined): ClientCertificate {
  return {
    verified,
    ...(verified ? {} : { verifyError: verifyError ?? 'unverified' }),
    subject: distinguishedName(x509.subject),
    issuer: distinguishedName(x509.issuer),
    sans: subjectAltNames(x509.subjectAltName),
    fingerprint: x509.fingerprint256,
  };
}

const BY_SOCKET = new WeakMap<TLSSocket, ClientCertificate | null>();

/**
 * The client certificate of a TLS connection (parsed once per connection), or `undefined` when the
 * client presented none or the listener is plain HTTP.
 */
export function peerCertificate(socket: unknown): ClientCertificate | undefined {
  if (typeof socket !== 'object' || socket === null || !('getPeerX509Certificate' in socket)) return undefined;
  const tls = socket as TLSSocket;
  let cert = BY_SOCKET.get(tls);
  if (cert === undefined) {
    const x509 = tls.getPeerX509Certificate();
    const error = tls.authorizationError;
    cert = x509 === undefined ? null : clientCertificateOf(x509, tls.authorized, error === undefined ? undefined : String(error));
    BY_SOCKET.set(tls, cert);
  }
  return cert ?? undefined;
}
