import { constantTimeEqual, hmac } from '../crypto/kdf.js';
import type { SecretBytes } from '../crypto/secret-bytes.js';
import type { Realm } from '../core/arn.js';
import type { AuthenticationRequest, Authenticator } from '../core/authentication.js';
import { KmsError } from '../core/errors.js';
import type { Clock, PrincipalStore } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { principalByReference } from './principal-reference.js';
import { canonicalRequest, checkRequestShape, headerMap, parseAuthorization, signingKey, stringToSign } from './sigv4.js';

/** The SigV4 service of the XKS proxy API (the spec's appendix A). */
export const XKS_SIGNING_SERVICE = 'kms-xks-proxy';

/** One XKS credential: AWS KMS signs with it (CreateCustomKeyStore's XksProxyAuthenticationCredential). */
export interface XksCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: SecretBytes;
}

/**
 * Authenticates XKS proxy requests (docs/xks-proxy.md): a request the XKS transport marks
 * (`signingService: 'kms-xks-proxy'`) must be SigV4-signed for that service and the configured region
 * with one of the XKS credentials (two during a rotation), which are not Arca access keys; it is then
 * the configured principal, looked up on every request. Every other request goes to `inner`, which
 * refuses a `kms-xks-proxy` scope: XKS credentials open nothing but the XKS API.
 */
export class XksAuthenticator implements Authenticator {
  readonly #inner: Authenticator;
  readonly #credentials: ReadonlyMap<string, SecretBytes>;
  readonly #principal: string;
  readonly #region: string;
  readonly #store: Pick<PrincipalStore, 'findPrincipalByName'>;
  readonly #realm: Realm;
  readonly #clock: Clock;

  /** `principal`: a name or ARN; `region`: the region AWS KMS signs for (default the realm's). */
  constructor(deps: { inner: Authenticator; credentials: readonly XksCredential[]; principal: string; region?: string | undefined; store: Pick<PrincipalStore, 'findPrincipalByName'>; realm: Realm; clock: Clock }) {
    this.#inner = deps.inner;
    this.#credentials = new Map(deps.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.#principal = deps.principal;
    this.#region = deps.region ?? deps.realm.region;
    this.#store = deps.store;
    this.#realm = deps.realm;
    this.#clock = deps.clock;
  }

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    if (req.signingService !== XKS_SIGNING_SERVICE) return this.#inner.authenticate(req);
    const headers = headerMap(req.headers);
    const authorization = headers.get('authorization');
    if (authorization === undefined) throw new KmsError('MissingAuthentication', 'Missing Authentication Token');
    const auth = parseAuthorization(authorization);
    const amzDate = checkRequestShape(auth, headers, { region: this.#region, service: XKS_SIGNING_SERVICE }, this.#clock.now());
    const secret = this.#credentials.get(auth.accessKeyId);
    if (secret === undefined) throw new KmsError('UnrecognizedClient', 'The access key id is not an XKS credential of this proxy.');
    const key = signingKey(secret, auth.date, this.#region, XKS_SIGNING_SERVICE);
    try {
      const expected = hmac('sha256', key, Buffer.from(stringToSign(amzDate, auth, canonicalRequest(req, headers, auth.signedHeaders))));
      if (!constantTimeEqual(expected, Buffer.from(auth.signature, 'hex'))) throw new KmsError('InvalidSignature', 'The request signature does not match the signature computed with the XKS credential.');
    } finally {
      key.dispose();
    }
    const record = await principalByReference(this.#store, this.#principal);
    if (record === undefined) throw new KmsError('UnrecognizedClient', `The principal configured for XKS (${this.#principal}) does not exist.`);
    return { id: record.id, type: record.type, name: record.name, arn: record.arn, account: this.#realm.account, accessKeyId: auth.accessKeyId };
  }
}
