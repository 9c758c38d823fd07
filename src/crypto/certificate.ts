import { X509Certificate } from 'node:crypto';

/**
 * Whether `pem` is one PEM-encoded X.509 certificate that parses (CreateCustomKeyStore's
 * TrustAnchorCertificate): a `-----BEGIN CERTIFICATE-----` block and nothing else.
 */
export function isPemCertificate(pem: string): boolean {
  const text = pem.trim();
  if (!text.startsWith('-----BEGIN CERTIFICATE-----') || !text.endsWith('-----END CERTIFICATE-----')) return false;
  if (text.split('-----BEGIN CERTIFICATE-----').length !== 2) return false;
  try {
    new X509Certificate(text);
    return true;
  } catch {
    return false;
  }
}
