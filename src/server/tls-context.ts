import type { Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';

/** PEM server certificate and key, and the CA (and CRLs) that client certificates must verify against for mTLS. */
export interface TlsOptions {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer | undefined;
  /**
   * With `ca`: `required` (default) refuses a connection without a certificate that verifies at the
   * handshake; `optional` accepts any, and the authenticator refuses a request whose certificate did not verify.
   */
  readonly clientCertificate?: 'optional' | 'required' | undefined;
  /**
   * With `ca`: CRLs, one per buffer (`readClientCrls`). Node then checks revocation for every certificate
   * of a client's chain, so a revoked certificate (or one whose CA has no CRL here, or whose CRL has
   * expired) does not verify: refused at the handshake when required, unverified when optional.
   */
  readonly crl?: readonly Buffer[] | undefined;
}

/** The secure-context part of the TLS options (what `setSecureContext` replaces): not requestCert/rejectUnauthorized. */
export function secureContextOptions(tls: TlsOptions): { cert: Buffer; key: Buffer; ca?: Buffer; crl?: Buffer[] } {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined && { ca: tls.ca, ...(tls.crl !== undefined && { crl: [...tls.crl] }) }),
  };
}

/** Each listener's secure-context generation (0 at start, +1 per replacement), and each TLS connection's at its handshake. */
const SERVER_GENERATION = new WeakMap<object, number>();
const SOCKET_GENERATION = new WeakMap<object, number>();

/** Stamps each TLS connection of `server` with the context generation that verified its client certificate. */
export function trackHandshakes(server: Server): void {
  SERVER_GENERATION.set(server, 0);
  server.on('secureConnection', (socket: object) => SOCKET_GENERATION.set(socket, SERVER_GENERATION.get(server) ?? 0));
}

/** Whether `socket`'s handshake was verified under a secure context that has been replaced since. */
export function verifiedUnderOldContext(server: Server, socket: object): boolean {
  const at = SOCKET_GENERATION.get(socket);
  return at !== undefined && at !== SERVER_GENERATION.get(server);
}

/**
 * Replaces the listener's CRLs (`tls.clientCrl` re-read on SIGHUP): new handshakes are verified against
 * `crl` at once. A connection verified before keeps the result of its handshake (TLS cannot verify a
 * certificate again on a live connection), so every such connection is closed: idle ones now, one busy
 * with a request after its answer (`verifiedUnderOldContext`, answered with `Connection: close`). A
 * client whose certificate was just revoked thus cannot keep using it over a kept-alive connection.
 */
export function replaceClientCrl(server: Server, tls: TlsOptions, crl: readonly Buffer[] | undefined): void {
  if (!(server instanceof HttpsServer)) throw new Error('the listener does not serve TLS');
  server.setSecureContext(secureContextOptions({ ...tls, crl }));
  SERVER_GENERATION.set(server, (SERVER_GENERATION.get(server) ?? 0) + 1);
  server.closeIdleConnections();
}
