import type { Realm } from '../core/arn.js';
import type { AuthenticationRequest, Authenticator } from '../core/authentication.js';
import { principalForCertificate, type CertificateRule } from '../core/client-certificate.js';
import { KmsError } from '../core/errors.js';
import type { PrincipalStore } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { principalByReference } from './principal-reference.js';

/**
 * mTLS client identities (docs/identity.md): in front of the signature authenticator. A request that
 * presents a certificate which did not verify against `tls.clientCa` (possible when `tls.clientCert` is
 * `optional`) is refused as unrecognized. A signed request is authenticated by its signature, as always,
 * and carries the verified certificate for conditions and audit. An unsigned request with a verified
 * certificate is the principal of the first `identity.certificates` rule it matches; the principal is
 * looked up on every request, so deleting it takes effect at once.
 */
export class ClientCertificateAuthenticator implements Authenticator {
  readonly #inner: Authenticator;
  readonly #rules: readonly CertificateRule[];
  readonly #store: Pick<PrincipalStore, 'findPrincipalByName'>;
  readonly #realm: Realm;

  constructor(deps: { inner: Authenticator; rules: readonly CertificateRule[]; store: Pick<PrincipalStore, 'findPrincipalByName'>; realm: Realm }) {
    this.#inner = deps.inner;
    this.#rules = deps.rules;
    this.#store = deps.store;
    this.#realm = deps.realm;
  }

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    const cert = req.clientCertificate;
    if (cert === undefined) return this.#inner.authenticate(req);
    if (!cert.verified) {
      throw new KmsError('UnrecognizedClient', `The client certificate is not trusted: it does not verify against the configured client CA (${cert.verifyError ?? 'unverified'}).`);
    }
    const signed = req.headers.some(([name]) => name.toLowerCase() === 'authorization');
    if (signed) return { ...(await this.#inner.authenticate(req)), clientCertificate: cert };
    const reference = principalForCertificate(this.#rules, cert);
    if (reference === undefined) throw new KmsError('MissingAuthentication', 'Missing Authentication Token (the client certificate matches no identity.certificates rule).');
    const record = await principalByReference(this.#store, reference);
    if (record === undefined) throw new KmsError('UnrecognizedClient', 'The principal the client certificate maps to does not exist.');
    return { id: record.id, type: record.type, name: record.name, arn: record.arn, account: this.#realm.account, clientCertificate: cert };
  }
}
