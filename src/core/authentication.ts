import type { ClientCertificate } from './client-certificate.js';
import type { Principal } from './principal.js';

/** What an authenticator sees of a request: exactly what arrived on the wire. */
export interface AuthenticationRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  /** Header name/value pairs as received (names in any case, duplicates kept). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** The service the signature's scope must name: `kms` unless the transport says `sts` (the STS endpoint) or `kms-xks-proxy` (the XKS proxy API). */
  readonly signingService?: 'kms' | 'sts' | 'kms-xks-proxy' | undefined;
  /** The client certificate of the TLS connection (mTLS), verified or not; absent when none was presented. */
  readonly clientCertificate?: ClientCertificate | undefined;
  /**
   * The path of the local (UNIX domain) socket the request arrived on, set only by a socket listener (the
   * Kubernetes KMS plugin): the credential is access to the socket file, which its mode restricts.
   */
  readonly localSocket?: string | undefined;
}

export interface Authenticator {
  /** The calling principal, or a KmsError (MissingAuthentication, InvalidSignature, ...). */
  authenticate(request: AuthenticationRequest): Promise<Principal>;
}
