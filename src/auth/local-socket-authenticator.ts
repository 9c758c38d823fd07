import type { Realm } from '../core/arn.js';
import type { AuthenticationRequest, Authenticator } from '../core/authentication.js';
import { KmsError } from '../core/errors.js';
import type { PrincipalStore } from '../core/ports.js';
import type { Principal } from '../core/principal.js';
import { principalByReference } from './principal-reference.js';

/**
 * Identities of local sockets (the Kubernetes KMS plugin, docs/kubernetes.md): a request that arrived on
 * a configured UNIX socket is the principal configured for that socket, since whoever may open the
 * socket file (mode 0600: its owner) is the caller. Everything else goes to `inner`. The principal is
 * looked up on every request, so deleting it stops the socket at once; its policies decide the rest.
 */
export class LocalSocketAuthenticator implements Authenticator {
  readonly #inner: Authenticator;
  readonly #sockets: ReadonlyMap<string, string>;
  readonly #store: Pick<PrincipalStore, 'findPrincipalByName'>;
  readonly #realm: Realm;

  /** `sockets`: socket path → principal reference (a name or an ARN). */
  constructor(deps: { inner: Authenticator; sockets: ReadonlyMap<string, string>; store: Pick<PrincipalStore, 'findPrincipalByName'>; realm: Realm }) {
    this.#inner = deps.inner;
    this.#sockets = deps.sockets;
    this.#store = deps.store;
    this.#realm = deps.realm;
  }

  async authenticate(req: AuthenticationRequest): Promise<Principal> {
    if (req.localSocket === undefined) return this.#inner.authenticate(req);
    const reference = this.#sockets.get(req.localSocket);
    if (reference === undefined) throw new KmsError('MissingAuthentication', 'Missing Authentication Token (the socket has no configured principal).');
    const record = await principalByReference(this.#store, reference);
    if (record === undefined) throw new KmsError('UnrecognizedClient', `The principal configured for the socket (${reference}) does not exist.`);
    return { id: record.id, type: record.type, name: record.name, arn: record.arn, account: this.#realm.account };
  }
}
