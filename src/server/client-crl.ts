import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

const CRL_BLOCK = /-----BEGIN X509 CRL-----[\s\S]*?-----END X509 CRL-----/g;

/**
 * The CRLs of `tls.clientCrl` (docs/identity.md, "Revoked client certificates"): one PEM file holding one
 * or more `X509 CRL` blocks, each returned alone. Node's `crl` option reads only the first CRL of each
 * buffer it is given, so a file with a CRL per CA must be split, or every CA after the first would have
 * none (and, since node checks revocation for the whole chain, its certificates would all fail).
 * Throws an `Error` saying what is wrong (unreadable, no CRL, a block that OpenSSL cannot parse).
 */
export function readClientCrls(path: string): readonly Buffer[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const blocks = text.match(CRL_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error(`${path} holds no PEM CRL (-----BEGIN X509 CRL-----)`);
  return blocks.map((block, i) => {
    const crl = Buffer.from(`${block}\n`);
    try {
      // OpenSSL parses it here as it will for the listener: a CRL it rejects now cannot fail later.
      createSecureContext({ crl });
    } catch {
      throw new Error(`${path}: CRL ${i + 1} of ${blocks.length} cannot be parsed`);
    }
    return crl;
  });
}

/** `tls.clientCrl` problems as configuration errors (none when the file holds at least one parseable CRL). */
export function clientCrlErrors(path: string): string[] {
  try {
    readClientCrls(path);
    return [];
  } catch (e) {
    return [`tls.clientCrl: ${(e as Error).message}`];
  }
}
